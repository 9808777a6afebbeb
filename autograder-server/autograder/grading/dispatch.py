"""Which job a worker slot grades next, and who holds it.

RabbitMQ carries only wake-ups ("a job is waiting on queue Q"); the jobs themselves are
`GradingJob` rows. A woken slot claims the next job of its queue with `SELECT ... FOR UPDATE
SKIP LOCKED`, preferring the project with the fewest jobs already running (so 300 slow
submissions of one project cannot starve another project) and the oldest job within it.
The claim carries a lease the worker renews while it grades; the reaper takes back jobs whose
lease ran out and re-queues them, or gives up after `GRADING_MAX_ATTEMPTS` claims.
"""

import dataclasses
import datetime
import logging
import math
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, QuerySet, Sum
from django.utils import timezone

from autograder.grading import events
from autograder.grading.models import (
    AGTestCommand,
    AGTestSuite,
    GradingJob,
    JobKind,
    JobState,
    RerunTask,
)
from autograder.grading.queues import Queue
from autograder.submissions.models import Submission, SubmissionStatus

logger = logging.getLogger(__name__)

WAKEUP_TASK = "grading.work"

_CLAIM_SQL = """
SELECT j.id FROM grading_gradingjob j
WHERE j.queue = %s AND j.state = 'pending'
ORDER BY (
    SELECT count(*) FROM grading_gradingjob r
    WHERE r.project_id = j.project_id AND r.queue = j.queue AND r.state = 'running'
), j.enqueued_at, j.id
LIMIT 1
"""
_FIFO_CLAIM_SQL = """
SELECT j.id FROM grading_gradingjob j
WHERE j.queue = %s AND j.state = 'pending'
ORDER BY j.enqueued_at, j.id
LIMIT 1
"""
"""First come, first served across projects: only for comparing against fair dispatch."""


def estimated_worst_case_s(*, project_id: int, deferred: bool = False) -> float:
    """The longest a submission's (non-)deferred suites can take: every time limit added up."""
    suites = AGTestSuite.objects.filter(project_id=project_id, deferred=deferred)
    setup = suites.exclude(setup_command="").aggregate(t=Sum("setup_time_limit_s"))["t"] or 0
    commands = AGTestCommand.objects.filter(case__suite__in=suites).aggregate(
        t=Sum("time_limit_s")
    )["t"]
    return float(setup + (commands or 0))


def queue_for(*, kind: str, project_id: int) -> Queue:
    if kind == JobKind.DEFERRED:
        return Queue.DEFERRED
    if kind == JobKind.RERUN:
        return Queue.RERUN
    worst_case = estimated_worst_case_s(project_id=project_id)
    return Queue.FAST if worst_case <= settings.GRADING_FAST_QUEUE_SECONDS else Queue.GRADER


def broker_queue(queue: str) -> str:
    """The broker's name for one of our queues (see AG_QUEUE_PREFIX)."""
    return f"{settings.QUEUE_PREFIX}{queue}"


def send_wakeups(queue: str, count: int = 1) -> None:
    """Wake `count` worker slots of `queue` (after the surrounding transaction commits)."""
    from autograder.celery import app

    def send() -> None:
        for _ in range(count):
            app.send_task(WAKEUP_TASK, args=[queue], queue=broker_queue(queue))

    transaction.on_commit(send)


def job_enqueue(
    *,
    submission: Submission,
    kind: JobKind,
    suite_selection: dict[str, list[int] | None] | None = None,
    rerun_task: RerunTask | None = None,
) -> GradingJob:
    queue = queue_for(kind=kind, project_id=submission.project_id)
    job = GradingJob.objects.create(
        submission=submission,
        project_id=submission.project_id,
        kind=kind,
        queue=queue,
        suite_selection=suite_selection,
        rerun_task=rerun_task,
        wakeups_sent_at=timezone.now(),
    )
    send_wakeups(queue)
    events.queue_moved()
    return job


def job_claim_next(*, queue: str, owner: str) -> GradingJob | None:
    """Claims the fairest pending job of `queue` for `owner`, or returns None if none waits."""
    now = timezone.now()
    lock = " FOR UPDATE OF j SKIP LOCKED" if connection.vendor == "postgresql" else ""
    with transaction.atomic():
        with connection.cursor() as cursor:
            sql = _CLAIM_SQL if settings.GRADING_FAIR_DISPATCH else _FIFO_CLAIM_SQL
            cursor.execute(sql + lock, [queue])
            row = cursor.fetchone()
        if row is None:
            return None
        claimed = GradingJob.objects.filter(pk=row[0], state=JobState.PENDING).update(
            state=JobState.RUNNING,
            claimed_at=now,
            attempts=F("attempts") + 1,
            lease_owner=owner,
            lease_expires_at=now + datetime.timedelta(seconds=settings.GRADING_LEASE_SECONDS),
        )
        if not claimed:
            return None
        events.queue_moved()
    return GradingJob.objects.select_related("submission", "project").get(pk=row[0])


def job_renew_lease(*, job_id: int, owner: str) -> bool:
    """Extends the lease; False when the job is no longer ours (the reaper took it back)."""
    expires = timezone.now() + datetime.timedelta(seconds=settings.GRADING_LEASE_SECONDS)
    return bool(
        GradingJob.objects.filter(pk=job_id, lease_owner=owner, state=JobState.RUNNING).update(
            lease_expires_at=expires
        )
    )


def job_finish(*, job: GradingJob, state: JobState, error_message: str = "") -> bool:
    """Marks a claimed job done/failed/cancelled; False if its lease was lost meanwhile."""
    return bool(
        GradingJob.objects.filter(
            pk=job.pk, lease_owner=job.lease_owner, state=JobState.RUNNING
        ).update(
            state=state,
            finished_at=timezone.now(),
            lease_expires_at=None,
            error_message=error_message[:10_000],
        )
    )


@dataclasses.dataclass
class ReapReport:
    requeued: list[int] = dataclasses.field(default_factory=list)
    failed: list[int] = dataclasses.field(default_factory=list)
    wakeups: dict[str, int] = dataclasses.field(default_factory=dict)


def jobs_reap(*, now: datetime.datetime | None = None) -> ReapReport:
    """Takes back jobs whose lease expired (their worker died or lost its node) and makes
    sure every pending job has a wake-up on its queue. Safe to run any number of times."""
    now = now or timezone.now()
    report = ReapReport()
    with transaction.atomic():
        expired = list(
            GradingJob.objects.select_for_update(skip_locked=True)
            .filter(state=JobState.RUNNING, lease_expires_at__lt=now)
            .select_related("submission")
        )
        for job in expired:
            if job.attempts >= settings.GRADING_MAX_ATTEMPTS:
                _give_up(job, now)
                report.failed.append(job.pk)
            else:
                _requeue(job)
                report.requeued.append(job.pk)
    report.wakeups = _top_up_wakeups(now)
    if report.requeued or report.failed:
        logger.warning("Reaper requeued %s and failed %s", report.requeued, report.failed)
    return report


def _requeue(job: GradingJob) -> None:
    job.state = JobState.PENDING
    job.lease_owner = ""
    job.lease_expires_at = None
    job.save(update_fields=["state", "lease_owner", "lease_expires_at"])
    if job.kind == JobKind.GRADE and job.submission.status == SubmissionStatus.BEING_GRADED:
        Submission.objects.filter(pk=job.submission_id).update(status=SubmissionStatus.QUEUED)
        events.submission_status_changed(
            submission_id=job.submission_id, status=SubmissionStatus.QUEUED
        )


def _give_up(job: GradingJob, now: datetime.datetime) -> None:
    message = (
        f"Grading stopped {job.attempts} times without finishing (the worker grading it "
        "stopped responding). Staff can rerun this submission."
    )
    job.state = JobState.FAILED
    job.finished_at = now
    job.lease_expires_at = None
    job.error_message = message
    job.save(update_fields=["state", "finished_at", "lease_expires_at", "error_message"])
    if job.kind == JobKind.RERUN:
        rerun_progress(job=job, failed=True)
        return
    Submission.objects.filter(pk=job.submission_id).update(
        status=SubmissionStatus.ERROR, error_msg=message, error_detail=message, finished_at=now
    )
    events.submission_status_changed(submission_id=job.submission_id, status=SubmissionStatus.ERROR)


def _ready_messages(queue: str) -> int | None:
    """Messages waiting in the broker's queue, or None when the broker can't say."""
    from autograder.celery import app

    if not settings.BROKER_URL.startswith("amqp"):
        return None
    try:
        with app.connection_for_write() as conn:
            channel: Any = conn.default_channel  # kombu types channels as the bare protocol
            declared = channel.queue_declare(queue=broker_queue(queue), passive=True)
            return int(declared.message_count)
    except Exception:  # the queue may not exist yet, or the broker may be restarting
        logger.info("Could not read the length of queue %s", queue, exc_info=True)
        return None


def _top_up_wakeups(now: datetime.datetime) -> dict[str, int]:
    """A wake-up lost with a broker restart would leave its job waiting forever: give every
    pending job one, counting the wake-ups the broker still holds."""
    sent: dict[str, int] = {}
    pending = (
        GradingJob.objects.filter(state=JobState.PENDING)
        .values("queue")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in pending:
        queue, count = row["queue"], row["n"]
        ready = _ready_messages(queue)
        if ready is None:
            stale = GradingJob.objects.filter(
                queue=queue,
                state=JobState.PENDING,
                wakeups_sent_at__lt=now
                - datetime.timedelta(seconds=settings.GRADING_WAKEUP_RESEND_SECONDS),
            )
            missing = stale.update(wakeups_sent_at=now)
        else:
            missing = max(0, count - ready)
        if missing:
            send_wakeups(queue, missing)
            sent[queue] = missing
    return sent


@dataclasses.dataclass(frozen=True)
class QueueEstimate:
    position: int
    """1 = next to be graded."""
    estimated_wait_s: float


def _average_duration_s(queue: str) -> float:
    recent = GradingJob.objects.filter(queue=queue, state=JobState.DONE).order_by("-finished_at")[
        :20
    ]
    average = (
        GradingJob.objects.filter(pk__in=recent.values("pk"))
        .annotate(
            took=ExpressionWrapper(F("finished_at") - F("claimed_at"), output_field=DurationField())
        )
        .aggregate(avg=Avg("took"))["avg"]
    )
    return average.total_seconds() if average else 10.0


def queue_estimate(*, submission: Submission) -> QueueEstimate | None:
    """Where the submission's pending job stands. Projects take turns, so before this job
    runs each other project may get about as many jobs as this project has ahead of it."""
    job = (
        GradingJob.objects.filter(submission=submission, state=JobState.PENDING)
        .exclude(kind=JobKind.RERUN)
        .first()
    )
    if job is None:
        return None
    pending: QuerySet[GradingJob] = GradingJob.objects.filter(
        queue=job.queue, state=JobState.PENDING
    )
    own_ahead = pending.filter(project_id=job.project_id, pk__lt=job.pk).count()
    others = (
        pending.exclude(project_id=job.project_id)
        .values("project_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    ahead = own_ahead + sum(min(row["n"], own_ahead + 1) for row in others)
    running = GradingJob.objects.filter(queue=job.queue, state=JobState.RUNNING).count()
    slots = max(1, running)
    waves = math.ceil((ahead + 1) / slots)
    return QueueEstimate(
        position=ahead + 1, estimated_wait_s=round(waves * _average_duration_s(job.queue), 1)
    )


def rerun_progress(*, job: GradingJob, failed: bool = False) -> None:
    if job.rerun_task_id is None:
        return
    counter = "failed" if failed else "completed"
    RerunTask.objects.filter(pk=job.rerun_task_id).update(**{counter: F(counter) + 1})
    RerunTask.objects.filter(
        pk=job.rerun_task_id,
        finished_at__isnull=True,
        total__lte=F("completed") + F("failed"),
    ).update(finished_at=timezone.now())
