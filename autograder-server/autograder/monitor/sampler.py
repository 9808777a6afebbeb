"""The live monitor's sampler: a thread in every grading process (a Celery pool process) that,
every AG_MONITOR_SAMPLE_SECONDS, reads the CPU, memory and tmpfs use of the sandbox containers
this process owns and publishes them through Redis (`live_store`).

It never touches the grading path: it reads the pool manager's bookkeeping (which containers
are live, which are still idle in a pool) and the containers' cgroup files or Docker's one-shot
stats (`sandbox.stats`). Which job a sandbox in use serves is the job this process holds the
lease of (a pool process grades one job at a time); that costs one query when the set of
sandboxes in use changes, never per sample. Each sample measures its own CPU time
(`sample_cpu_ms` in the record; docs/monitor.md gives the figures).

The worker's main process adds, with each heartbeat, its slots, its pool processes and the
images of its node's Docker (`worker_publish`).
"""

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import Count, Min
from django.utils import timezone

from autograder.grading.pipeline.models import GradingJob, JobState
from autograder.monitor import live_store
from autograder.sandbox.docker_pool import DockerPoolManager
from autograder.sandbox.stats import CpuRate, UsageReader

logger = logging.getLogger(__name__)


def process_name() -> str:
    """As the start of a job's lease owner (`grading.pipeline.worker.worker_id`)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def job_summary(job: GradingJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "kind": job.kind,
        "queue": job.queue,
        "submission_id": job.submission_id,
        "project_id": job.project_id,
        "project_name": job.project.name,
        "course_id": job.project.course_id,
        "course_name": job.project.course.name,
        "claimed_at": job.claimed_at.isoformat() if job.claimed_at else None,
    }


def jobs_of_process(process: str) -> list[GradingJob]:
    return list(
        GradingJob.objects.filter(state=JobState.RUNNING, lease_owner__startswith=f"{process}:")
        .select_related("project__course")
        .order_by("claimed_at")
    )


def queue_figures() -> dict[str, dict[str, Any]]:
    """Per queue: jobs pending and running, the oldest pending one's wait, and the same counts
    per course (`courses`: {course id: [pending, running]}). One query."""
    now = timezone.now()
    rows = (
        GradingJob.objects.filter(state__in=[JobState.PENDING, JobState.RUNNING])
        .values("queue", "state", "project__course_id")
        .annotate(n=Count("pk"), first=Min("enqueued_at"))
        .order_by()
    )
    figures: dict[str, dict[str, Any]] = {}
    for row in rows:
        queue = figures.setdefault(
            row["queue"], {"pending": 0, "running": 0, "oldest_s": 0.0, "courses": {}}
        )
        course = queue["courses"].setdefault(str(row["project__course_id"]), [0, 0, 0.0])
        if row["state"] == JobState.PENDING:
            wait = max(0.0, round((now - row["first"]).total_seconds(), 1))
            queue["pending"] += row["n"]
            queue["oldest_s"] = max(queue["oldest_s"], wait)
            course[0] += row["n"]
            course[2] = max(course[2], wait)
        else:
            queue["running"] += row["n"]
            course[1] += row["n"]
    return figures


class Sampler:
    """Samples one process's sandboxes. `manager` returns the process's pool manager, or
    None while it has none (it is made on the first job)."""

    def __init__(self, manager: Callable[[], DockerPoolManager | None]) -> None:
        self.manager = manager
        self.process = process_name()
        self.rate = CpuRate()
        self._reader: UsageReader | None = None
        self._images: dict[str, str] = {}
        self._node: str | None = None
        self._in_use: frozenset[str] | None = None
        self._jobs: list[dict[str, Any]] = []

    def _reader_for(self, manager: DockerPoolManager) -> UsageReader:
        if self._reader is None or self._reader.api is not manager.backend.api:
            self._reader = UsageReader(manager.backend.api, settings.MONITOR_CGROUP_ROOT)
        return self._reader

    def _image_of(self, manager: DockerPoolManager, container_id: str) -> str:
        if container_id not in self._images:
            try:
                info = manager.backend.api.inspect_container(container_id)
                self._images[container_id] = str(info["Config"]["Image"])
            except Exception:  # gone already; say nothing about its image
                return ""
        return self._images[container_id]

    def _node_of(self, manager: DockerPoolManager) -> str:
        if self._node is None:
            try:
                self._node = str(manager.backend.api.info().get("Name") or "")
            except Exception:
                return socket.gethostname()
        return self._node or socket.gethostname()

    def _jobs_for(self, in_use: frozenset[str]) -> list[dict[str, Any]]:
        if in_use != self._in_use:
            try:
                self._jobs = [job_summary(job) for job in jobs_of_process(self.process)]
            except Exception:  # the database is away: ask again next time
                logger.warning("monitor: could not read this process's job", exc_info=True)
                connection.close()
                return []
            self._in_use = in_use
        return self._jobs

    def sample(self) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """(the live record, the history totals), or None while there is no pool manager."""
        manager = self.manager()
        if manager is None:
            return None
        started = time.thread_time()
        live = manager.backend.live_ids() - manager.released_ids()
        idle = manager.idle_ids() & live
        jobs = self._jobs_for(frozenset(live - idle))
        job = jobs[0] if len(jobs) == 1 else None
        reader = self._reader_for(manager)
        sandboxes = []
        totals: dict[str, Any] = {"n": 0, "cpu": 0.0, "mem": 0, "disk": 0, "courses": {}}
        helpers_before = reader.helper_cpu_s
        usages = reader.read_many(sorted(live))
        for container_id in sorted(usages):  # the others were removed meanwhile
            usage = usages[container_id]
            cpu = self.rate.percent(usage)
            in_use = container_id not in idle
            sandboxes.append(
                {
                    "id": container_id[:12],
                    "image": self._image_of(manager, container_id),
                    "state": "in_use" if in_use else "idle",
                    "cpu_percent": cpu,
                    "memory_bytes": usage.memory_bytes,
                    "memory_limit_bytes": usage.memory_limit_bytes,
                    "disk_bytes": usage.tmpfs_bytes,
                    "figures_from": usage.source,
                    "job": job if in_use else None,
                }
            )
            figures = [1, cpu or 0.0, usage.memory_bytes, usage.tmpfs_bytes]
            for index, name in enumerate(("n", "cpu", "mem", "disk")):
                totals[name] += figures[index]
            if in_use and job is not None:
                course = totals["courses"].setdefault(str(job["course_id"]), [0, 0.0, 0, 0])
                for index in range(4):
                    course[index] += figures[index]
        self.rate.forget_all_but(live)
        self._images = {k: v for k, v in self._images.items() if k in live}
        totals["cpu"] = round(totals["cpu"], 1)
        record = {
            "process": self.process,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "node": self._node_of(manager),
            "time": time.time(),
            "jobs": jobs,
            "sandboxes": sandboxes,
            "sample_cpu_ms": round(
                (time.thread_time() - started + reader.helper_cpu_s - helpers_before) * 1000, 2
            ),
        }
        return record, totals

    def publish_once(self) -> dict[str, Any] | None:
        sampled = self.sample()
        if sampled is None:
            return None
        record, totals = sampled
        interval = settings.MONITOR_SAMPLE_SECONDS
        live_store.process_publish(
            process=self.process, record=record, totals=totals, ttl_s=max(5.0, 3 * interval)
        )
        bucket = live_store.bucket_of(time.time())
        if live_store.queues_claim_point(bucket=bucket):
            live_store.queues_publish(bucket=bucket, queues=queue_figures())
        return record


class SamplerThread(threading.Thread):
    def __init__(self, sampler: Sampler) -> None:
        super().__init__(name="ag-monitor-sampler", daemon=True)
        self.sampler = sampler
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(settings.MONITOR_SAMPLE_SECONDS):
            try:
                self.sampler.publish_once()
            except Exception:  # Redis or Docker away: the monitor goes stale, grading goes on
                logger.warning("monitor: sampling failed", exc_info=True)
            finally:
                close_old_connections()


def _process_manager() -> DockerPoolManager | None:
    """The grading pool manager of this process, if a job made one (never makes one)."""
    from autograder.grading.pipeline import worker

    if worker.sandbox_provider.cache_info().currsize == 0:
        return None
    provider = worker.sandbox_provider()
    return provider if isinstance(provider, DockerPoolManager) else None


_started: SamplerThread | None = None


def start_in_this_process() -> SamplerThread | None:
    """Starts this process's sampler once (AG_MONITOR_SAMPLE_SECONDS=0 or no Redis: none)."""
    global _started
    if _started is not None and _started.is_alive() and _started.sampler.process == process_name():
        return _started
    if settings.MONITOR_SAMPLE_SECONDS <= 0 or not live_store.enabled():
        return None
    _started = SamplerThread(Sampler(_process_manager))
    _started.start()
    return _started


def node_images(api: Any) -> list[dict[str, Any]]:
    """The images of a node's Docker, largest first (tags, digests, id, size). A course's
    own image reaches a grader pulled by digest (`registry/name@sha256:...`, as the suite
    names it), which leaves it without a tag: its digest is how the monitor names it."""
    images = api.images()
    found = [
        {
            "id": str(image.get("Id", ""))[7:19],
            "tags": [tag for tag in image.get("RepoTags") or [] if tag != "<none>:<none>"],
            "digests": [
                digest for digest in image.get("RepoDigests") or [] if digest != "<none>@<none>"
            ],
            "size_bytes": int(image.get("Size") or 0),
            "created": int(image.get("Created") or 0),
        }
        for image in images
    ]
    return sorted(found, key=lambda image: -cast(int, image["size_bytes"]))[:200]


def worker_publish(consumer: Any, *, name: str, docker_socket: str | None) -> None:
    """A worker's slots and pool processes, and its node's images (with Docker), for the
    monitor; written with each heartbeat, kept for three."""
    if not live_store.enabled():
        return
    pool = getattr(consumer, "pool", None)
    info: dict[str, Any] = {}
    try:
        info = dict(pool.info) if pool is not None else {}
    except Exception:  # a pool that reports nothing
        info = {}
    pids = [int(pid) for pid in info.get("processes") or [] if str(pid).isdigit()]
    concurrency = int(info.get("max-concurrency") or len(pids) or 1)
    record: dict[str, Any] = {
        "name": name,
        "host": socket.gethostname(),
        "pids": [os.getpid(), *pids],
        "concurrency": concurrency,
        "node": "",
        "images": None,
        "time": time.time(),
    }
    if docker_socket and os.path.exists(docker_socket):
        import docker

        try:
            api = docker.APIClient(timeout=10, **docker.utils.kwargs_from_env())
            try:
                record["node"] = str(api.info().get("Name") or "")
                record["images"] = node_images(api)
            finally:
                api.close()
        except Exception:  # Docker down: the heartbeat says so; the monitor shows no images
            logger.warning("monitor: could not list this node's images", exc_info=True)
    ttl = max(10.0, 3 * settings.WORKER_HEARTBEAT_SECONDS)
    live_store.worker_publish(name=name, record=record, ttl_s=ttl)
