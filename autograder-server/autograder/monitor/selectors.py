"""What the live monitor shows: workers, sandboxes, queues and node images now, and the last
hour's history. `course_id` narrows every part to one course (what its staff may see): its
jobs and the sandboxes serving them, its queued and running jobs, its share of the history;
no other course's names, and no node images (their tags name other courses' images).
"""

import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from autograder.grading.pipeline.models import GradingJob, JobState
from autograder.grading.pipeline.queues import Queue
from autograder.monitor import live_store, sampler
from autograder.monitor.models import WorkerHeartbeat

WORKERS_SHOWN_FOR = datetime.timedelta(hours=1)
"""A worker silent for longer than this is left off the monitor."""


def _alive_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=max(30.0, 3 * settings.WORKER_HEARTBEAT_SECONDS))


def _queues_now(course_id: int | None) -> list[dict[str, Any]]:
    return _queue_rows(sampler.queue_figures(), course_id)


def _running_jobs() -> dict[str, list[dict[str, Any]]]:
    """Running jobs by the process holding them ("host:pid")."""
    jobs: dict[str, list[dict[str, Any]]] = {}
    for job in GradingJob.objects.filter(state=JobState.RUNNING).select_related("project__course"):
        host, _, rest = job.lease_owner.partition(":")
        pid = rest.partition(":")[0]
        jobs.setdefault(f"{host}:{pid}", []).append(sampler.job_summary(job))
    return jobs


def _workers(
    course_id: int | None, jobs_by_process: dict[str, list[dict[str, Any]]]
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    now = timezone.now()
    beats = list(
        WorkerHeartbeat.objects.filter(last_seen__gte=now - WORKERS_SHOWN_FOR).order_by("name")
    )
    records = live_store.workers_read([beat.name for beat in beats])
    workers = []
    for beat in beats:
        record = records.get(beat.name, {})
        processes = [f"{record.get('host', '')}:{pid}" for pid in record.get("pids", [])]
        jobs = [job for process in processes for job in jobs_by_process.get(process, [])]
        shown = [job for job in jobs if course_id is None or job["course_id"] == course_id]
        alive = now - beat.last_seen <= _alive_after()
        workers.append(
            {
                "name": beat.name,
                "node": record.get("node", ""),
                "alive": alive,
                "healthy": alive and beat.healthy,
                "problems": beat.problems if course_id is None else "",
                "queues": [q for q in beat.queues.split(",") if q],
                "last_seen": beat.last_seen,
                "slots": int(record.get("concurrency", 0)),
                "busy_slots": len(jobs),
                "jobs": shown,
            }
        )
    return workers, records


def _sandboxes(
    course_id: int | None, records: dict[str, dict[str, Any]]
) -> tuple[list[dict[str, Any]], float | None]:
    worker_of = {
        f"{record.get('host', '')}:{pid}": name
        for name, record in records.items()
        for pid in record.get("pids", [])
    }
    within = max(6.0, 3 * settings.MONITOR_SAMPLE_SECONDS)
    sandboxes: list[dict[str, Any]] = []
    costs: list[float] = []
    for process in live_store.processes_read(within_s=within):
        costs.append(float(process.get("sample_cpu_ms", 0.0)))
        for sandbox in process.get("sandboxes", []):
            job = sandbox.get("job")
            if course_id is not None and (job is None or job["course_id"] != course_id):
                continue
            sandboxes.append(
                {
                    **sandbox,
                    "worker": worker_of.get(process["process"], ""),
                    "node": process.get("node", ""),
                    "sampled_at": datetime.datetime.fromtimestamp(process["time"], datetime.UTC),
                }
            )
    mean_cost = round(sum(costs) / len(costs), 2) if costs and course_id is None else None
    return sandboxes, mean_cost


def _nodes(records: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each node's images as the worker that listed them last saw them (the workers of a
    node all list the same Docker, each with its own heartbeat: an older list may lack an
    image pulled since)."""
    newest: dict[str, dict[str, Any]] = {}
    for record in records.values():
        if record.get("images") is None:
            continue
        node = record.get("node") or record.get("host", "")
        if node not in newest or record.get("time", 0) > newest[node].get("time", 0):
            newest[node] = record
    nodes: list[dict[str, Any]] = []
    for node, record in sorted(newest.items()):
        # A worker of the release before digests were listed sends none.
        images = [{"digests": [], **image} for image in record["images"]]
        total = sum(int(image["size_bytes"]) for image in images)
        nodes.append({"node": node, "images": images, "total_bytes": total})
    return nodes


def monitor_now(*, course_id: int | None = None) -> dict[str, Any]:
    """Everything the monitor page shows now, for the whole site or one course."""
    enabled = live_store.enabled()
    jobs = _running_jobs()
    workers, records = _workers(course_id, jobs) if enabled else ([], {})
    sandboxes, cost = _sandboxes(course_id, records) if enabled else ([], None)
    return {
        "enabled": enabled,
        "time": timezone.now(),
        "sample_seconds": settings.MONITOR_SAMPLE_SECONDS,
        "workers": workers,
        "sandboxes": sandboxes,
        "queues": _queues_now(course_id),
        "nodes": _nodes(records) if course_id is None else [],
        "sample_cpu_ms": cost,
    }


def monitor_history(*, course_id: int | None = None) -> dict[str, Any]:
    """The last hour, one point per `live_store.HISTORY_STEP` seconds that anything was
    recorded in: sandboxes, their CPU, memory and disk, and each queue's jobs and wait."""
    points = []
    if live_store.enabled():
        for bucket, fields in live_store.history_read():
            queues = fields.pop("queues", {})
            totals = [0, 0.0, 0, 0]
            for process in fields.values():
                if course_id is None:
                    figures = [process["n"], process["cpu"], process["mem"], process["disk"]]
                else:
                    figures = process.get("courses", {}).get(str(course_id), [0, 0.0, 0, 0])
                totals = [a + b for a, b in zip(totals, figures, strict=True)]
            points.append(
                {
                    "time": datetime.datetime.fromtimestamp(bucket, datetime.UTC),
                    "sandboxes": int(totals[0]),
                    "cpu_percent": round(float(totals[1]), 1),
                    "memory_bytes": int(totals[2]),
                    "disk_bytes": int(totals[3]),
                    "queues": _queue_rows(queues, course_id),
                }
            )
    return {"step_seconds": live_store.HISTORY_STEP, "points": points}


def _queue_rows(queues: dict[str, Any], course_id: int | None) -> list[dict[str, Any]]:
    """Per queue (in `Queue` order): the site's figures, or one course's."""
    rows = []
    for queue in Queue:
        found = queues.get(queue.value, {})
        if course_id is None:
            pending, running = found.get("pending", 0), found.get("running", 0)
            oldest = found.get("oldest_s", 0.0)
        else:
            pending, running, oldest = found.get("courses", {}).get(str(course_id), [0, 0, 0.0])
        rows.append(
            {"queue": queue.value, "pending": pending, "running": running, "oldest_wait_s": oldest}
        )
    return rows
