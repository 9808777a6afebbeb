"""A job's completion and its submission's final status commit together: a worker that dies
at any point of finishing a job leaves either both unfinished (the reaper gives the job to
another worker, which grades it) or both final (nothing for the reaper), never a finished
submission whose job the reaper would grade again. A job the reaper hands back after its
submission already got the final status this kind of job gives (as a worker of an earlier
release could leave one) is finished without grading it again.

Real parts: a worker slot in this process (`worker.work_one`) with a real sandbox pool, the
reaper's own function, PostgreSQL with real commits. A worker's death is a BaseException
raised at the chosen point: it escapes the worker's error handling, as SIGKILL would, and
the job's lease is no longer renewed.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from autograder.grading.pipeline import grader, jobs, reaper, worker
from autograder.grading.pipeline.models import GradingJob, JobKind, JobState
from autograder.grading.pipeline.signals import job_done
from autograder.grading.pipeline.suite_runner import suite_run
from autograder.grading.results.models import AGTestCommandResult, AGTestSuiteResult
from autograder.projects.models import Project
from autograder.sandbox.pool import PoolManager
from autograder.submissions.models import Submission, SubmissionStatus
from autograder.submissions.signals import submission_status_changed
from autograder.submissions.status import submission_status_set
from tests.grading import pipeline_helpers as h

pytestmark = pytest.mark.django_db(transaction=True)


class WorkerDied(BaseException):
    """The worker process ends here (SIGKILL, a lost node): no handler of ours runs."""


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Sent:
    """What the pipeline told the apps above it (webhooks, LTI, emails listen to these), with
    the job's state as committed when each was sent."""

    finished: list[tuple[int, str]] = field(default_factory=list)
    jobs_done: list[tuple[int, str]] = field(default_factory=list)
    inside_transaction: list[str] = field(default_factory=list)

    def status_changed(self, sender: object, submission_id: int, status: str, **_: Any) -> None:
        if status == SubmissionStatus.FINISHED_GRADING:
            self.finished.append((submission_id, self._job_states(submission_id)))
        if connection.in_atomic_block:
            self.inside_transaction.append(f"status {status}")

    def job_done(self, sender: object, submission_id: int, kind: str, **_: Any) -> None:
        self.jobs_done.append((submission_id, kind))
        if connection.in_atomic_block:
            self.inside_transaction.append(f"job_done {kind}")

    @staticmethod
    def _job_states(submission_id: int) -> str:
        return ",".join(
            GradingJob.objects.filter(submission_id=submission_id)
            .order_by("pk")
            .values_list("state", flat=True)
        )


@pytest.fixture
def sent() -> Iterator[Sent]:
    record = Sent()
    submission_status_changed.connect(record.status_changed, dispatch_uid="test-sent-status")
    job_done.connect(record.job_done, dispatch_uid="test-sent-job-done")
    yield record
    submission_status_changed.disconnect(dispatch_uid="test-sent-status")
    job_done.disconnect(dispatch_uid="test-sent-job-done")


@pytest.fixture
def suite_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The submissions whose suites a worker ran in a sandbox, one entry per suite run."""
    runs: list[int] = []

    def counted(*, submission: Submission, **kwargs: Any) -> Any:
        runs.append(submission.pk)
        return suite_run(submission=submission, **kwargs)

    monkeypatch.setattr(grader, "suite_run", counted)
    return runs


def one_suite_project(*, deferred_too: bool = False) -> Project:
    project = h.project_with_catch_all()
    h.command(
        h.suite(project),
        "echo hello",
        name="hello",
        expected_return_code="zero",
        points_for_correct_return_code=2,
    )
    if deferred_too:
        h.command(
            h.suite(project, deferred=True),
            "echo later",
            name="later",
            expected_return_code="zero",
            points_for_correct_return_code=1,
        )
    return project


def lease_runs_out() -> reaper.ReapReport:
    """The reaper's pass once the dead worker's lease has expired."""
    later = timezone.now() + datetime.timedelta(seconds=settings.GRADING_LEASE_SECONDS + 1)
    return reaper.jobs_reap(now=later)


def the_job(submission: Submission, kind: JobKind = JobKind.GRADE) -> GradingJob:
    return GradingJob.objects.get(submission=submission, kind=kind)


def status_of(submission: Submission) -> str:
    submission.refresh_from_db()
    return str(submission.status)


def points_of(submission: Submission) -> list[tuple[str, float]]:
    return sorted(
        (r.command_name, float(r.points_awarded))
        for r in AGTestCommandResult.objects.filter(
            case_result__suite_result__submission=submission
        )
    )


def test_a_worker_dying_as_it_writes_the_final_status_leaves_both_unfinished(
    provider: PoolManager,
    monkeypatch: pytest.MonkeyPatch,
    sent: Sent,
    suite_runs: list[int],
) -> None:
    submission = h.submit(one_suite_project())
    real_status_set = submission_status_set

    def dies_after_writing(**kwargs: Any) -> bool:
        changed = real_status_set(**kwargs)
        if kwargs["status"] == SubmissionStatus.FINISHED_GRADING:
            raise WorkerDied
        return changed

    monkeypatch.setattr(grader, "submission_status_set", dies_after_writing)
    with pytest.raises(WorkerDied):
        worker.work_one("fast", provider=provider)

    # Neither a finished submission with a running job, nor anything sent.
    assert (status_of(submission), the_job(submission).state) == ("being_graded", "running")
    assert sent.finished == [] and sent.jobs_done == []

    # Its lease runs out: the reaper hands the job to the next worker, which grades it.
    monkeypatch.setattr(grader, "submission_status_set", real_status_set)
    assert lease_runs_out().requeued == [the_job(submission).pk]
    assert status_of(submission) == "queued"
    assert worker.work_one("fast", provider=provider) is not None

    assert (status_of(submission), the_job(submission).state) == ("finished_grading", "done")
    assert points_of(submission) == [("hello", 2.0)]
    assert AGTestSuiteResult.objects.filter(submission=submission).count() == 1
    assert suite_runs == [submission.pk, submission.pk]
    # Sent once, after the commit that finished both.
    assert sent.finished == [(submission.pk, "done")]
    assert sent.jobs_done == [(submission.pk, "grade")]
    assert sent.inside_transaction == []

    # Nothing is left for the reaper, and nothing to grade.
    report = lease_runs_out()
    assert (report.requeued, report.failed) == ([], [])
    assert worker.work_one("fast", provider=provider) is None
    assert len(suite_runs) == 2


def dies_once_committed(final: SubmissionStatus) -> Any:
    """`submission_status_set` for a worker that dies the moment its write of `final` is
    committed: what else was to be sent after that commit, or done after it, never is."""

    def status_set(**kwargs: Any) -> bool:
        changed = submission_status_set(**kwargs)
        if kwargs["status"] == final:
            transaction.on_commit(die)
        return changed

    def die() -> None:
        raise WorkerDied

    return status_set


def test_a_worker_dying_once_the_final_status_committed_leaves_nothing_to_grade_again(
    provider: PoolManager,
    monkeypatch: pytest.MonkeyPatch,
    sent: Sent,
    suite_runs: list[int],
) -> None:
    submission = h.submit(one_suite_project())

    monkeypatch.setattr(
        grader, "submission_status_set", dies_once_committed(SubmissionStatus.FINISHED_GRADING)
    )
    with pytest.raises(WorkerDied):
        worker.work_one("fast", provider=provider)

    # The job's completion committed with the status.
    assert (status_of(submission), the_job(submission).state) == ("finished_grading", "done")
    assert sent.finished == [(submission.pk, "done")]
    report = lease_runs_out()
    assert (report.requeued, report.failed) == ([], [])
    assert worker.work_one("fast", provider=provider) is None
    assert suite_runs == [submission.pk]
    assert points_of(submission) == [("hello", 2.0)]


def test_a_worker_dying_once_a_rejection_committed_leaves_nothing_to_grade_again(
    provider: PoolManager, monkeypatch: pytest.MonkeyPatch, suite_runs: list[int]
) -> None:
    project = h.project_with_catch_all()
    h.command(
        h.suite(project, setup_command="exit 1", reject_submission_if_setup_fails=True),
        "echo never",
    )
    submission = h.submit(project)

    monkeypatch.setattr(
        grader, "submission_status_set", dies_once_committed(SubmissionStatus.REJECTED)
    )
    with pytest.raises(WorkerDied):
        worker.work_one("fast", provider=provider)

    assert (status_of(submission), the_job(submission).state) == ("rejected", "done")
    report = lease_runs_out()
    assert (report.requeued, report.failed) == ([], [])
    assert worker.work_one("fast", provider=provider) is None
    assert suite_runs == [submission.pk]


@pytest.mark.parametrize("kind", [JobKind.GRADE, JobKind.DEFERRED])
def test_a_job_handed_back_after_its_submission_got_its_final_status_is_not_graded_again(
    provider: PoolManager, sent: Sent, suite_runs: list[int], kind: JobKind
) -> None:
    """As a worker that wrote the final status and the job's completion in two transactions
    (an earlier release) left it when it died between the two."""
    submission = h.submit(one_suite_project(deferred_too=True))
    if kind == JobKind.DEFERRED:
        assert worker.work_one("fast", provider=provider) is not None
        assert status_of(submission) == "waiting_for_deferred"
    queue = the_job(submission, kind).queue
    job = jobs.job_claim_next(queue=queue, owner="old-worker:1:gone")
    assert job is not None and job.kind == kind
    outcome = grader.job_run(job=job, provider=provider, lease_lost=lambda: False)
    assert outcome.state == JobState.DONE and outcome.final_write is not None
    outcome.final_write()  # committed on its own; the job's completion never is
    final = "waiting_for_deferred" if kind == JobKind.GRADE else "finished_grading"
    assert status_of(submission) == final
    graded = list(suite_runs)
    results = points_of(submission)
    sent.jobs_done.clear()

    assert lease_runs_out().requeued == [job.pk]
    assert status_of(submission) == final
    assert worker.work_one(queue, provider=provider) is not None

    assert the_job(submission, kind).state == JobState.DONE
    assert status_of(submission) == final
    assert suite_runs == graded, "the suites ran again"
    assert points_of(submission) == results
    assert sent.jobs_done == [(submission.pk, kind.value)]
