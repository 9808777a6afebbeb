"""Mutation suites graded through the real pipeline (upload, worker slot, real sandboxes)."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from autograder.courses.models import Role
from autograder.grading.mutation.models import (
    MutationSuiteResult,
    MutationTestSuite,
    WhitespaceHandling,
)
from autograder.grading.mutation.runner import command_argv, split_test_names
from autograder.grading.pipeline import dispatch
from autograder.grading.pipeline.models import GradingJob, JobKind, JobState
from autograder.grading.pipeline.queues import Queue
from autograder.images.models import ImageStatus, SandboxImage
from autograder.sandbox.pool import PoolManager
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories
from tests.grading import pipeline_helpers as h
from tests.grading.mutation.project import STUDENT_TESTS, mutation_suite

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def result_of(submission: Submission) -> MutationSuiteResult:
    return MutationSuiteResult.objects.get(submission=submission)


def test_valid_tests_expose_two_of_three_bugs(provider: PoolManager) -> None:
    suite = mutation_suite()
    submission = h.grade(provider, h.submit(suite.project, {"test_stats.py": STUDENT_TESTS}))

    assert submission.status == SubmissionStatus.FINISHED_GRADING
    result = result_of(submission)
    assert result.error_message == ""
    assert result.student_tests == ["test_forever", "test_max", "test_mean", "test_wrong"]
    assert result.invalid_tests == ["test_forever", "test_wrong"]
    assert result.timed_out_tests == ["test_forever"]
    assert result.valid_tests == ["test_max", "test_mean"]
    assert result.bugs_exposed == ["bug_mean", "bug_max"]
    assert (result.points_awarded, result.points_possible) == (Decimal(4), Decimal(6))
    assert b"passed test_mean" in bytes(result.validity_check_stdout)


def test_all_valid_tests_at_once(provider: PoolManager) -> None:
    suite = mutation_suite(
        grade_buggy_impl_command="python3 run_all.py ${buggy_impl_name}.py ${all_valid_test_names}"
    )
    submission = h.grade(provider, h.submit(suite.project, {"test_stats.py": STUDENT_TESTS}))

    result = result_of(submission)
    assert result.bugs_exposed == ["bug_mean", "bug_max"]
    assert result.points_awarded == 4


def test_tests_past_the_maximum_are_discarded(provider: PoolManager) -> None:
    suite = mutation_suite(max_num_student_tests=2)
    submission = h.grade(provider, h.submit(suite.project, {"test_stats.py": STUDENT_TESTS}))

    result = result_of(submission)
    assert result.student_tests == ["test_forever", "test_max"]
    assert result.discarded_tests == ["test_mean", "test_wrong"]
    assert result.bugs_exposed == ["bug_max"]


def test_points_are_capped_at_the_maximum(provider: PoolManager) -> None:
    suite = mutation_suite(points_per_exposed_bug=5, max_points=7)
    submission = h.grade(provider, h.submit(suite.project, {"test_stats.py": STUDENT_TESTS}))

    result = result_of(submission)
    assert (result.points_awarded, result.points_possible) == (Decimal(7), Decimal(7))


def test_names_split_on_lines_keep_their_spaces(provider: PoolManager) -> None:
    lister = "printf 'test_mean\\n\\n  test max  \\ntest_mean\\n'"
    suite = mutation_suite(
        get_student_test_names_command=lister,
        test_name_whitespace_handling=WhitespaceHandling.NEWLINE,
        validity_check_command="test ${student_test_name} = test_mean",
        grade_buggy_impl_command="echo ${buggy_impl_name} ${student_test_name}; false",
    )
    submission = h.grade(provider, h.submit(suite.project, {"test_stats.py": STUDENT_TESTS}))

    result = result_of(submission)
    assert result.student_tests == ["test_mean", "test max"]  # quoted as one argument
    assert result.invalid_tests == ["test max"]
    assert bytes(result.grade_buggy_impls_stdout).splitlines()[0] == b"bug_mean test_mean"


def test_whitespace_handling() -> None:
    output = b"a b\n  c\td \n\nb\n"
    assert split_test_names(output, WhitespaceHandling.ANY) == ["a", "b", "c", "d"]
    assert split_test_names(output, WhitespaceHandling.NEWLINE) == ["a b", "c\td", "b"]


STATEFUL_TESTS = b"""\
import os, stats

def test_remembers():
    # Passes on its first run only: were files kept between runs, every later run would
    # fail and "expose" every bug.
    for path in ("seen", "/tmp/seen", os.path.expanduser("~/seen")):
        if os.path.exists(path):
            raise AssertionError("a file from an earlier run is still here")
    for path in ("seen", "/tmp/seen", os.path.expanduser("~/seen")):
        open(path, "w").close()
    for name in ("bug_mean.py", "stats.py", "run_test.py"):
        try:
            open(name, "w").write("raise SystemExit(1)")
        except OSError:
            pass
"""


def test_files_are_reset_between_runs(provider: PoolManager) -> None:
    suite = mutation_suite(setup_command="echo built > built.txt")
    submission = h.grade(provider, h.submit(suite.project, {"test_stats.py": STATEFUL_TESTS}))

    result = result_of(submission)
    assert result.setup_return_code == 0
    assert result.invalid_tests == []
    assert result.bugs_exposed == []
    assert result.points_awarded == 0


def test_a_failed_setup_runs_no_tests(provider: PoolManager) -> None:
    suite = mutation_suite(setup_command="echo broken >&2; exit 3")
    submission = h.grade(provider, h.submit(suite.project, {"test_stats.py": STUDENT_TESTS}))

    result = result_of(submission)
    assert (result.setup_return_code, bytes(result.setup_stderr)) == (3, b"broken\n")
    assert result.student_tests == []
    assert (result.points_awarded, result.points_possible) == (Decimal(0), Decimal(6))


def test_deferred_suite_runs_after_the_submission_waits(provider: PoolManager) -> None:
    suite = mutation_suite(deferred=True)
    submission = h.grade(provider, h.submit(suite.project, {"test_stats.py": STUDENT_TESTS}))

    assert submission.status == SubmissionStatus.WAITING_FOR_DEFERRED
    assert not MutationSuiteResult.objects.filter(submission=submission).exists()
    job = GradingJob.objects.get(submission=submission, kind=JobKind.DEFERRED)
    assert job.state == JobState.PENDING
    submission = h.grade(provider, submission)

    assert submission.status == SubmissionStatus.FINISHED_GRADING
    assert result_of(submission).bugs_exposed == ["bug_mean", "bug_max"]


def test_a_suite_runs_on_its_course_s_own_image_and_never_on_one_it_may_not_use(
    provider: PoolManager,
) -> None:
    """The course's image runs as its last good build (here a tag of the default image); a
    suite stored with another course's image is not run, and the student sees why."""
    suite = mutation_suite()
    mine, theirs = (
        SandboxImage.objects.create(
            course=course,
            display_name=name,
            reference=f"ag-img-mut{name.lower()}",
            dockerfile="FROM ag-sandbox-default:latest\n",
            tag="ag-sandbox-default:latest",
            status=ImageStatus.READY,
        )
        for course, name in (
            (suite.project.course, "Mine"),
            (factories.make_course(name="Other"), "Theirs"),
        )
    )
    MutationTestSuite.objects.filter(pk=suite.pk).update(sandbox_image=mine.reference)
    submission = h.grade(provider, h.submit(suite.project, {"test_stats.py": STUDENT_TESTS}))
    result = result_of(submission)
    assert (result.image, result.bugs_exposed) == (mine.tag, ["bug_mean", "bug_max"])

    MutationTestSuite.objects.filter(pk=suite.pk).update(sandbox_image=theirs.reference)
    submission = h.grade(provider, h.submit(suite.project, {"test_stats.py": STUDENT_TESTS}))
    result = result_of(submission)
    assert "not one this course may use" in result.error_message
    assert (result.points_awarded, result.student_tests) == (Decimal(0), [])


def test_plain_commands_skip_bash_and_others_keep_it() -> None:
    assert command_argv("./run bug_1 test_a") == ["./run", "bug_1", "test_a"]
    assert command_argv("/usr/bin/python3 t.py x") == ["/usr/bin/python3", "t.py", "x"]
    for shell in (
        "python3 run.py x",  # found on PATH by bash
        "./run 'a b'",
        "./run $X",
        "./run x > out",
        "./run x && ./run y",
        "./run *.c",
        "A=1 ./run",
        "./run  x",
    ):
        assert command_argv(shell) == ["bash", "-c", shell]


def test_a_rerun_of_the_mutation_suite_replaces_its_result(provider: PoolManager) -> None:
    suite = mutation_suite()
    submission = h.grade(provider, h.submit(suite.project, {"test_stats.py": STUDENT_TESTS}))
    first = result_of(submission)
    suite.points_per_exposed_bug = 3
    suite.save()
    admin = factories.add_role(suite.project.course, factories.make_user(), Role.ADMIN)
    client = APIClient()
    client.force_authenticate(admin)

    response = client.post(
        f"/api/projects/{suite.project.pk}/reruns/",
        {"selection": "all", "suite_selection": {"mutation": [suite.pk]}},
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["suite_selection"] == {"mutation": [suite.pk]}
    submission = h.grade(provider, submission)

    result = result_of(submission)
    assert result.pk != first.pk
    assert (result.points_awarded, result.points_possible) == (Decimal(6), Decimal(9))
    assert result.bugs_exposed == ["bug_mean", "bug_max"]


def test_a_rerun_may_not_name_another_projects_mutation_suite(provider: PoolManager) -> None:
    suite = mutation_suite()
    other = mutation_suite()
    admin = factories.add_role(suite.project.course, factories.make_user(), Role.ADMIN)
    client = APIClient()
    client.force_authenticate(admin)
    response = client.post(
        f"/api/projects/{suite.project.pk}/reruns/",
        {"selection": "all", "suite_selection": {"mutation": [other.pk]}},
        format="json",
    )
    assert response.status_code == 400
    assert "not mutation suites of this project" in response.data["fields"]["suite_selection"][0]


def test_mutation_suites_count_in_the_worst_case_that_picks_the_queue(settings: Any) -> None:
    settings.GRADING_FAST_QUEUE_SECONDS = 600
    suite = mutation_suite()  # 3 bugs, up to 25 tests: checks of 2 s, runs of 10 s
    project_id = suite.project_id

    assert dispatch.estimated_worst_case_s(project_id=project_id) == 10 + 25 * 2 + 3 * 25 * 10
    assert dispatch.queue_for(kind=JobKind.GRADE, project_id=project_id) == Queue.GRADER
    suite.grade_buggy_impl_command = (
        "python3 run_all.py ${buggy_impl_name}.py ${all_valid_test_names}"
    )
    suite.save()
    assert dispatch.estimated_worst_case_s(project_id=project_id) == 10 + 25 * 2 + 3 * 10
    assert dispatch.queue_for(kind=JobKind.GRADE, project_id=project_id) == Queue.FAST
    assert dispatch.estimated_worst_case_s(project_id=project_id, deferred=True) == 0
