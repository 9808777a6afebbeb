"""The one writer of a grading job's state.

    pending → running (claim) → done | failed | cancelled
    running → pending (requeue: a broken sandbox, or a lease the reaper took back)
    pending → cancelled (the submission left the queue, or its rerun was cancelled)

Every change of `GradingJob.state` happens here, and so do the submission-status changes
that belong to a job's life (being graded again after a requeue, `error` when a job fails).
Writes by a worker are conditional on its lease, so a worker whose job was taken back
changes nothing.
"""

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from autograder.common import live_events
from autograder.grading.pipeline import dispatch, signals
from autograder.grading.pipeline.models import GradingJob, JobKind, JobState, RerunTask
from autograder.submissions.models import Submission, SubmissionStatus
from autograder.submissions.status import submission_status_set

logger = logging.getLogger(__name__)

MAX_ERROR_MESSAGE_CHARS = 10_000

GRADING_FAILED_MESSAGE = (
    "The grading environment failed, so this submission could not be graded. This is not a "
    "problem with your files. Course staff can see what went wrong and can rerun it."
)
"""What students read when grading broke down (a sandbox or Docker fault, a bug): never the
fault itself, which may name hosts, images or paths."""


def job_enqueue(
    *,
    submission: Submission,
    kind: JobKind,
    suite_selection: dict[str, list[int] | None] | None = None,
    rerun_task: RerunTask | None = None,
) -> GradingJob:
    """A pending job on the queue for its kind; a worker slot is woken after commit."""
    queue = dispatch.queue_for(kind=kind, project_id=submission.project_id)
    job = GradingJob.objects.create(
        submission=submission,
        project_id=submission.project_id,
        kind=kind,
        queue=queue,
        suite_selection=suite_selection,
        rerun_task=rerun_task,
        wakeups_sent_at=timezone.now(),
    )
    dispatch.send_wakeups(queue)
    live_events.queue_moved()
    return job


def job_claim_next(*, queue: str, owner: str) -> GradingJob | None:
    """Claims the fairest pending job of `queue` for `owner`, or returns None if none waits."""
    now = timezone.now()
    with transaction.atomic():
        job_id = dispatch.next_pending_job_id(queue=queue)
        if job_id is None:
            return None
        claimed = GradingJob.objects.filter(pk=job_id, state=JobState.PENDING).update(
            state=JobState.RUNNING,
            claimed_at=now,
            attempts=F("attempts") + 1,
            lease_owner=owner,
            lease_expires_at=now + datetime.timedelta(seconds=settings.GRADING_LEASE_SECONDS),
        )
        if not claimed:
            return None
        live_events.queue_moved()
    return GradingJob.objects.select_related("submission", "project").get(pk=job_id)


def job_renew_lease(*, job_id: int, owner: str) -> bool:
    """Extends the lease; False when the job is no longer ours (the reaper took it back)."""
    expires = timezone.now() + datetime.timedelta(seconds=settings.GRADING_LEASE_SECONDS)
    return bool(
        GradingJob.objects.filter(pk=job_id, lease_owner=owner, state=JobState.RUNNING).update(
            lease_expires_at=expires
        )
    )


def _running(job: GradingJob, *, holding_lease: bool) -> "Q":
    """The job while still running, and still this worker's when `holding_lease`."""
    condition = Q(pk=job.pk, state=JobState.RUNNING)
    return condition & Q(lease_owner=job.lease_owner) if holding_lease else condition


def job_finish(
    *, job: GradingJob, state: JobState, final_write: Callable[[], object] | None = None
) -> bool:
    """Marks a claimed job done or cancelled (a rerun counts it done), with `final_write`
    (the submission's final status and what comes with it) in the same transaction: a worker
    that dies before the commit leaves both unfinished, and the reaper hands the job on; after
    it, both are final and the reaper has nothing to hand on. Written as two transactions, a
    death between them left a finished submission whose job was graded again. What watchers
    and the apps above hear (status events, `job_done`) is sent after the commit. False, and
    nothing written, if the job's lease was lost meanwhile."""
    assert state in (JobState.DONE, JobState.CANCELLED), state
    with transaction.atomic():
        finished = GradingJob.objects.filter(_running(job, holding_lease=True)).update(
            state=state, finished_at=timezone.now(), lease_expires_at=None
        )
        if not finished:
            return False
        if final_write is not None:
            final_write()
        if state == JobState.DONE:
            rerun_progress(job=job)
            transaction.on_commit(
                lambda: signals.job_done.send(
                    sender=GradingJob, submission_id=job.submission_id, kind=job.kind
                )
            )
    return True


def job_fail(
    *,
    job: GradingJob,
    message: str,
    shown_to_students: str = GRADING_FAILED_MESSAGE,
    holding_lease: bool = True,
) -> bool:
    """The job can't be graded (after its retries): it is `failed`, and its submission gets
    `error`. `message` says what went wrong, for staff (`error_detail`); students read
    `shown_to_students` (`error_msg`). A rerun only counts a failure: the submission keeps its
    earlier results. The reaper fails jobs whose lease ran out (`holding_lease=False`)."""
    now = timezone.now()
    with transaction.atomic():
        failed = GradingJob.objects.filter(_running(job, holding_lease=holding_lease)).update(
            state=JobState.FAILED,
            finished_at=now,
            lease_expires_at=None,
            error_message=message[:MAX_ERROR_MESSAGE_CHARS],
        )
        if not failed:
            return False
        if job.kind == JobKind.RERUN:
            rerun_progress(job=job, failed=True)
        else:
            submission_status_set(
                submission_id=job.submission_id,
                status=SubmissionStatus.ERROR,
                error_msg=shown_to_students,
                error_detail=message,
                finished_at=now,
            )
    return True


def job_requeue(*, job: GradingJob, holding_lease: bool = True) -> bool:
    """Puts a running job back in its queue to be claimed again (by any worker); a new
    submission being graded shows as queued again meanwhile."""
    with transaction.atomic():
        requeued = GradingJob.objects.filter(_running(job, holding_lease=holding_lease)).update(
            state=JobState.PENDING, lease_owner="", lease_expires_at=None
        )
        if not requeued:
            return False
        if job.kind == JobKind.GRADE:
            submission_status_set(
                submission_id=job.submission_id,
                status=SubmissionStatus.QUEUED,
                only_from=[SubmissionStatus.BEING_GRADED],
            )
        dispatch.send_wakeups(job.queue)
        live_events.queue_moved()
    return True


def jobs_cancel_pending(
    *,
    submission: Submission | None = None,
    kind: JobKind | None = None,
    rerun_task: RerunTask | None = None,
) -> int:
    """Cancels the pending jobs of a submission (of one kind) or of a rerun; running jobs
    notice a cancelled rerun before their next suite."""
    pending = GradingJob.objects.filter(state=JobState.PENDING)
    if submission is not None:
        pending = pending.filter(submission=submission)
    if kind is not None:
        pending = pending.filter(kind=kind)
    if rerun_task is not None:
        pending = pending.filter(rerun_task=rerun_task)
    cancelled = pending.update(state=JobState.CANCELLED, finished_at=timezone.now())
    live_events.queue_moved()
    return cancelled


def rerun_progress(*, job: GradingJob, failed: bool = False) -> None:
    """Counts a finished rerun job on its task, and closes the task after its last job."""
    if job.rerun_task_id is None:
        return
    counter = "failed" if failed else "completed"
    RerunTask.objects.filter(pk=job.rerun_task_id).update(**{counter: F(counter) + 1})
    RerunTask.objects.filter(
        pk=job.rerun_task_id,
        finished_at__isnull=True,
        total__lte=F("completed") + F("failed"),
    ).update(finished_at=timezone.now())
