"""Worker heartbeats: every AG_WORKER_HEARTBEAT_SECONDS a worker checks that it could claim and
grade a job right now, and says so twice: in the database (`WorkerHeartbeat`, which the
metrics endpoint exports) and in a small file in its container (AG_WORKER_HEALTH_FILE), which
`ag-healthcheck worker` reads without loading Django.

"Could claim and grade" means: the database answers, this worker's release is the deployed one,
its broker connection is up, and (for workers with a Docker socket) Docker answers. A worker
whose release is not the deployed one also stops itself here, idle or not.
"""

import dataclasses
import json
import logging
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from celery import signals
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from autograder.monitor import release, sampler
from autograder.monitor.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Check:
    healthy: bool
    problems: list[str]


def check_worker(*, broker_connected: bool, docker_socket: str | None) -> Check:
    """What stops this worker from claiming and grading a job now (nothing: healthy)."""
    problems: list[str] = []
    try:
        mismatch = release.release_mismatch()
    except Exception as error:  # any database failure: the worker cannot claim
        problems.append(f"database: {type(error).__name__}: {error}"[:300])
    else:
        if mismatch:
            problems.append(f"release: {mismatch}")
    if not broker_connected:
        problems.append("broker: not connected")
    if docker_socket and os.path.exists(docker_socket):
        problems.extend(_docker_problems())
    return Check(healthy=not problems, problems=problems)


def _docker_problems() -> list[str]:
    import docker

    try:
        client = docker.from_env(timeout=5)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as error:  # the daemon is down or the socket unusable
        return [f"docker: {type(error).__name__}: {error}"[:300]]
    return []


def record(*, name: str, queues: str, check: Check, health_file: Path) -> None:
    """Writes the local health file, then the database row (when the database answers)."""
    _write_atomically(
        health_file,
        {"time": time.time(), "healthy": check.healthy, "problems": check.problems, "name": name},
    )
    try:
        WorkerHeartbeat.objects.update_or_create(
            name=name,
            defaults={
                "release": release.running_release(),
                "queues": queues,
                "healthy": check.healthy,
                "problems": "\n".join(check.problems),
                "last_seen": timezone.now(),
            },
        )
    except Exception:  # the database is down: the file already says so
        logger.warning("Could not store the heartbeat of %s", name, exc_info=True)


def _write_atomically(path: Path, content: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".health-")
    with os.fdopen(fd, "w") as f:
        json.dump(content, f)
    os.replace(tmp, path)


class Heartbeat(threading.Thread):
    def __init__(self, consumer: Any) -> None:
        super().__init__(name="ag-heartbeat", daemon=True)
        self.consumer = consumer
        self.name_ = str(consumer.hostname)
        self.queues = ",".join(sorted(consumer.app.amqp.queues.consume_from or {}))
        self.health_file = Path(settings.WORKER_HEALTH_FILE)
        self.docker_socket = os.environ.get(
            "DOCKER_HOST", "unix:///var/run/docker.sock"
        ).removeprefix("unix://")

    def beat(self) -> Check:
        connection = getattr(self.consumer, "connection", None)
        check = check_worker(
            broker_connected=bool(connection is not None and connection.connected),
            docker_socket=self.docker_socket,
        )
        record(name=self.name_, queues=self.queues, check=check, health_file=self.health_file)
        try:
            sampler.worker_publish(self.consumer, name=self.name_, docker_socket=self.docker_socket)
        except Exception:  # Redis away: the live monitor goes stale, the heartbeat goes on
            logger.warning("Could not publish %s to the live monitor", self.name_, exc_info=True)
        if any(problem.startswith("release:") for problem in check.problems):
            logger.error("%s: %s. Stopping this worker.", self.name_, check.problems)
            release.stop_this_worker()
        return check

    def run(self) -> None:
        while True:
            try:
                self.beat()
            except Exception:  # never let the thread die: a missed beat makes it unhealthy
                logger.exception("Heartbeat of %s failed", self.name_)
            close_old_connections()  # this thread's own connection, not a request's
            time.sleep(settings.WORKER_HEARTBEAT_SECONDS)


def _on_worker_init(**_: Any) -> None:
    release.remember_worker_main_process()


def _on_worker_ready(sender: Any = None, **_: Any) -> None:
    if sender is not None and settings.WORKER_HEARTBEAT_SECONDS > 0:
        Heartbeat(sender).start()


def _on_worker_process_init(**_: Any) -> None:
    sampler.start_in_this_process()


def connect_signals() -> None:
    signals.worker_process_init.connect(
        _on_worker_process_init, weak=False, dispatch_uid="ag-worker-process-init"
    )
    signals.worker_init.connect(_on_worker_init, weak=False, dispatch_uid="ag-worker-init")
    signals.worker_ready.connect(_on_worker_ready, weak=False, dispatch_uid="ag-worker-ready")
