import csv
import io
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from autograder.accounts.models import User
from autograder.courses.models import Role
from autograder.grading.config.models import AGTestCommand
from autograder.groups.models import Group, GroupMembership
from autograder.projects.models import FinalGradedPolicy
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories as base
from tests.conftest import World
from tests.grading import factories as f

pytestmark = pytest.mark.django_db


def hours_ago(hours: float) -> datetime:
    return timezone.now() - timedelta(hours=hours)


def two_suites(w: World) -> tuple[AGTestCommand, AGTestCommand]:
    a = f.make_command(f.make_case(f.make_suite(w.project, "A", order=0)), "a",
                       points_for_correct_return_code=4)  # fmt: skip
    b = f.make_command(f.make_case(f.make_suite(w.project, "B", order=1)), "b",
                       points_for_correct_return_code=6)  # fmt: skip
    return a, b


def graded(group: Group, points: dict[AGTestCommand, int], hours: float) -> Submission:
    submission = f.make_submission(group, timestamp=hours_ago(hours))
    f.grade(submission, points)
    return submission


def student(w: World, username: str | None = None) -> User:
    return base.add_role(w.course, base.make_user(username), Role.STUDENT)


def add_member(group: Group, user: User) -> None:
    group.members.add(user)
    GroupMembership.objects.create(group=group, project=group.project, user=user)


def csv_rows(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


class TestGradebookApi:
    def test_rows_per_group(self, world: World) -> None:
        a, b = two_suites(world)
        f.make_suite(world.project, "C (not run yet)", order=2)
        graded(world.group, {a: 1, b: 6}, hours=3)
        final = graded(world.group, {a: 4, b: 0}, hours=2)
        f.make_submission(world.group, status=SubmissionStatus.BEING_GRADED)
        response = world.client("staff").get(f"/api/projects/{world.project.pk}/gradebook/")
        assert response.status_code == 200
        assert response.data["count"] == 3  # two groups, and the student in none
        first, second, _ = response.data["results"]
        assert first["group"] == world.group.pk
        assert [m["username"] for m in first["members"]] == ["member@example.edu"]
        assert first["final_graded_submission"] == final.pk
        assert (first["points_awarded"], first["points_possible"]) == (4, 10)
        assert [
            (s["name"], s["points_awarded"], s["points_possible"]) for s in first["suites"]
        ] == [
            ("A", 4, 4),
            ("B", 0, 6),
            ("C (not run yet)", 0, 0),
        ]
        assert second["final_graded_submission"] is None
        assert second["points_awarded"] is None
        assert [s["points_awarded"] for s in second["suites"]] == [0, 0, 0]

    def test_best_policy(self, world: World) -> None:
        world.project.final_graded_policy = FinalGradedPolicy.BEST
        world.project.save()
        a, b = two_suites(world)
        best = graded(world.group, {a: 4, b: 6}, hours=3)
        graded(world.group, {a: 4, b: 0}, hours=2)
        response = world.client("staff").get(f"/api/projects/{world.project.pk}/gradebook/")
        assert response.data["results"][0]["final_graded_submission"] == best.pk
        assert response.data["results"][0]["points_awarded"] == 10

    def test_paginated(self, world: World) -> None:
        url = f"/api/projects/{world.project.pk}/gradebook/"
        response = world.client("staff").get(url, {"page_size": 1, "page": 2})
        assert response.data["count"] == 3
        assert [row["group"] for row in response.data["results"]] == [world.other_group.pk]
        assert response.data["previous"]

    def test_constant_queries_for_many_groups(
        self, world: World, django_assert_max_num_queries: Any
    ) -> None:
        world.project.final_graded_policy = FinalGradedPolicy.BEST
        world.project.save()
        a, b = two_suites(world)
        for i in range(48):
            group = base.make_group(world.project, student(world), student(world))
            graded(group, {a: i % 5, b: 6}, hours=2)
            graded(group, {a: 4, b: i % 7}, hours=1)
        client = world.client("staff")
        url = f"/api/projects/{world.project.pk}/gradebook/"
        # A fixed number: the page also asks for the roster (its version, and the students in
        # no group) and lists the suites and mutation suites for the groups' rows and the
        # students' rows, whatever the number of groups.
        with django_assert_max_num_queries(17):
            response = client.get(url, {"page_size": 100})
        assert response.data["count"] == 51  # 50 groups, and the world's student in none
        assert all(len(row["members"]) == 2 for row in response.data["results"][2:50])
        with django_assert_max_num_queries(11):  # the CSV lists the mutation suites too
            csv_response = client.get(f"/api/projects/{world.project.pk}/gradebook.csv")
            rows = csv_rows(csv_response)
        assert len(rows) == 1 + 48 * 2 + 3  # header, grouped students, the world's students

    def test_students_without_a_group_are_rows_like_in_the_csv(self, world: World) -> None:
        """The table lists everyone the CSV does: enrolled students in no group come after
        the groups (by username), with no group and no scores; one enrolled later appears
        at once (a cached page is not reused across roster changes)."""
        a, b = two_suites(world)
        graded(world.group, {a: 4, b: 6}, hours=1)
        client = world.client("staff")
        url = f"/api/projects/{world.project.pk}/gradebook/"
        first = client.get(url).data
        assert [row["group"] for row in first["results"]] == [
            world.group.pk,
            world.other_group.pk,
            None,
        ]
        alone = first["results"][2]
        assert [m["username"] for m in alone["members"]] == ["student@example.edu"]
        assert alone["points_awarded"] is None and alone["final_graded_submission"] is None
        assert [s["name"] for s in alone["suites"]] == ["A", "B"]

        student(world, "aaa.late@example.edu")
        again = client.get(url).data
        assert [[m["username"] for m in row["members"]] for row in again["results"][2:]] == [
            ["aaa.late@example.edu"],
            ["student@example.edu"],
        ]
        listed = {m for row in again["results"] for m in (x["username"] for x in row["members"])}
        in_csv = {row[0] for row in csv_rows(client.get(f"{url[:-1]}.csv"))[1:]}
        assert listed == in_csv


class TestGradebookCsv:
    def test_one_row_per_student(self, world: World) -> None:
        a, b = two_suites(world)
        partner = student(world, "aaa.partner@example.edu")
        add_member(world.group, partner)
        on_time = graded(world.group, {a: 4, b: 6}, hours=30)
        late = graded(world.group, {a: 1, b: 1}, hours=1)
        late.does_not_count_for.add(world.users["group_member"])  # type: ignore[arg-type]
        response = world.client("admin").get(f"/api/projects/{world.project.pk}/gradebook.csv")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in response["Content-Disposition"]
        header, *rows = csv_rows(response)
        assert header == [
            "username",
            "group_members",
            "submission_timestamp",
            "total_points",
            "points_possible",
            "A",
            "B",
        ]
        members = "aaa.partner@example.edu; member@example.edu"
        assert rows == [
            ["aaa.partner@example.edu", members, late.timestamp.isoformat(), "2", "10", "1", "1"],
            ["member@example.edu", members, on_time.timestamp.isoformat(), "10", "10", "4", "6"],
            ["other.member@example.edu", "other.member@example.edu", "", "", "", "", ""],
            ["student@example.edu", "", "", "", "", "", ""],
        ]

    def test_cells_that_look_like_formulas_are_escaped(self, world: World) -> None:
        f.make_suite(world.project, '=HYPERLINK("http://x")')
        evil = student(world, "+evil@example.edu")
        base.make_group(world.project, evil)
        rows = csv_rows(
            world.client("staff").get(f"/api/projects/{world.project.pk}/gradebook.csv")
        )
        assert rows[0][-1] == '\'=HYPERLINK("http://x")'
        assert rows[1][:2] == ["'+evil@example.edu", "'+evil@example.edu"]
