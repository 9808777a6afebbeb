"""Which job a worker slot grades next, and who holds it.

RabbitMQ carries only wake-ups ("a job is waiting on queue Q"); the jobs themselves are
`GradingJob` rows. A woken slot claims the next job of its queue with `SELECT ... FOR UPDATE
SKIP LOCKED`, preferring the project with the fewest jobs already running (so 300 slow
submissions of one project cannot starve another project) and the oldest job within it.
The claim carries a lease the worker renews while it grades; the reaper takes back jobs whose
lease ran out and re-queues them, or gives up after `GRADING_MAX_ATTEMPTS` claims.
"""

import dataclasses
import logging
import math

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, QuerySet, Sum

from autograder.grading.config.models import AGTestCommand, AGTestSuite
from autograder.grading.pipeline.models import GradingJob, JobKind, JobState
from autograder.grading.pipeline.queues import Queue
from autograder.submissions.models import Submission

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
    from autograder.celery import app  # here: the Celery app discovers this package's tasks

    def send() -> None:
        for _ in range(count):
            app.send_task(WAKEUP_TASK, args=[queue], queue=broker_queue(queue))

    transaction.on_commit(send)


def next_pending_job_id(*, queue: str) -> int | None:
    """The job a slot of `queue` should grade next, locked for the caller's transaction (rows
    other slots hold are skipped)."""
    lock = " FOR UPDATE OF j SKIP LOCKED" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        sql = _CLAIM_SQL if settings.GRADING_FAIR_DISPATCH else _FIFO_CLAIM_SQL
        cursor.execute(sql + lock, [queue])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


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
