"""Grading one claimed job: status changes, suites in order, what happens after."""

import dataclasses
import functools
import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import (
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)
from django.db.models import F
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from autograder.grading.config.models import AGTestSuite
from autograder.grading.mutation.models import RERUN_SELECTION_KEY, MutationTestSuite
from autograder.grading.mutation.runner import (
    MutationConfigError,
    MutationLeaseLostError,
    mutation_suite_run,
)
from autograder.grading.mutation.storage import mutation_error_store, mutation_result_store
from autograder.grading.pipeline import image_choice, jobs
from autograder.grading.pipeline.command_env import submission_env
from autograder.grading.pipeline.image_choice import ImageToRun, OriginalImageError
from autograder.grading.pipeline.models import (
    GradingJob,
    ImageChoice,
    JobKind,
    JobState,
    RerunTask,
)
from autograder.grading.pipeline.result_storage import suite_error_store, suite_results_store
from autograder.grading.pipeline.suite_runner import (
    LeaseLostError,
    SuiteConfigError,
    suite_image,
    suite_run,
)
from autograder.images.selectors import ResolvedImage
from autograder.sandbox import SandboxProvider
from autograder.submissions.models import Submission, SubmissionStatus
from autograder.submissions.status import submission_status_set

logger = logging.getLogger(__name__)
T = TypeVar("T")

DB_RETRIES = 5


def with_db_retry(action: Callable[[], T]) -> T:
    """Runs a database step again after a dropped connection (the step is one transaction,
    so a retry never doubles anything)."""
    for attempt in range(DB_RETRIES):
        try:
            return action()
        except (OperationalError, InterfaceError):
            if attempt == DB_RETRIES - 1 or connection.in_atomic_block:
                raise
            logger.warning("Database connection lost; retrying", exc_info=True)
            connection.close()
            time.sleep(min(0.5 * 2**attempt, 5))
            close_old_connections()
    raise AssertionError("unreachable")


def _hold(job: GradingJob) -> None:
    """Locks the job's row for the rest of the transaction; raises LeaseLostError when the
    job is no longer this worker's. A worker that stalled past its lease (a long pause, a
    partitioned node) finds out here, before it writes over what the job's new owner wrote."""
    if not (
        GradingJob.objects.select_for_update()
        .filter(pk=job.pk, lease_owner=job.lease_owner, state=JobState.RUNNING)
        .exists()
    ):
        raise LeaseLostError


def _while_held(job: GradingJob, write: Callable[[], object]) -> None:
    """Runs `write` in one transaction with the job's lease held (see `_hold`)."""

    def held() -> None:
        with transaction.atomic():
            _hold(job)
            write()

    with_db_retry(held)


def _suites_for(job: GradingJob) -> list[tuple[AGTestSuite, set[int] | None]]:
    suites = AGTestSuite.objects.filter(project_id=job.project_id).prefetch_related(
        "instructor_files_needed", "student_files_needed", "cases__commands"
    )
    if job.kind == JobKind.GRADE:
        return [(s, None) for s in suites.filter(deferred=False)]
    if job.kind == JobKind.DEFERRED:
        return [(s, None) for s in suites.filter(deferred=True)]
    selection = job.suite_selection
    if selection is None:
        return [(s, None) for s in suites]
    chosen = []
    suite_ids = [int(k) for k in selection if k.isdigit()]  # and RERUN_SELECTION_KEY
    for suite in suites.filter(pk__in=suite_ids):
        cases = selection[str(suite.pk)]
        chosen.append((suite, None if cases is None else {int(c) for c in cases}))
    return chosen


def _mutation_suites_for(job: GradingJob) -> list[MutationTestSuite]:
    suites = MutationTestSuite.objects.filter(project_id=job.project_id).prefetch_related(
        "instructor_files_needed", "student_files_needed"
    )
    if job.kind == JobKind.GRADE:
        return list(suites.filter(deferred=False))
    if job.kind == JobKind.DEFERRED:
        return list(suites.filter(deferred=True))
    if job.suite_selection is None:
        return list(suites)
    return list(suites.filter(pk__in=job.suite_selection.get(RERUN_SELECTION_KEY) or []))


def _mutation_suites_run(
    job: GradingJob,
    submission: Submission,
    provider: SandboxProvider,
    lease_lost: Callable[[], bool],
) -> bool:
    """Grades the job's mutation suites, each in one sandbox; False if a rerun was cancelled."""
    for suite in with_db_retry(lambda: _mutation_suites_for(job)):
        if lease_lost():
            raise LeaseLostError
        if _rerun_cancelled(job):
            return False
        try:
            run = mutation_suite_run(
                suite=suite, submission=submission, provider=provider, lease_lost=lease_lost
            )
        except MutationLeaseLostError:
            raise LeaseLostError from None
        except MutationConfigError as error:
            _while_held(
                job,
                functools.partial(
                    mutation_error_store,
                    submission_id=submission.pk,
                    suite=suite,
                    message=str(error),
                ),
            )
            continue
        if lease_lost():
            raise LeaseLostError
        _while_held(job, functools.partial(mutation_result_store, run=run))
    return True


def _rerun_cancelled(job: GradingJob) -> bool:
    return (
        job.rerun_task_id is not None
        and RerunTask.objects.filter(pk=job.rerun_task_id, is_cancelled=True).exists()
    )


def _on_original_images(job: GradingJob) -> bool:
    """Whether the job is a rerun that asked for the images results were graded on."""
    return (
        job.rerun_task_id is not None
        and RerunTask.objects.filter(
            pk=job.rerun_task_id, image_choice=ImageChoice.ORIGINAL
        ).exists()
    )


def _image_for(job: GradingJob, suite: AGTestSuite, original: bool) -> ImageToRun:
    """The suite's current image, or for a rerun on the original images the one the suite's
    stored result recorded (the suite's current runtime serves an old image nothing else
    names). Read with retries: these are a suite's first reads, where a connection dropped
    since the last query shows."""
    try:
        current: ResolvedImage | None = with_db_retry(lambda: suite_image(suite))
    except SuiteConfigError:
        if not original:
            raise
        current = None
    if not original:
        assert current is not None
        return image_choice.current(tag=current.tag, runtime=current.runtime)
    fallback = current.runtime if current is not None else None
    return with_db_retry(
        lambda: image_choice.original(
            suite_id=suite.pk, submission_id=job.submission_id, fallback_runtime=fallback
        )
    )


@dataclasses.dataclass(frozen=True)
class Outcome:
    """How a graded job ends: its state, and the submission's final write, which the worker
    commits in one transaction with the job's completion (`jobs.job_finish`)."""

    state: JobState
    final_write: Callable[[], object] | None = None


GRADED_BY: dict[str, frozenset[SubmissionStatus]] = {
    JobKind.GRADE: frozenset(
        {
            SubmissionStatus.WAITING_FOR_DEFERRED,
            SubmissionStatus.FINISHED_GRADING,
            SubmissionStatus.REJECTED,
        }
    ),
    JobKind.DEFERRED: frozenset({SubmissionStatus.FINISHED_GRADING}),
}
"""The statuses a submission has once a job of the kind graded it. A job the reaper hands
back while its submission already has one is finished without grading it again: its work
committed, only the job's completion did not (a worker of an earlier release wrote the two
in separate transactions and could die between them). A rerun's submission says nothing of
whether the rerun ran; its completion commits with its last write, so a rerun whose work
committed is never handed back."""


def _start(job: GradingJob) -> JobState | None:
    """Marks a new submission being graded and returns None: grade the job. Otherwise the
    state to finish the job in without grading: done when its submission already got what
    this kind of job gives (see GRADED_BY), cancelled when it left the queue meanwhile."""
    if job.kind == JobKind.RERUN:
        return None
    if job.kind == JobKind.GRADE and submission_status_set(
        submission_id=job.submission_id,
        status=SubmissionStatus.BEING_GRADED,
        only_from=[SubmissionStatus.QUEUED, SubmissionStatus.BEING_GRADED],
        grading_started_at=Coalesce(F("grading_started_at"), Now()),
    ):
        return None
    status = Submission.objects.values_list("status", flat=True).get(pk=job.submission_id)
    if job.kind == JobKind.DEFERRED and status == SubmissionStatus.WAITING_FOR_DEFERRED:
        return None
    if status in GRADED_BY[job.kind]:
        logger.warning(
            "Job %s: submission %s is already %s; finishing the job without grading it again",
            job.pk,
            job.submission_id,
            status,
        )
        return JobState.DONE
    return JobState.CANCELLED


def job_run(
    *, job: GradingJob, provider: SandboxProvider, lease_lost: Callable[[], bool]
) -> Outcome:
    """Grades the job's suites; the outcome's final write moves the submission on when the
    caller finishes the job. Raises SandboxError when the sandbox itself failed (the caller
    retries the job) and LeaseLostError when the job was taken back."""
    ends_as = with_db_retry(lambda: _start(job))
    if ends_as is not None:
        return Outcome(ends_as)
    submission = with_db_retry(lambda: Submission.objects.get(pk=job.submission_id))
    original = with_db_retry(lambda: _on_original_images(job))
    env = with_db_retry(lambda: submission_env(submission_id=job.submission_id))
    for index, (suite, only_cases) in enumerate(with_db_retry(lambda: _suites_for(job))):
        if lease_lost():
            raise LeaseLostError
        if _rerun_cancelled(job):
            return Outcome(JobState.CANCELLED)
        try:
            run = suite_run(
                suite=suite,
                submission=submission,
                provider=provider,
                only_cases=only_cases,
                lease_lost=lease_lost,
                image=_image_for(job, suite, original),
                env=env,
            )
        except OriginalImageError as error:
            _while_held(
                job,
                functools.partial(
                    suite_error_store,
                    submission_id=submission.pk,
                    suite=suite,
                    message=str(error),
                    image=error.image,
                    image_digest=error.digest,
                ),
            )
            continue
        except SuiteConfigError as error:
            message = str(error)
            _while_held(
                job,
                functools.partial(
                    suite_error_store, submission_id=submission.pk, suite=suite, message=message
                ),
            )
            continue
        if lease_lost():
            raise LeaseLostError
        _while_held(job, functools.partial(suite_results_store, run=run))
        if (
            job.kind == JobKind.GRADE
            and index == 0
            and suite.reject_submission_if_setup_fails
            and run.setup_failed
        ):
            return Outcome(
                JobState.DONE,
                lambda: submission_status_set(
                    submission_id=submission.pk,
                    status=SubmissionStatus.REJECTED,
                    error_msg="The first suite's setup command failed.",
                    finished_at=timezone.now(),
                ),
            )
    if not _mutation_suites_run(job, submission, provider, lease_lost):
        return Outcome(JobState.CANCELLED)
    return Outcome(JobState.DONE, lambda: _after(job))


def _after(job: GradingJob) -> None:
    """Where the submission goes once the job's suites are graded (in the transaction that
    finishes the job)."""
    now = timezone.now()
    with transaction.atomic():
        if job.kind == JobKind.GRADE:
            if (
                AGTestSuite.objects.filter(project_id=job.project_id, deferred=True).exists()
                or MutationTestSuite.objects.filter(
                    project_id=job.project_id, deferred=True
                ).exists()
            ):
                submission_status_set(
                    submission_id=job.submission_id,
                    status=SubmissionStatus.WAITING_FOR_DEFERRED,
                    non_deferred_finished_at=now,
                )
                jobs.job_enqueue(submission=job.submission, kind=JobKind.DEFERRED)
                return
            submission_status_set(
                submission_id=job.submission_id,
                status=SubmissionStatus.FINISHED_GRADING,
                non_deferred_finished_at=now,
                finished_at=now,
            )
        elif job.kind == JobKind.DEFERRED:
            submission_status_set(
                submission_id=job.submission_id,
                status=SubmissionStatus.FINISHED_GRADING,
                only_from=[SubmissionStatus.WAITING_FOR_DEFERRED],
                finished_at=now,
            )
        else:  # a rerun repairs a submission that ended in error
            submission_status_set(
                submission_id=job.submission_id,
                status=SubmissionStatus.FINISHED_GRADING,
                only_from=[SubmissionStatus.ERROR],
                error_msg="",
                error_detail="",
                finished_at=now,
            )
