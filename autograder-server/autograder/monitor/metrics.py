"""What `/api/metrics/` reports to Prometheus, and the hooks that count events.

Gauges are read from the database at scrape time (the jobs table is the truth about queues,
and the broker only carries wake-ups); counters and histograms are the shared counters of
`counters.py`. deploy/README.md ("Monitoring") lists the alerts worth setting on them.
"""

import datetime
from collections.abc import Iterator

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import CollectorRegistry
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from autograder.grading.pipeline.models import GradingJob, JobState
from autograder.grading.pipeline.queues import Queue
from autograder.monitor import counters, release
from autograder.monitor.models import WorkerHeartbeat

GRADING = "grading_seconds"
WAITING = "queue_wait_seconds"
HEARTBEATS_SHOWN_FOR = datetime.timedelta(hours=1)
"""A worker silent for longer than this is dropped from the metrics (alert on the count)."""


def grading_finished(
    *, queue: str, enqueued_at: datetime.datetime | None, claimed_at: datetime.datetime | None
) -> None:
    """A worker slot finished a job: how long it waited, and how long grading took."""
    now = timezone.now()
    if claimed_at is None:
        return
    amounts = counters.observation(GRADING, queue, (now - claimed_at).total_seconds())
    if enqueued_at is not None:
        waited = max(0.0, (claimed_at - enqueued_at).total_seconds())
        amounts |= counters.observation(WAITING, queue, waited)
    counters.increment_many(amounts)


def sandbox_fault(*, queue: str) -> None:
    counters.increment(f"sandbox_faults:{queue}")


def server_error(*, status: int) -> None:
    counters.increment(f"http_5xx:{status}")


SERVER_ERROR_STATUSES = (500, 501, 502, 503, 504)


class SiteCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from self._queues()
        yield from self._histograms()
        yield from self._counters()
        yield from self._workers()

    def _queues(self) -> Iterator[Metric]:
        now = timezone.now()
        jobs = GaugeMetricFamily(
            "autograder_grading_jobs",
            "Grading jobs waiting or running, per queue.",
            labels=["queue", "state"],
        )
        oldest = GaugeMetricFamily(
            "autograder_grading_oldest_pending_seconds",
            "Age of the oldest job still waiting for a worker, per queue (0: none waits).",
            labels=["queue"],
        )
        rows = (
            GradingJob.objects.filter(state__in=[JobState.PENDING, JobState.RUNNING])
            .values("queue", "state")
            .annotate(n=Count("pk"), first=Min("enqueued_at"))
            .order_by()
        )
        found = {(row["queue"], row["state"]): row for row in rows}
        for queue in Queue:
            for state in (JobState.PENDING, JobState.RUNNING):
                row = found.get((queue.value, state.value))
                jobs.add_metric([queue.value, state.value], row["n"] if row else 0)
            pending = found.get((queue.value, JobState.PENDING.value))
            age = (now - pending["first"]).total_seconds() if pending else 0.0
            oldest.add_metric([queue.value], max(0.0, age))
        yield jobs
        yield oldest

    def _histograms(self) -> Iterator[Metric]:
        for metric, title in (
            (GRADING, "Time from claiming a job to finishing it."),
            (WAITING, "Time a job waited in its queue before a worker claimed it."),
        ):
            family = HistogramMetricFamily(f"autograder_{metric}", title, labels=["queue"])
            for queue in Queue:
                names = counters.histogram_names(metric, queue.value)
                values = counters.read(names)
                bounds = [name.rsplit("le=", 1)[1] for name in names if "le=" in name]
                buckets = [
                    (b, float(values.get(f"{metric}:{queue.value}:le={b}", 0))) for b in bounds
                ]
                total_ms = values.get(f"{metric}:{queue.value}:sum_ms", 0)
                family.add_metric([queue.value], buckets, sum_value=total_ms / 1000)
            yield family

    def _counters(self) -> Iterator[Metric]:
        faults = CounterMetricFamily(
            "autograder_sandbox_faults",
            "Sandbox failures (not the student's code): the job is retried or fails.",
            labels=["queue"],
        )
        names = [f"sandbox_faults:{q.value}" for q in Queue]
        values = counters.read(names)
        for queue in Queue:
            faults.add_metric([queue.value], values.get(f"sandbox_faults:{queue.value}", 0))
        yield faults
        errors = CounterMetricFamily(
            "autograder_http_server_errors",
            "Answers with a 5xx status from the web tier (Django), per status.",
            labels=["status"],
        )
        values = counters.read([f"http_5xx:{s}" for s in SERVER_ERROR_STATUSES])
        for status in SERVER_ERROR_STATUSES:
            errors.add_metric([str(status)], values.get(f"http_5xx:{status}", 0))
        yield errors

    def _workers(self) -> Iterator[Metric]:
        seen = GaugeMetricFamily(
            "autograder_worker_heartbeat_timestamp_seconds",
            "When each worker last checked that it can claim and grade (Unix time).",
            labels=["worker", "queues", "release"],
        )
        healthy = GaugeMetricFamily(
            "autograder_worker_healthy",
            "1 when the worker's last check passed (database, broker, release, Docker).",
            labels=["worker"],
        )
        since = timezone.now() - HEARTBEATS_SHOWN_FOR
        for beat in WorkerHeartbeat.objects.filter(last_seen__gte=since).order_by("name"):
            seen.add_metric([beat.name, beat.queues, beat.release], beat.last_seen.timestamp())
            healthy.add_metric([beat.name], 1 if beat.healthy else 0)
        yield seen
        yield healthy
        info = GaugeMetricFamily(
            "autograder_release_info",
            "The release the init step deployed (value 1).",
            labels=["release", "web_release"],
        )
        info.add_metric([release.deployed_release() or "", release.running_release()], 1)
        yield info


def render(*, accept: str = "") -> tuple[bytes, str]:
    """The metrics and their content type, in the newest format the scraper accepts (the
    classic text format 0.0.4 when it says nothing)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SiteCollector())
    encode, content_type = choose_encoder(accept)
    return encode(registry), content_type
