"""A grading session through the API, what a student then sees, and the gradebook."""

import csv
import io
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from autograder.courses.models import Role
from autograder.courses.roles import forget_cached_roles
from autograder.handgrading.models import AppliedAnnotation, Comment, CriterionResult
from tests import factories
from tests.conftest import World, build_world
from tests.handgrading.helpers import make_graded, make_rubric, user

pytestmark = pytest.mark.django_db


def open_result(w: World, role: str = "handgrader") -> dict[str, Any]:
    response = w.client(role).get(f"/api/groups/{w.group.pk}/handgrading_result/")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def test_a_grading_session_and_the_students_view(world: World) -> None:
    _, (readable, tested), (magic,) = make_rubric(world.project, show_only_applied_to_students=True)
    make_graded(world.group)
    grader = world.client("handgrader")
    body = open_result(world)
    rid = body["id"]
    assert (body["total_points"], body["max_points"]) == (0, 10)
    assert body["submitted_filenames"] == ["main.cpp"]

    assert grader.put(
        f"/api/handgrading_results/{rid}/criteria/{readable.pk}/", {"selected": True}, format="json"
    ).status_code == 200  # fmt: skip
    for line in (2, 3):
        response = grader.post(
            f"/api/handgrading_results/{rid}/applied_annotations/",
            {"annotation": magic.pk, "filename": "main.cpp", "first_line": line, "last_line": line},
            format="json",
        )
        assert response.status_code == 201, response.content
    response = grader.post(
        f"/api/handgrading_results/{rid}/comments/",
        {"text": "Name this constant.", "filename": "main.cpp", "first_line": 2, "last_line": 2},
        format="json",
    )
    assert response.status_code == 201
    body = open_result(world)
    assert body["total_points"] == 2  # 4 - min(3, cap 2)
    assert [a["created_by"] for a in body["applied_annotations"]] == ["grader@example.edu"] * 2

    # Not released yet: the student sees nothing.
    member = world.client("group_member")
    url = f"/api/groups/{world.group.pk}/handgrading_result/"
    assert member.get(url).status_code == 404

    staff = world.client("staff")
    assert staff.patch(
        f"/api/projects/{world.project.pk}/handgrading_rubric/", {"released": True}, format="json"
    ).status_code == 200  # fmt: skip
    seen = member.get(url).json()
    assert member.get(f"/api/projects/{world.project.pk}/my_handgrading/").json() == {
        "result": seen
    }
    assert seen["total_points"] == 2
    assert [c["short_description"] for c in seen["criteria"]] == ["Readable"]  # only applied
    assert [c["text"] for c in seen["comments"]] == ["Name this constant."]
    assert all(c["created_by"] is None for c in seen["comments"])
    assert tested.pk not in [c["id"] for c in seen["criteria"]]


def test_bad_input_names_the_field_and_stores_nothing(world: World) -> None:
    _, _, (magic,) = make_rubric(world.project)
    make_graded(world.group)
    rid = open_result(world)["id"]
    grader = world.client("handgrader")
    cases = [
        ({"filename": "nope.cpp", "first_line": 1, "last_line": 1}, "filename"),
        ({"filename": "main.cpp", "first_line": 3, "last_line": 2}, "last_line"),
        ({"filename": "main.cpp", "first_line": 0, "last_line": 1}, "first_line"),
        ({"filename": "main.cpp", "first_line": 1, "last_line": 1, "x": 1}, "x"),
    ]
    for body, field in cases:
        response = grader.post(
            f"/api/handgrading_results/{rid}/applied_annotations/",
            {"annotation": magic.pk, **body},
            format="json",
        )
        assert response.status_code == 400, response.content
        assert field in response.json()["fields"]
    assert not AppliedAnnotation.objects.exists()
    response = world.client("staff").post(
        f"/api/handgrading_rubrics/{magic.rubric_id}/annotations/",
        {"short_description": "x", "deduction": -1, "max_deduction": Decimal("-0.5")},
        format="json",
    )
    assert response.status_code == 400 and "max_deduction" in response.json()["fields"]


def test_progress_filters_and_assignment(world: World) -> None:
    make_rubric(world.project)
    make_graded(world.group)
    make_graded(world.other_group)
    staff = world.client("staff")
    open_result(world)
    url = f"/api/projects/{world.project.pk}/handgrading_progress/"
    rows = {row["group"]: row for row in staff.get(url).json()["groups"]}
    assert rows[world.group.pk]["status"] == "in_progress"
    assert rows[world.other_group.pk]["status"] == "not_started"

    response = staff.put(
        f"/api/projects/{world.project.pk}/handgrading_assignments/",
        {"groups": [world.other_group.pk], "grader": "grader@example.edu"},
        format="json",
    )
    assert response.json() == {"changed": 1}
    mine = world.client("handgrader").get(url, {"grader": "grader@example.edu"}).json()["groups"]
    assert [row["group"] for row in mine] == [world.other_group.pk]
    assert [r["group"] for r in staff.get(url, {"status": "not_started"}).json()["groups"]] == [
        world.other_group.pk
    ]
    response = staff.put(
        f"/api/projects/{world.project.pk}/handgrading_assignments/",
        {"groups": [world.group.pk], "grader": "member@example.edu"},
        format="json",
    )
    assert response.status_code == 400 and "grader" in response.json()["fields"]


def test_gradebook_and_its_csv_include_handgraded_points(world: World) -> None:
    _, (_, tested), _ = make_rubric(world.project)
    make_graded(world.group)
    rid = open_result(world)["id"]
    world.client("staff").put(
        f"/api/handgrading_results/{rid}/criteria/{tested.pk}/", {"selected": True}, format="json"
    )
    staff = world.client("staff")
    rows = staff.get(f"/api/projects/{world.project.pk}/gradebook/").json()["results"]
    extra = {row["group"]: row["extra"] for row in rows}
    assert extra[world.group.pk] == [
        {"key": "handgrading", "name": "Handgrading", "points_awarded": 6, "points_possible": 10}
    ]
    assert extra[world.other_group.pk][0]["points_awarded"] is None

    response = staff.get(f"/api/projects/{world.project.pk}/gradebook.csv")
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    table = list(csv.DictReader(io.StringIO(text)))
    by_user = {row["username"]: row for row in table}
    assert by_user["member@example.edu"]["Handgrading"] == "6"
    assert by_user["member@example.edu"]["Handgrading possible"] == "10"
    assert by_user["other.member@example.edu"]["Handgrading"] == ""


@pytest.mark.django_db(transaction=True)
def test_two_graders_writing_the_same_result_at_once_lose_nothing() -> None:
    """Two clients (a handgrader and staff) each tick criteria, apply annotations and comment
    on one result at the same time, on their own connections; every item of both is kept."""
    world = build_world()
    rubric, _, (magic,) = make_rubric(world.project, max_points=Decimal(100))
    from autograder.handgrading.models import Criterion

    criteria = [
        Criterion.objects.create(rubric=rubric, short_description=f"C{i}", points=Decimal(1))
        for i in range(10)
    ]
    make_graded(world.group, {"main.cpp": "x\n" * 20})
    rid = open_result(world)["id"]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def grade(role: str, mine: list[Criterion], line: int) -> None:
        try:
            client: APIClient = world.client(role)
            start.wait(10)
            for criterion in mine:
                url = f"/api/handgrading_results/{rid}/criteria/{criterion.pk}/"
                assert client.put(url, {"selected": True}, format="json").status_code == 200
                body = {"annotation": magic.pk, "filename": "main.cpp", "first_line": line,
                        "last_line": line}  # fmt: skip
                url = f"/api/handgrading_results/{rid}/applied_annotations/"
                assert client.post(url, body, format="json").status_code == 201
                url = f"/api/handgrading_results/{rid}/comments/"
                assert (
                    client.post(url, {"text": f"{role} {criterion.pk}"}, format="json").status_code
                    == 201
                )
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=grade, args=("handgrader", criteria[:5], 1)),
        threading.Thread(target=grade, args=("staff", criteria[5:], 2)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors

    assert CriterionResult.objects.filter(result_id=rid, selected=True).count() == 10
    assert AppliedAnnotation.objects.filter(result_id=rid).count() == 10
    assert Comment.objects.filter(result_id=rid).count() == 10
    body = open_result(world, "staff")
    assert body["version"] == 30
    assert body["total_points"] == 10 - 2  # ten criteria, the annotation capped at -2


@pytest.mark.django_db(transaction=True)
def test_the_same_criterion_ticked_by_two_graders_keeps_the_last_write() -> None:
    world = build_world()
    _, (readable, _), _ = make_rubric(world.project)
    make_graded(world.group)
    rid = open_result(world)["id"]
    url = f"/api/handgrading_results/{rid}/criteria/{readable.pk}/"
    world.client("handgrader").put(url, {"selected": True}, format="json")
    world.client("staff").put(url, {"selected": False}, format="json")
    assert CriterionResult.objects.get(result_id=rid).selected is False
    assert open_result(world, "handgrader")["criteria"][0]["selected"] is False


def test_import_needs_staff_of_the_source_course(world: World) -> None:
    other_course = factories.make_course(name="EECS 370")
    source = factories.make_project(other_course, name="Old P1")
    make_rubric(source)
    staff = world.client("staff")
    url = f"/api/projects/{world.project.pk}/handgrading_rubric/import/"
    response = staff.post(url, {"project": source.pk}, format="json")
    assert response.status_code == 400 and "project" in response.json()["fields"]
    factories.add_role(other_course, user(world, "staff"), Role.STAFF)
    forget_cached_roles(user(world, "staff"))
    staff = world.client("staff")
    response = staff.post(url, {"project": source.pk}, format="json")
    assert response.status_code == 201
    assert [c["short_description"] for c in response.json()["criteria"]] == ["Readable", "Tested"]


def test_staff_reorder_criteria_and_annotations_and_bad_orders_change_nothing(
    world: World,
) -> None:
    rubric, (readable, tested), (magic,) = make_rubric(world.project)
    staff = world.client("staff")
    extra = staff.post(
        f"/api/handgrading_rubrics/{rubric.pk}/annotations/",
        {"short_description": "Leak", "deduction": -1},
        format="json",
    ).json()["id"]
    url = f"/api/handgrading_rubrics/{rubric.pk}/criteria/order/"

    response = staff.put(url, {"ids": [tested.pk, readable.pk]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"ids": [tested.pk, readable.pk]}
    response = staff.put(
        f"/api/handgrading_rubrics/{rubric.pk}/annotations/order/",
        {"ids": [extra, magic.pk]},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = staff.get(f"/api/projects/{world.project.pk}/handgrading_rubric/").json()
    assert [c["short_description"] for c in body["criteria"]] == ["Tested", "Readable"]
    assert [a["short_description"] for a in body["annotations"]] == ["Leak", "Magic number"]

    for bad in ([tested.pk], [tested.pk, tested.pk], [tested.pk, readable.pk, magic.pk]):
        response = staff.put(url, {"ids": bad}, format="json")
        assert response.status_code == 400, response.content
        assert "ids" in response.json()["fields"], response.json()
    body = staff.get(f"/api/projects/{world.project.pk}/handgrading_rubric/").json()
    assert [c["short_description"] for c in body["criteria"]] == ["Tested", "Readable"]
