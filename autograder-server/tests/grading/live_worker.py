"""Real Celery worker and beat processes for pipeline tests, on the test database.

Each test run uses its own queue prefix, so it never shares wake-ups with another run (or a
benchmark) on the same RabbitMQ.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from autograder.grading.pipeline.queues import Queue

SERVER_DIR = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def worker_env(**extra: str) -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        "AG_DATABASE_URL": url,
        "AG_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "AG_QUEUE_PREFIX": settings.QUEUE_PREFIX,
        "AG_GRADING_LEASE_SECONDS": str(settings.GRADING_LEASE_SECONDS),
        "AG_REAPER_INTERVAL_SECONDS": "1",
        "AG_SANDBOX_POOL_SIZE": "1",
        "PYTHONPATH": str(SERVER_DIR),
        "DJANGO_SETTINGS_MODULE": "autograder.settings",
        # Between two tests the suite empties every table (TRUNCATE) while these processes
        # keep reaping and heartbeating. Should the two deadlock, the worker's side notices
        # first and gives way (its writes are retried); the test's cleanup never does.
        "PGOPTIONS": "-c deadlock_timeout=100ms",
        **extra,
    }


class LiveProcess:
    def __init__(self, args: list[str], log: Path, env: dict[str, str]) -> None:
        self.log = log
        self._out = log.open("ab")
        self.proc = subprocess.Popen(
            [CELERY, "-A", "autograder.celery", *args],
            cwd=SERVER_DIR,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signals the whole process group (the main process and its pool children)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self._out.close()

    def stop(self) -> None:
        self.kill(signal.SIGTERM)


def start_worker(
    tmp: Path, *, concurrency: int = 2, name: str = "w", env: dict[str, str] | None = None
) -> LiveProcess:
    """A worker on every queue; `env` adds or overrides environment variables."""
    worker = launch_worker(tmp, concurrency=concurrency, name=name, env=env)
    wait_for(lambda: b"ready." in worker.log.read_bytes(), timeout=60, what="the worker to start")
    return worker


def launch_worker(
    tmp: Path, *, concurrency: int = 2, name: str = "w", env: dict[str, str] | None = None
) -> LiveProcess:
    """Starts a worker without waiting for it to be ready."""
    queues = ",".join(f"{settings.QUEUE_PREFIX}{q.value}" for q in Queue)
    return LiveProcess(
        [
            "worker",
            "-Q",
            queues,
            "-c",
            str(concurrency),
            "-n",
            f"{name}-{os.getpid()}@%h",
            "-l",
            "info",
            "--without-mingle",
            "--without-gossip",
        ],
        tmp / f"{name}.log",
        worker_env(**(env or {})),
    )


def start_beat(tmp: Path) -> LiveProcess:
    return LiveProcess(
        ["beat", "-s", str(tmp / "beat-schedule"), "-l", "info"], tmp / "beat.log", worker_env()
    )


def wait_for(condition: Callable[[], Any], *, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def delete_queues(prefix: str) -> None:
    """Deletes the broker queues of a test run that used `prefix` (AG_QUEUE_PREFIX)."""
    from autograder.celery import app

    with app.connection_for_write() as conn:
        channel: Any = conn.default_channel  # kombu types channels as the bare protocol
        for queue in Queue:
            channel.queue_delete(f"{prefix}{queue.value}")
