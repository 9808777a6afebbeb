"""Reruns end to end: choosing submissions, then grading them again in real sandboxes with one
worker slot in-process."""

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from autograder.common.errors import ApplicationError, ConflictError
from autograder.courses.models import Role
from autograder.grading.config.models import AGTestCase, AGTestCommand, AGTestSuite
from autograder.grading.pipeline import grader, worker
from autograder.grading.pipeline.models import GradingJob, JobKind, JobState, RerunTask
from autograder.grading.pipeline.result_storage import suite_results_store
from autograder.grading.reruns import services as reruns
from autograder.grading.results.models import (
    AGTestCaseResult,
    AGTestCommandResult,
    AGTestSuiteResult,
)
from autograder.grading.results.output_storage import output_read
from autograder.groups.models import Group
from autograder.projects.models import Project
from autograder.sandbox.pool import PoolManager
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories
from tests.grading import pipeline_helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def run_reruns(provider: PoolManager) -> int:
    """Grades every waiting rerun job; returns how many ran."""
    ran = 0
    while worker.work_one("rerun", provider=provider) is not None:
        ran += 1
    return ran


def stdout_of(submission: Submission) -> dict[str, bytes]:
    return {
        r.command_name: output_read(r, "stdout")
        for r in AGTestCommandResult.objects.filter(
            case_result__suite_result__submission=submission
        )
    }


def rerun(project: Project, **options: Any) -> RerunTask:
    options.setdefault("selection", "all")
    return reruns.rerun_create(project=project, creator=None, **options).task


def progress(task: RerunTask) -> reruns.RerunProgress:
    return reruns.rerun_status(task=task).progress


def set_cmd(command: AGTestCommand, cmd: str) -> None:
    command.cmd = cmd
    command.save()


# --- Grading again, in real sandboxes ----------------------------------------------------------


@pytest.mark.slow
def test_rerun_all_replaces_results_without_duplicating(provider: PoolManager) -> None:
    project = h.project_with_catch_all()
    command = h.command(h.suite(project), "echo v1", name="out")
    first = h.grade(provider, h.submit(project))
    second = h.grade(provider, h.submit(project))
    Submission.objects.filter(pk=second.pk).update(status=SubmissionStatus.ERROR, error_msg="x")
    set_cmd(command, "echo v2")

    task = rerun(project)

    assert task.total == 2
    assert set(GradingJob.objects.filter(rerun_task=task).values_list("queue", flat=True)) == {
        "rerun"
    }
    assert run_reruns(provider) == 2
    for submission in (first, second):
        assert stdout_of(submission) == {"out": b"v2\n"}
        assert AGTestSuiteResult.objects.filter(submission=submission).count() == 1
    second.refresh_from_db()
    assert second.status == SubmissionStatus.FINISHED_GRADING, "a full rerun clears an error"
    assert progress(task) == reruns.RerunProgress(
        total=2, completed=2, failed=0, cancelled=0, percent=100.0, finished=True
    )
    task.refresh_from_db()
    assert task.finished_at is not None


@pytest.mark.slow
def test_rerun_records_the_image_digest(provider: PoolManager) -> None:
    project = h.project_with_catch_all()
    h.command(h.suite(project), "true")
    submission = h.grade(provider, h.submit(project))
    AGTestSuiteResult.objects.filter(submission=submission).update(image_digest="")

    rerun(project)
    run_reruns(provider)

    assert AGTestSuiteResult.objects.get(submission=submission).image_digest.startswith("sha256:")


@pytest.mark.slow
def test_rerun_of_one_case_or_one_suite_keeps_other_results(provider: PoolManager) -> None:
    project = h.project_with_catch_all()
    first_suite = h.suite(project)
    a1 = h.command(first_suite, "echo a1-old", name="a1", case="A1")
    a2 = h.command(first_suite, "echo a2-old", name="a2", case="A2")
    b = h.command(h.suite(project), "echo b-old", name="b")
    submission = h.grade(provider, h.submit(project))
    second_suite_result = AGTestSuiteResult.objects.get(submission=submission, suite=b.case.suite)
    for command in (a1, a2, b):
        set_cmd(command, command.cmd.replace("old", "new"))

    rerun(project, suite_selection={str(first_suite.pk): [a1.case_id]})
    run_reruns(provider)

    assert stdout_of(submission) == {"a1": b"a1-new\n", "a2": b"a2-old\n", "b": b"b-old\n"}
    assert AGTestSuiteResult.objects.get(pk=second_suite_result.pk).finished_at == (
        second_suite_result.finished_at
    ), "the other suite's results were not touched"

    rerun(project, suite_selection={str(b.case.suite_id): None})
    run_reruns(provider)

    assert stdout_of(submission) == {"a1": b"a1-new\n", "a2": b"a2-old\n", "b": b"b-new\n"}
    assert AGTestSuiteResult.objects.filter(submission=submission).count() == 2


@pytest.mark.slow
def test_old_results_stay_readable_until_the_new_ones_are_stored(
    provider: PoolManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = h.project_with_catch_all()
    command = h.command(h.suite(project), "echo old", name="out")
    submission = h.grade(provider, h.submit(project))
    set_cmd(command, "echo new")
    seen_while_grading: list[dict[str, bytes]] = []

    def spy(**kwargs: Any) -> AGTestSuiteResult:
        seen_while_grading.append(stdout_of(submission))
        return suite_results_store(**kwargs)

    monkeypatch.setattr(grader, "suite_results_store", spy)
    rerun(project)
    run_reruns(provider)

    assert seen_while_grading == [{"out": b"old\n"}]
    assert stdout_of(submission) == {"out": b"new\n"}


@pytest.mark.slow
def test_students_new_submissions_are_not_queued_behind_reruns(
    provider: PoolManager, settings: Any
) -> None:
    project = h.project_with_catch_all()
    h.command(h.suite(project), "echo hi", name="out")
    graded = h.grade(provider, h.submit(project))
    task = rerun(project)

    fresh = h.submit(project)

    job = GradingJob.objects.get(submission=fresh)
    assert (job.kind, job.queue) == (JobKind.GRADE, "fast")
    assert h.grade(provider, fresh).status == SubmissionStatus.FINISHED_GRADING
    assert GradingJob.objects.get(rerun_task=task).state == JobState.PENDING
    settings.GRADING_FAST_QUEUE_SECONDS = 1
    slow = h.submit(project)
    assert GradingJob.objects.get(submission=slow).queue == "grader"
    assert GradingJob.objects.get(rerun_task=task, submission=graded).queue == "rerun"


@pytest.mark.slow
def test_cancel_stops_jobs_that_have_not_started(provider: PoolManager) -> None:
    project = h.project_with_catch_all()
    command = h.command(h.suite(project), "echo before", name="out")
    submissions = [h.grade(provider, h.submit(project)) for _ in range(2)]
    set_cmd(command, "echo after")
    task = rerun(project)

    reruns.rerun_cancel(task=task)

    assert worker.work_one("rerun", provider=provider) is None
    for submission in submissions:
        assert stdout_of(submission) == {"out": b"before\n"}
    assert set(GradingJob.objects.filter(rerun_task=task).values_list("state", flat=True)) == {
        JobState.CANCELLED
    }
    assert progress(task) == reruns.RerunProgress(
        total=2, completed=0, failed=0, cancelled=2, percent=100.0, finished=True
    )


@pytest.mark.slow
def test_a_running_job_stops_before_its_next_suite_when_cancelled(
    provider: PoolManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = h.project_with_catch_all()
    first = h.command(h.suite(project), "echo one-old", name="one")
    second = h.command(h.suite(project), "echo two-old", name="two")
    submission = h.grade(provider, h.submit(project))
    set_cmd(first, "echo one-new")
    set_cmd(second, "echo two-new")
    task = rerun(project)

    def store_then_cancel(**kwargs: Any) -> AGTestSuiteResult:
        stored = suite_results_store(**kwargs)
        reruns.rerun_cancel(task=task)
        return stored

    monkeypatch.setattr(grader, "suite_results_store", store_then_cancel)
    run_reruns(provider)

    assert stdout_of(submission) == {"one": b"one-new\n", "two": b"two-old\n"}
    assert GradingJob.objects.get(rerun_task=task).state == JobState.CANCELLED
    assert progress(task) == reruns.RerunProgress(
        total=1, completed=0, failed=0, cancelled=1, percent=100.0, finished=True
    )


# --- Choosing submissions (no sandboxes) -------------------------------------------------------


def submission(group: Group, status: str, minutes_ago: int) -> Submission:
    member = group.members.first()
    assert member is not None
    return Submission.objects.create(
        group=group,
        project=group.project,
        submitter=member,
        status=status,
        timestamp=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


def new_group(project: Project) -> Group:
    student = factories.add_role(project.course, factories.make_user(), Role.STUDENT)
    return factories.make_group(project, student)


def chosen(project: Project, selection: str) -> set[int]:
    task = rerun(project, selection=selection)
    return set(GradingJob.objects.filter(rerun_task=task).values_list("submission_id", flat=True))


def test_all_takes_graded_waiting_and_failed_submissions_only() -> None:
    project = factories.make_project()
    group = new_group(project)
    wanted = {
        submission(group, status, minutes_ago=10 + i).pk
        for i, status in enumerate(reruns.RERUNNABLE_STATUSES)
    }
    for i, status in enumerate(
        [SubmissionStatus.REJECTED, SubmissionStatus.REMOVED_FROM_QUEUE, SubmissionStatus.QUEUED]
    ):
        submission(group, status, minutes_ago=i)
    submission(new_group(factories.make_project()), SubmissionStatus.FINISHED_GRADING, 1)

    assert chosen(project, "all") == wanted


def test_latest_takes_each_groups_most_recent_graded_submission() -> None:
    project = factories.make_project()
    first, second = new_group(project), new_group(project)
    submission(first, SubmissionStatus.FINISHED_GRADING, minutes_ago=30)
    latest_first = submission(first, SubmissionStatus.ERROR, minutes_ago=20)
    submission(first, SubmissionStatus.REJECTED, minutes_ago=10)
    submission(first, SubmissionStatus.QUEUED, minutes_ago=1)
    latest_second = submission(second, SubmissionStatus.WAITING_FOR_DEFERRED, minutes_ago=5)
    submission(second, SubmissionStatus.FINISHED_GRADING, minutes_ago=50)
    new_group(project)

    assert chosen(project, "latest") == {latest_first.pk, latest_second.pk}


def scored(submission: Submission, *case_points: list[int]) -> None:
    """Stores results for `submission`: one test case per list of command points."""
    suite, _ = AGTestSuite.objects.get_or_create(project=submission.project, name="Scores")
    suite_result = AGTestSuiteResult.objects.create(
        submission=submission, suite=suite, suite_name=suite.name
    )
    for index, points in enumerate(case_points):
        case, _ = AGTestCase.objects.get_or_create(suite=suite, name=f"Case {index}")
        case_result = AGTestCaseResult.objects.create(
            suite_result=suite_result, case=case, case_name=case.name
        )
        for number, awarded in enumerate(points):
            command, _ = AGTestCommand.objects.get_or_create(
                case=case, name=f"Command {number}", defaults={"cmd": "true"}
            )
            AGTestCommandResult.objects.create(
                case_result=case_result,
                command=command,
                command_name=command.name,
                points_awarded=awarded,
            )


def test_best_takes_each_groups_highest_total_and_the_newest_of_equals() -> None:
    project = factories.make_project()
    first, second = new_group(project), new_group(project)
    best_first = submission(first, SubmissionStatus.FINISHED_GRADING, minutes_ago=30)
    scored(best_first, [3], [2])
    newer_but_worse = submission(first, SubmissionStatus.FINISHED_GRADING, minutes_ago=10)
    scored(newer_but_worse, [4, 0], [5, -9])  # 4 + max(0, -4): negative cases count as zero
    older_tie = submission(second, SubmissionStatus.FINISHED_GRADING, minutes_ago=40)
    scored(older_tie, [1])
    newer_tie = submission(second, SubmissionStatus.FINISHED_GRADING, minutes_ago=20)
    scored(newer_tie, [1])
    submission(second, SubmissionStatus.ERROR, minutes_ago=1)

    assert reruns.submission_totals(submission_ids=[best_first.pk, newer_but_worse.pk]) == {
        best_first.pk: 5,
        newer_but_worse.pk: 4,
    }
    assert chosen(project, "best") == {best_first.pk, newer_tie.pk}


def test_listed_submissions_must_belong_to_the_project_and_be_graded() -> None:
    project = factories.make_project()
    group = new_group(project)
    mine = submission(group, SubmissionStatus.FINISHED_GRADING, minutes_ago=5)
    rejected = submission(group, SubmissionStatus.REJECTED, minutes_ago=4)
    queued = submission(group, SubmissionStatus.QUEUED, minutes_ago=1)
    theirs = submission(new_group(factories.make_project()), SubmissionStatus.FINISHED_GRADING, 1)

    with pytest.raises(ApplicationError) as error:
        rerun(project, selection="list", submission_ids=[mine.pk, theirs.pk, 999_999])
    assert error.value.fields["submission_ids"] == [
        f"Not submissions of this project: {theirs.pk}, 999999."
    ]
    with pytest.raises(ApplicationError) as error:
        rerun(project, selection="list", submission_ids=[mine.pk, queued.pk])
    assert str(queued.pk) in error.value.fields["submission_ids"][0]
    assert not RerunTask.objects.exists() and not GradingJob.objects.filter(kind="rerun").exists()

    assert chosen_list(project, [mine.pk, rejected.pk, mine.pk]) == {mine.pk, rejected.pk}


def chosen_list(project: Project, ids: list[int]) -> set[int]:
    task = rerun(project, selection="list", submission_ids=ids)
    assert task.total == len(set(ids))
    return set(GradingJob.objects.filter(rerun_task=task).values_list("submission_id", flat=True))


def test_submissions_with_a_rerun_in_progress_are_skipped() -> None:
    project = factories.make_project()
    group = new_group(project)
    busy = submission(group, SubmissionStatus.FINISHED_GRADING, minutes_ago=5)
    free = submission(group, SubmissionStatus.FINISHED_GRADING, minutes_ago=1)
    rerun(project, selection="list", submission_ids=[busy.pk])

    created = reruns.rerun_create(project=project, creator=None, selection="all")

    assert (created.task.total, created.skipped) == (1, 1)
    assert GradingJob.objects.get(rerun_task=created.task).submission_id == free.pk
    again = reruns.rerun_create(project=project, creator=None, selection="all")
    assert (again.task.total, again.skipped) == (0, 2)
    assert progress(again.task).finished and again.task.finished_at is not None


def test_wakes_one_rerun_worker_per_job_once_committed(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    project = factories.make_project()
    group = new_group(project)
    for minutes in (1, 2, 3):
        submission(group, SubmissionStatus.FINISHED_GRADING, minutes_ago=minutes)

    with mock.patch("autograder.celery.app.send_task") as send_task:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            rerun(project)
        assert send_task.call_count == 0
        for callback in callbacks:
            callback()

    queue = f"{settings.QUEUE_PREFIX}rerun"
    assert [call.kwargs["queue"] for call in send_task.call_args_list] == [queue] * 3


def suites_and_cases() -> tuple[Project, AGTestSuite, AGTestCase, AGTestCase]:
    project = factories.make_project()
    suite = AGTestSuite.objects.create(project=project, name="Public")
    case = AGTestCase.objects.create(suite=suite, name="Case")
    other_project_suite = AGTestSuite.objects.create(project=factories.make_project(), name="X")
    foreign_case = AGTestCase.objects.create(suite=other_project_suite, name="Theirs")
    submission(new_group(project), SubmissionStatus.FINISHED_GRADING, minutes_ago=1)
    return project, suite, case, foreign_case


@pytest.mark.parametrize(
    ("selection", "reason"),
    [
        (lambda s, c, f: {str(f.suite_id): None}, "Not suites of this project"),
        (lambda s, c, f: {"abc": None}, "Not suites of this project: abc"),
        (lambda s, c, f: {str(s.pk): [c.pk, f.pk]}, "not test cases of this suite"),
        (lambda s, c, f: {str(s.pk): []}, "at least one test case"),
        (lambda s, c, f: {}, "at least one suite"),
        (lambda s, c, f: {str(s.pk): ["x"]}, "list of test case ids"),
    ],
)
def test_suite_selection_must_name_this_projects_suites_and_cases(
    selection: Callable[[AGTestSuite, AGTestCase, AGTestCase], dict[str, Any]], reason: str
) -> None:
    project, suite, case, foreign_case = suites_and_cases()

    with pytest.raises(ApplicationError) as error:
        rerun(project, suite_selection=selection(suite, case, foreign_case))

    assert reason in error.value.fields["suite_selection"][0]
    assert not RerunTask.objects.exists() and not GradingJob.objects.filter(kind="rerun").exists()


def test_suite_selection_is_stored_normalised_on_the_task_and_its_jobs() -> None:
    project, suite, case, _ = suites_and_cases()
    other = AGTestSuite.objects.create(project=project, name="Private")

    task = rerun(project, suite_selection={str(suite.pk): [case.pk, case.pk], other.pk: None})

    expected = {str(suite.pk): [case.pk], str(other.pk): None}
    assert task.suite_selection == expected
    assert GradingJob.objects.get(rerun_task=task).suite_selection == expected


def test_unknown_selection_is_refused() -> None:
    with pytest.raises(ApplicationError) as error:
        rerun(factories.make_project(), selection="everything")
    assert "selection" in error.value.fields


def test_cancelling_is_idempotent_and_refused_once_finished() -> None:
    project = factories.make_project()
    submission(new_group(project), SubmissionStatus.FINISHED_GRADING, minutes_ago=1)
    task = rerun(project)

    reruns.rerun_cancel(task=task)
    again = reruns.rerun_cancel(task=task)

    assert again.is_cancelled and again.finished_at is not None
    done = RerunTask.objects.create(project=project, total=0, finished_at=timezone.now())
    with pytest.raises(ConflictError):
        reruns.rerun_cancel(task=done)
