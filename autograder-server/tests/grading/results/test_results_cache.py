"""Results and gradebook pages come from Redis (`common.versioned_cache`) until something that
changes them commits: a rerun rewriting the results, a change of feedback settings, a new
final graded submission. Each request still checks what its user may see.

Transactional tests: versions are bumped when a write commits, as in production."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from autograder.accounts.models import User
from autograder.common import versioned_cache
from autograder.grading.config.models import AGTestCommand
from autograder.grading.pipeline.result_storage import suite_error_store
from autograder.submissions.models import Submission
from tests.conftest import World
from tests.grading import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

HIDDEN_FROM_STUDENTS = {
    "normal": {"show_actual_return_code": False, "show_points": False},
    "staff_viewer": {"show_actual_return_code": True, "show_points": True},
}


@pytest.fixture(autouse=True)
def _redis(settings: Any) -> None:
    assert settings.REDIS_URL, "these tests need Redis (AG_REDIS_URL)"
    assert versioned_cache.enabled()


def graded(world: World) -> tuple[Submission, AGTestCommand]:
    command = f.make_command(
        f.make_case(f.make_suite(world.project, "Suite"), "case"),
        "run",
        feedback=HIDDEN_FROM_STUDENTS,
        points_for_correct_return_code=3,
    )
    submission = f.make_submission(world.group)
    f.grade(submission, {command: 3})
    return submission, command


def results(world: World, role: str, submission: Submission, **params: Any) -> Any:
    response = world.client(role).get(f"/api/submissions/{submission.pk}/results/", params)
    assert response.status_code == 200, response.data
    return response.data


def results_queries(world: World, role: str, submission: Submission) -> int:
    with CaptureQueriesContext(connection) as queries:
        results(world, role, submission)
    return len(queries)


def only_command(body: Any) -> Any:
    (suite,) = body["suites"]
    (case,) = suite["cases"]
    (command,) = case["commands"]
    return command


def test_a_second_read_comes_from_the_cache(world: World) -> None:
    submission, _ = graded(world)
    first = results_queries(world, "group_member", submission)
    second = results_queries(world, "group_member", submission)
    assert second < first, "the result tree is not read again"
    assert results(world, "group_member", submission) == results(world, "group_member", submission)


def test_a_rerun_rewriting_the_results_is_seen_at_once(world: World) -> None:
    submission, command = graded(world)
    before = results(world, "staff", submission)
    assert before["points_awarded"] == 3
    assert before["suites"][0]["error_message"] == ""

    # What a rerun stores for a suite that fails this time (the pipeline's own writer).
    suite_error_store(
        submission_id=submission.pk, suite=command.case.suite, message="The rerun broke."
    )

    after = results(world, "staff", submission)
    assert after["points_awarded"] == 0
    assert after["suites"][0]["error_message"] == "The rerun broke."


def test_a_feedback_settings_change_is_seen_at_once(world: World) -> None:
    submission, command = graded(world)
    assert only_command(results(world, "group_member", submission))["points_awarded"] is None

    response = world.client("admin").patch(
        f"/api/commands/{command.pk}/",
        {"feedback": {"normal": {"show_points": True}}},
        format="json",
    )
    assert response.status_code == 200, response.data

    assert only_command(results(world, "group_member", submission))["points_awarded"] == 3


def test_a_student_never_gets_the_staff_body_cached_before(world: World) -> None:
    submission, _ = graded(world)
    staff_body = results(world, "staff", submission, feedback_category="staff_viewer")
    assert only_command(staff_body)["actual_return_code"] == 0

    student_body = results(world, "group_member", submission)
    assert student_body["feedback_category"] == "normal"
    assert only_command(student_body)["actual_return_code"] is None
    assert only_command(student_body)["points_awarded"] is None

    asked = world.client("group_member").get(
        f"/api/submissions/{submission.pk}/results/", {"feedback_category": "staff_viewer"}
    )
    assert asked.status_code == 403
    outsider = world.client("student").get(f"/api/submissions/{submission.pk}/results/")
    assert outsider.status_code in (403, 404)


def test_the_gradebook_follows_a_new_final_graded_submission(world: World) -> None:
    submission, command = graded(world)
    url = f"/api/projects/{world.project.pk}/gradebook/"
    staff = world.client("staff")

    def row() -> Any:
        response = staff.get(url)
        assert response.status_code == 200, response.data
        return next(r for r in response.data["results"] if r["group"] == world.group.pk)

    assert row()["final_graded_submission"] == submission.pk
    assert row()["points_awarded"] == 3

    newer = f.make_submission(world.group)
    f.grade(newer, {command: 1})

    assert row()["final_graded_submission"] == newer.pk
    assert row()["points_awarded"] == 1
    assert world.client("student").get(url).status_code == 403


def test_a_mutation_suite_result_stored_later_is_seen_at_once(world: World) -> None:
    """Rows of apps that grading doesn't import (mutation suites here) invalidate too."""
    from autograder.grading.mutation.models import MutationSuiteResult, MutationTestSuite

    submission, _ = graded(world)
    assert results(world, "staff", submission)["mutation_suites"] == []
    suite = MutationTestSuite.objects.create(project=world.project, name="Your tests")
    assert [s["suite"] for s in results(world, "staff", submission)["mutation_suites"]] == []

    MutationSuiteResult.objects.create(
        submission=submission, suite=suite, suite_name=suite.name, points_possible=4
    )

    shown = results(world, "staff", submission, feedback_category="staff_viewer")
    assert [s["name"] for s in shown["mutation_suites"]] == ["Your tests"]


def test_a_cached_read_asks_for_membership_and_roles_in_one_query(world: World) -> None:
    submission, _ = graded(world)
    for role in ("group_member", "staff", "student"):
        client = APIClient()  # a session: each request reads its user afresh
        user = world.users[role]
        assert isinstance(user, User)
        client.force_login(user)
        client.get(f"/api/submissions/{submission.pk}/results/")  # cached now
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/api/submissions/{submission.pk}/results/")
        membership_reads = [
            q["sql"]
            for q in queries
            if "groups_groupmembership" in q["sql"] or "courses_coursemembership" in q["sql"]
        ]
        assert len(membership_reads) == 1, (role, membership_reads)
