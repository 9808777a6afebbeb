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
from autograder.grading.mutation.selectors import mutation_worst_case_s
from autograder.grading.pipeline.models import GradingJob, JobKind, JobState
from autograder.grading.pipeline.queues import Queue
from autograder.submissions.models import Submission

logger = logging.getLogger(__name__)

WAKEUP_TASK = "grading.work"

_CLAIM_SQL = """
WITH RECURSIVE waiting(project_id, oldest) AS (
    (SELECT project_id, enqueued_at FROM grading_gradingjob
     WHERE queue = %(queue)s AND state = 'pending'
     ORDER BY project_id, enqueued_at, id LIMIT 1)
    UNION ALL
    SELECT next.project_id, next.enqueued_at FROM waiting w CROSS JOIN LATERAL (
        SELECT j.project_id, j.enqueued_at FROM grading_gradingjob j
        WHERE j.queue = %(queue)s AND j.state = 'pending' AND j.project_id > w.project_id
        ORDER BY j.project_id, j.enqueued_at, j.id LIMIT 1
    ) next
), running AS (
    SELECT project_id, count(*) AS n FROM grading_gradingjob
    WHERE queue = %(queue)s AND state = 'running' GROUP BY project_id
), turns AS (
    SELECT w.project_id, coalesce(r.n, 0) AS n, w.oldest
    FROM waiting w LEFT JOIN running r ON r.project_id = w.project_id
    ORDER BY n, w.oldest, w.project_id
)
SELECT j.id FROM turns CROSS JOIN LATERAL (
    SELECT c.id FROM grading_gradingjob c
    WHERE c.queue = %(queue)s AND c.state = 'pending' AND c.project_id = turns.project_id
    ORDER BY c.enqueued_at, c.id LIMIT 1 {lock}
) j
LIMIT 1
"""
"""Fair dispatch: the project with the fewest running jobs of this queue goes first (the one
waiting longest among equals), and its oldest job. Costs one index probe per waiting
project, not a count per waiting job: skipping through the partial index of pending jobs
(`job_pending_by_project`, ordered by project then age) finds each waiting project with its
oldest job, and only the chosen project's next row is locked (SKIP LOCKED: one another
slot holds is passed over for the project's next). See `benchmarks/pipeline_bench.py
--claim-only` (100,000 pending jobs, 500 projects).
"""
_CORRELATED_CLAIM_SQL = """
SELECT j.id FROM grading_gradingjob j
WHERE j.queue = %(queue)s AND j.state = 'pending'
ORDER BY (
    SELECT count(*) FROM grading_gradingjob r
    WHERE r.project_id = j.project_id AND r.queue = j.queue AND r.state = 'running'
), j.enqueued_at, j.id
LIMIT 1 {lock}
"""
"""The same order as _CLAIM_SQL, counted per pending job: the benchmark's comparison row."""
_FIFO_CLAIM_SQL = """
SELECT j.id FROM grading_gradingjob j
WHERE j.queue = %(queue)s AND j.state = 'pending'
ORDER BY j.enqueued_at, j.id
LIMIT 1 {lock}
"""
"""First come, first served across projects: only for comparing against fair dispatch."""


def estimated_worst_case_s(*, project_id: int, deferred: bool = False) -> float:
    """The longest a submission's (non-)deferred suites can take: every time limit added up
    (mutation suites' too)."""
    suites = AGTestSuite.objects.filter(project_id=project_id, deferred=deferred)
    setup = suites.exclude(setup_command="").aggregate(t=Sum("setup_time_limit_s"))["t"] or 0
    commands = AGTestCommand.objects.filter(case__suite__in=suites).aggregate(
        t=Sum("time_limit_s")
    )["t"]
    mutation = mutation_worst_case_s(project_id=project_id, deferred=deferred)
    return float(setup + (commands or 0)) + mutation


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
    if not settings.GRADING_FAIR_DISPATCH:
        return _claim(_FIFO_CLAIM_SQL, queue)
    # SQLite (the quickstart) has no LATERAL; its queues are short.
    return _claim(_CLAIM_SQL if connection.vendor == "postgresql" else _CORRELATED_CLAIM_SQL, queue)


def _claim(sql: str, queue: str) -> int | None:
    postgres = connection.vendor == "postgresql"
    alias = "c" if sql is _CLAIM_SQL else "j"
    lock = f"FOR UPDATE OF {alias} SKIP LOCKED" if postgres else ""
    with connection.cursor() as cursor:
        cursor.execute(sql.format(lock=lock), {"queue": queue})
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def next_pending_job_id_counting(*, queue: str) -> int | None:
    """`next_pending_job_id` as it was first written (a running-jobs count per pending job):
    only for the claim benchmark's comparison row."""
    return _claim(_CORRELATED_CLAIM_SQL, queue)


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
