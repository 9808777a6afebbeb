"""Live status events benchmark: how long after a status change commits a watcher gets it.

A watcher is what `/api/submissions/<id>/events/` runs (`events.watch_submission_blocking`
for WSGI servers, `events.watch_submission` for ASGI ones), with the same snapshot function.
For each sample the benchmark uploads a submission (through `submission_create`, as the API
does), starts a watcher, then after a random pause of 0.2-0.8 s commits `being_graded`, and
after another `finished_grading`, with the timestamps and the publishing the grader does. The
latency of a change is the time from its commit to the watcher yielding the frame with it.

Variants: with Redis (`AG_REDIS_URL`, as deployed: a publish wakes the watcher) and without
(the quickstart's fallback: the watcher polls the database every `events.POLL_SECONDS`), each
over WSGI and ASGI. docs/grading-pipeline.md promises each change "within about a second"
with Redis; without it a change waits for the next poll. `target_met` says whether the p95 of
each Redis variant is at most 1 s and of each polling one at most one poll interval + 0.5 s.

Isolation: like pipeline_bench.py, it drops and creates its own database (`--db-name`,
default ag_events_bench) on the server of AG_DATABASE_URL, and drops it at the end. It
publishes only on the channels of its own submissions.

    cd autograder-server
    AG_DATABASE_URL=postgres://postgres@127.0.0.1:5432/autograder \\
    AG_REDIS_URL=redis://127.0.0.1:6379/0 \\
    ../.venv/bin/python benchmarks/events_bench.py [--samples 10]

About a minute with the default 10 samples per variant. Progress goes to stderr; the last
line on stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pipeline_bench import (  # the sibling benchmark's database and data helpers
    Environment,
    course_create,
    database_create,
    database_drop,
    database_url,
    django_setup,
    groups_create,
    project_create,
    upload,
)

SERVER_DIR = Path(__file__).resolve().parent.parent
TARGET_P95_S = 1.0
CHANGES = ("being_graded", "finished_grading")


def log(message: str) -> None:
    print(f"[events-bench] {message}", file=sys.stderr, flush=True)


class Watcher:
    """One watcher in a thread of its own, noting when each frame arrives."""

    def __init__(self, submission_id: int, server: str) -> None:
        from django.db import connections

        from autograder.grading.pipeline import events
        from autograder.grading.pipeline.api import _is_final
        from autograder.grading.pipeline.selectors import submission_status_snapshot

        self.arrivals: list[tuple[float, str]] = []
        snapshot = functools.partial(submission_status_snapshot, submission_id=submission_id)

        def run_wsgi() -> None:
            try:
                stream = events.watch_submission_blocking(
                    submission_id=submission_id, snapshot=snapshot, is_final=_is_final
                )
                self._note(stream)
            finally:
                connections.close_all()

        async def run_asgi() -> None:
            from asgiref.sync import sync_to_async

            async_snapshot = sync_to_async(snapshot)

            async def current() -> dict[str, Any]:
                state: dict[str, Any] = await async_snapshot()
                return state

            stream = events.watch_submission(
                submission_id=submission_id, snapshot=current, is_final=_is_final
            )
            try:
                await self._note_async(stream)
            finally:
                await sync_to_async(connections.close_all)()

        target = run_wsgi if server == "wsgi" else lambda: asyncio.run(run_asgi())
        self.thread = threading.Thread(target=target, daemon=True)
        self.thread.start()

    def _record(self, frame: bytes) -> None:
        if frame.startswith(b"event: status"):
            data = json.loads(frame.split(b"data: ", 1)[1])
            self.arrivals.append((time.monotonic(), str(data["status"])))

    def _note(self, stream: Iterator[bytes]) -> None:
        for frame in stream:
            self._record(frame)

    async def _note_async(self, stream: AsyncIterator[bytes]) -> None:
        async for frame in stream:
            self._record(frame)


def change_status(submission_id: int, status: str) -> float:
    """Commits a status change with the timestamps the grader sets, and publishes it as the
    grader does; returns when it committed."""
    from django.db import transaction
    from django.utils import timezone

    from autograder.submissions.models import SubmissionStatus
    from autograder.submissions.status import submission_status_set

    now = timezone.now()
    stamps = (
        {"grading_started_at": now}
        if status == "being_graded"
        else {"non_deferred_finished_at": now, "finished_at": now}
    )
    with transaction.atomic():  # as the grader changes it
        submission_status_set(
            submission_id=submission_id,
            status=SubmissionStatus(status),
            only_from=None,
            **stamps,
        )
    return time.monotonic()


def sample(group: Any, student: Any, server: str) -> list[float]:
    """One submission's latencies (seconds), one per change."""
    submission_id = upload(group, student).submission_id
    watcher = Watcher(submission_id, server)
    deadline = time.monotonic() + 10
    while not watcher.arrivals and time.monotonic() < deadline:
        time.sleep(0.01)
    committed = {}
    for status in CHANGES:
        time.sleep(random.uniform(0.2, 0.8))  # not in step with a polling watcher
        committed[status] = change_status(submission_id, status)
    watcher.thread.join(timeout=30)
    if watcher.thread.is_alive():
        raise RuntimeError(f"the {server} watcher did not end: {watcher.arrivals}")
    seen = [status for _, status in watcher.arrivals]
    if seen != ["queued", *CHANGES]:
        raise RuntimeError(f"the {server} watcher saw {seen}, not every change once")
    return [at - committed[status] for at, status in watcher.arrivals[1:]]


def summary(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def run(samples: int, redis_url: str) -> dict[str, Any]:
    from django.conf import settings

    course = course_create()
    project = project_create(course=course, name="Events benchmark", commands=[("true", "")])
    results: dict[str, Any] = {}
    for delivery in ("redis", "polling"):
        settings.REDIS_URL = redis_url if delivery == "redis" else ""
        for server in ("wsgi", "asgi"):
            pairs = groups_create(project, samples, f"{delivery}-{server}")
            latencies = [x for group, student in pairs for x in sample(group, student, server)]
            results[f"{delivery}_{server}"] = summary(latencies)
            log(f"{delivery} {server}: {results[f'{delivery}_{server}']}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=10, help="submissions per variant")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("AG_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/autograder"),
        help="server to use (its database name is replaced by --db-name)",
    )
    parser.add_argument("--db-name", default="ag_events_bench", help="dropped and created afresh")
    parser.add_argument(
        "--redis-url", default=os.environ.get("AG_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    args = parser.parse_args()
    if args.samples < 1:
        parser.error("--samples must be at least 1")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ag-events-bench-") as tmp:
        env = dict(os.environ) | {
            "AG_DATABASE_URL": database_url(args.database_url, args.db_name),
            "AG_REDIS_URL": args.redis_url,
            "AG_DATA_DIR": tmp,
            "AG_MEDIA_ROOT": str(Path(tmp) / "media"),
            "AG_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "autograder.settings",
            "PYTHONPATH": str(SERVER_DIR),
        }
        environment = Environment(
            env=env,
            data_dir=Path(tmp),
            admin_url=database_url(args.database_url, "postgres"),
            db_name=args.db_name,
        )
        log("creating the database and migrating")
        database_create(environment)
        try:
            django_setup(environment)
            variants = run(args.samples, args.redis_url)
        finally:
            with contextlib.suppress(Exception):
                database_drop(environment)
    from autograder.grading.pipeline import events

    targets_s = {
        name: TARGET_P95_S if name.startswith("redis") else events.POLL_SECONDS + 0.5
        for name in variants
    }
    result = {
        **variants,
        "poll_interval_s": events.POLL_SECONDS,
        "target_p95_s": targets_s,
        "target_met": all(variants[n]["p95_ms"] <= t * 1000 for n, t in targets_s.items()),
        "samples_per_variant": args.samples * len(CHANGES),
        "elapsed_s": round(time.monotonic() - started, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
