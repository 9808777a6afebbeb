"""Grading a queued submission end to end in real sandboxes, one worker slot in-process."""

from pathlib import Path
from typing import Any

import pytest

from autograder.grading.pipeline import worker
from autograder.grading.pipeline.models import GradingJob, JobKind, JobState
from autograder.grading.results.models import AGTestCommandResult, AGTestSuiteResult
from autograder.grading.results.output_storage import output_read
from autograder.sandbox.pool import PoolManager
from autograder.submissions.models import Submission, SubmissionStatus
from tests.grading import pipeline_helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def results_of(submission: Submission) -> dict[str, AGTestCommandResult]:
    return {
        r.command_name: r
        for r in AGTestCommandResult.objects.filter(
            case_result__suite_result__submission=submission
        )
    }


def test_grades_files_stdin_expected_output_and_points(provider: PoolManager) -> None:
    project = h.project_with_catch_all()
    driver = h.instructor_file(project, "expected.txt", b"HELLO   world\n")
    suite = h.suite(project, setup_command="echo prepared; python3 -c 'import sys; sys.exit(0)'")
    suite.instructor_files_needed.add(driver)
    h.command(
        suite,
        "python3 main.py",
        name="run",
        expected_return_code="zero",
        expected_stdout_source="instructor_file",
        expected_stdout_instructor_file=driver,
        ignore_case=True,
        ignore_whitespace_changes=True,
        points_for_correct_return_code=1,
        points_for_correct_stdout=2,
    )
    h.command(
        suite,
        "cat; exit 3",
        name="stdin",
        stdin_source="text",
        stdin_text="from stdin",
        expected_return_code="zero",
        expected_stdout_source="text",
        expected_stdout_text="wrong",
        points_for_correct_return_code=5,
        deduction_for_wrong_stdout=1,
    )
    h.command(suite, "cat expected.txt > /dev/null; echo x > expected.txt", name="readonly")
    submission = h.submit(project, {"main.py": b"print('hello world')\n"})

    submission = h.grade(provider, submission)

    assert submission.status == SubmissionStatus.FINISHED_GRADING
    results = results_of(submission)
    run = results["run"]
    assert (run.return_code, run.return_code_correct, run.stdout_correct) == (0, True, True)
    assert run.points_awarded == 3 and run.points_possible == 3
    assert output_read(run, "stdout") == b"hello world\n"
    stdin = results["stdin"]
    assert (stdin.return_code, stdin.return_code_correct, stdin.stdout_correct) == (3, False, False)
    assert output_read(stdin, "stdout") == b"from stdin"
    assert stdin.points_awarded == -1
    assert results["readonly"].return_code != 0, "instructor files are read-only for students"
    suite_result = AGTestSuiteResult.objects.get(submission=submission)
    assert suite_result.setup_return_code == 0
    assert output_read(suite_result, "setup_stdout") == b"prepared\n"
    assert suite_result.image_digest.startswith("sha256:")
    assert GradingJob.objects.get(submission=submission).state == JobState.DONE


def test_timeouts_binary_and_huge_output_are_stored(provider: PoolManager) -> None:
    project = h.project_with_catch_all()
    suite = h.suite(project)
    h.command(
        suite, "sleep 30; echo woke", name="sleepy", time_limit_s=1, expected_return_code="zero"
    )
    h.command(suite, "printf '\\x00\\xff\\xfe bin'", name="binary")
    h.command(
        suite,
        "python3 -c \"import sys; sys.stdout.write('y' * 300000)\"",
        name="huge",
        output_cap_bytes=200_000,
    )
    submission = h.grade(provider, h.submit(project))

    results = results_of(submission)
    sleepy = results["sleepy"]
    assert sleepy.timed_out and sleepy.return_code_correct is False
    assert output_read(sleepy, "stdout") == b"", "stopped at its limit, not run to the end"
    assert output_read(results["binary"], "stdout") == b"\x00\xff\xfe bin"
    huge = results["huge"]
    assert huge.stdout_truncated and huge.stdout_size == 200_000
    assert huge.stdout_path, "large output lives in a file, not in the row"
    assert output_read(huge, "stdout") == b"y" * 200_000


def test_setup_failure_rejects_when_configured(provider: PoolManager) -> None:
    project = h.project_with_catch_all()
    first = h.suite(project, setup_command="exit 2", reject_submission_if_setup_fails=True)
    h.command(first, "true", name="never")
    second = h.suite(project)
    h.command(second, "true", name="skipped")

    submission = h.grade(provider, h.submit(project))

    assert submission.status == SubmissionStatus.REJECTED
    assert "setup" in submission.error_msg
    assert set(results_of(submission)) == set()


def test_deferred_suites_run_after_and_free_the_group(provider: PoolManager) -> None:
    project = h.project_with_catch_all()
    h.command(h.suite(project), "echo fast", name="fast")
    h.command(h.suite(project, deferred=True), "echo slow", name="slow")

    submission = h.grade(provider, h.submit(project))

    assert submission.status == SubmissionStatus.WAITING_FOR_DEFERRED
    assert set(results_of(submission)) == {"fast"}
    deferred = GradingJob.objects.get(submission=submission, kind=JobKind.DEFERRED)
    assert deferred.queue == "deferred" and deferred.state == JobState.PENDING

    submission = h.grade(provider, submission)
    assert submission.status == SubmissionStatus.FINISHED_GRADING
    assert set(results_of(submission)) == {"fast", "slow"}


def test_deleted_instructor_file_fails_only_its_suite(provider: PoolManager) -> None:
    project = h.project_with_catch_all()
    data = h.instructor_file(project, "data.txt", b"42\n")
    broken = h.suite(project, name="needs data")
    broken.instructor_files_needed.add(data)
    h.command(broken, "cat data.txt", name="uses data", points_for_correct_return_code=4)
    h.command(h.suite(project, name="fine"), "echo ok", name="ok")
    submission = h.submit(project)
    Path(data.file_obj.path).unlink()

    submission = h.grade(provider, submission)

    assert submission.status == SubmissionStatus.FINISHED_GRADING
    by_name = {r.suite_name: r for r in AGTestSuiteResult.objects.filter(submission=submission)}
    assert "data.txt" in by_name["needs data"].error_message
    results = results_of(submission)
    assert set(results) == {"ok", "uses data"}
    not_run = results["uses data"]
    assert (not_run.points_awarded, not_run.points_possible) == (0, 4)
    assert not_run.error_message.startswith("Not run")


def test_grading_twice_replaces_results_instead_of_duplicating(provider: PoolManager) -> None:
    project = h.project_with_catch_all()
    h.command(h.suite(project), "echo once", name="once")
    submission = h.grade(provider, h.submit(project))
    GradingJob.objects.create(
        submission=submission, project=project, kind=JobKind.RERUN, queue="rerun"
    )

    assert worker.work_one("rerun", provider=provider) is not None

    assert AGTestSuiteResult.objects.filter(submission=submission).count() == 1
    assert (
        AGTestCommandResult.objects.filter(case_result__suite_result__submission=submission).count()
        == 1
    )


def test_removed_submission_is_not_graded(provider: PoolManager) -> None:
    from autograder.submissions.services import submission_remove_from_queue

    project = h.project_with_catch_all()
    h.command(h.suite(project), "echo hi")
    submission = h.submit(project)
    submission_remove_from_queue(submission=submission)

    assert worker.work_one("fast", provider=provider) is None
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.REMOVED_FROM_QUEUE
    assert not AGTestSuiteResult.objects.filter(submission=submission).exists()
