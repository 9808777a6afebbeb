"""The lease reaper (run by Celery beat): takes back jobs whose worker died or lost its node,
and gives every pending job a wake-up the broker may have lost. Safe to run any number of
times, from any number of places."""

import dataclasses
import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from autograder.grading.pipeline import dispatch, jobs
from autograder.grading.pipeline.models import GradingJob, JobState

logger = logging.getLogger(__name__)


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
                message = (
                    f"Grading stopped {job.attempts} times without finishing (the worker "
                    "grading it stopped responding). Staff can rerun this submission."
                )
                jobs.job_fail(
                    job=job, message=message, shown_to_students=message, holding_lease=False
                )
                report.failed.append(job.pk)
            else:
                jobs.job_requeue(job=job, holding_lease=False)
                report.requeued.append(job.pk)
    report.wakeups = _top_up_wakeups(now)
    if report.requeued or report.failed:
        logger.warning("Reaper requeued %s and failed %s", report.requeued, report.failed)
    return report


def _ready_messages(queue: str) -> int | None:
    """Messages waiting in the broker's queue, or None when the broker can't say."""
    from autograder.celery import app  # here: the Celery app discovers this package's tasks

    if not settings.BROKER_URL.startswith("amqp"):
        return None
    try:
        with app.connection_for_write() as conn:
            channel: Any = conn.default_channel  # kombu types channels as the bare protocol
            declared = channel.queue_declare(queue=dispatch.broker_queue(queue), passive=True)
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
            dispatch.send_wakeups(queue, missing)
            sent[queue] = missing
    return sent
