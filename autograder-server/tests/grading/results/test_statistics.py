from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from autograder.courses.models import Role
from autograder.grading.config.models import AGTestCommand
from autograder.grading.results.models import AGTestCommandResult
from autograder.grading.results.selectors import submission_scores
from autograder.grading.results.statistics import project_statistics, submission_totals
from autograder.groups.models import Group
from autograder.projects.models import Project
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories as base
from tests.grading import factories as f

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(minute=30, second=0, microsecond=0)


def group_of(project: Project, name: str, role: str = Role.STUDENT) -> Group:
    user = base.add_role(project.course, base.make_user(name), role)
    return base.make_group(project, user)


@pytest.fixture
def project() -> Project:
    """One suite: `easy` (1 point) and `hard` (2 points)."""
    project = base.make_project(base.make_course())
    suite = f.make_suite(project, name="Tests")
    f.make_command(f.make_case(suite, name="easy"), name="run")
    f.make_command(f.make_case(suite, name="hard"), name="run", points_for_correct_return_code=2)
    return project


def commands(project: Project) -> dict[str, Any]:
    return {c.case.name: c for c in AGTestCommand.objects.filter(case__suite__project=project)}


def graded(group: Group, hours_ago: float, *, fail: tuple[str, ...] = ()) -> Submission:
    cmds = commands(group.project)
    submission = f.make_submission(
        group,
        timestamp=NOW - timedelta(hours=hours_ago),
        queued_at=NOW - timedelta(hours=hours_ago),
        grading_started_at=NOW - timedelta(hours=hours_ago) + timedelta(seconds=20),
    )
    f.grade(submission, {cmds[name]: 0 for name in fail})
    return submission


def test_final_scores_tests_and_first_versus_final(project: Project) -> None:
    ann = group_of(project, "ann")
    graded(ann, 5, fail=("easy", "hard"))  # first: 0 of 3
    graded(ann, 3, fail=("hard",))  # final: 1 of 3
    bob = group_of(project, "bob")
    graded(bob, 2)  # first and final: 3 of 3
    cat = group_of(project, "cat")
    f.make_submission(cat, status=SubmissionStatus.QUEUED, timestamp=NOW)
    ta = group_of(project, "ta", Role.STAFF)
    graded(ta, 1, fail=("easy",))  # left out: staff

    found = project_statistics(project=project, now=NOW)

    assert (found.groups, found.groups_with_final, found.submissions) == (3, 2, 4)
    assert {(s.status, s.count) for s in found.by_status} == {
        ("finished_grading", 3),
        ("queued", 1),
    }
    assert [b.count for b in found.final_score_histogram] == [0, 0, 0, 1, 0, 0, 0, 0, 0, 1]
    assert found.final_score_histogram[9].label == "90-100 %"
    assert found.final_score_mean_percent == pytest.approx((100 / 3 + 100) / 2)
    # `hard` failed in one of two final graded submissions, `easy` in none: hard first.
    assert [(t.case_name, t.passed, t.total) for t in found.tests] == [
        ("hard", 1, 2),
        ("easy", 2, 2),
    ]
    pairs = {p.group_id: (p.first_percent, p.final_percent) for p in found.first_vs_final}
    assert pairs == {ann.pk: (0.0, pytest.approx(100 / 3)), bob.pk: (100.0, 100.0)}


def test_submissions_over_time_and_queue_waits(project: Project) -> None:
    ann = group_of(project, "ann")
    graded(ann, 0)
    graded(ann, 1)
    graded(ann, 1.2)
    graded(ann, 100)  # more than two days ago: per day only
    slow = graded(group_of(project, "bob"), 2)
    Submission.objects.filter(pk=slow.pk).update(
        grading_started_at=slow.queued_at + timedelta(minutes=7)  # type: ignore[operator]
    )

    found = project_statistics(project=project, now=NOW)

    hours = found.submissions_per_hour
    assert len(hours) == 48
    assert hours[-1].start == NOW.replace(minute=0)
    assert [h.count for h in hours[-3:]] == [1, 2, 1]
    assert sum(h.count for h in hours) == 4
    assert sum(d.count for d in found.submissions_per_day) == 5
    assert found.queue_waits.sample == 5
    assert found.queue_waits.median_seconds == 20
    waits = {b.label: b.count for b in found.queue_waits.bins}
    assert (waits["10-30 s"], waits["5-15 min"]) == (4, 1)


def test_an_empty_project(project: Project) -> None:
    found = project_statistics(project=project, now=NOW)

    assert (found.groups, found.submissions, found.tests, found.first_vs_final) == (0, 0, [], [])
    assert found.final_score_mean_percent is None
    assert found.queue_waits.median_seconds is None
    assert all(h.count == 0 for h in found.submissions_per_hour)


def test_queries_do_not_grow_with_the_number_of_groups(project: Project) -> None:
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            project_statistics(project=project, now=NOW)
        return len(queries)

    for i in range(3):
        graded(group_of(project, f"a{i}"), 1)
    few = count_queries()
    for i in range(12):
        graded(group_of(project, f"b{i}"), 1, fail=("hard",))
    many = count_queries()

    assert many == few


def test_the_endpoint_answers_staff(project: Project) -> None:
    graded(group_of(project, "ann"), 1)
    staff = base.add_role(project.course, base.make_user("staff"), Role.STAFF)
    client = APIClient()
    client.force_authenticate(staff)
    body = client.get(f"/api/projects/{project.pk}/statistics/").json()

    assert body["groups"] == 1
    assert body["tests"][0]["case_name"] in ("easy", "hard")
    assert len(body["final_score_histogram"]) == 10
    assert body["queue_waits"]["median_seconds"] == 20.0


def test_totals_count_as_the_scores_everywhere_else_do(project: Project) -> None:
    """Negative points floor their test case at zero; a deleted command's result counts no
    more; a submission without results is 0 of 0."""
    cmds = commands(project)
    ann = graded(group_of(project, "ann"), 2)
    bob = graded(group_of(project, "bob"), 1, fail=("easy",))
    AGTestCommandResult.objects.filter(
        case_result__suite_result__submission=bob, command=cmds["easy"]
    ).update(points_awarded=-3)
    f.make_command(cmds["hard"].case, name="extra", points_for_correct_return_code=4)
    cat = f.make_submission(group_of(project, "cat"))
    f.grade(cat)
    cmds["hard"].delete()
    empty = f.make_submission(group_of(project, "dan"), status=SubmissionStatus.QUEUED)
    ids = list(Submission.objects.filter(project=project).values_list("pk", flat=True))

    totals = submission_totals(ids)

    expected = submission_scores(submission_ids=ids)
    assert totals == {i: (expected[i].awarded, expected[i].possible) for i in ids}
    assert (totals[ann.pk], totals[bob.pk]) == ((Decimal(1), Decimal(1)), (Decimal(0), Decimal(1)))
    assert (totals[cat.pk], totals[empty.pk]) == (
        (Decimal(5), Decimal(5)),
        (Decimal(0), Decimal(0)),
    )
