"""Teardown off the caller's path, and a sweep for containers nobody tracks.

`release()` only hangs up and queues the container here; a background thread
kills and removes it. The sweep removes labelled containers this process lost
track of, containers of dead worker processes on this host (a crashed worker),
and any labelled container older than the maximum age.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

from autograder.sandbox.docker_backend import (
    LABEL_CREATED,
    LABEL_OWNER,
    DockerBackend,
    owner_alive,
    owner_id,
)

logger = logging.getLogger(__name__)


class Reaper:
    """Removes released containers in the background and sweeps periodically."""

    def __init__(
        self, backend: DockerBackend, *, sweep_interval_s: float | None = None, threads: int = 2
    ) -> None:
        self._backend = backend
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._pending = 0
        self._queued: set[str] = set()
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._workers = [
            threading.Thread(target=self._work, name=f"sandbox-reaper-{i}", daemon=True)
            for i in range(threads)
        ]
        for worker in self._workers:
            worker.start()
        interval = (
            backend.settings.sweep_interval_s if sweep_interval_s is None else sweep_interval_s
        )
        self._sweeper: threading.Thread | None = None
        if interval > 0:
            self._sweeper = threading.Thread(
                target=self._sweep_loop, args=(interval,), name="sandbox-sweeper", daemon=True
            )
            self._sweeper.start()

    def remove_later(self, container_id: str) -> None:
        """Queue a container for removal; returns at once."""
        with self._cond:
            self._pending += 1
            self._queued.add(container_id)
        self._queue.put(container_id)

    def queued_ids(self) -> set[str]:
        """Released containers not removed yet (they serve nobody any more)."""
        with self._cond:
            return set(self._queued)

    def drain(self, timeout: float = 60.0) -> bool:
        """Wait until every queued removal is done; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    def _work(self) -> None:
        while True:
            container_id = self._queue.get()
            if container_id is None:
                return
            try:
                self._backend.remove(container_id)
            except Exception:
                # The sweep retries anything left behind.
                logger.exception("could not remove sandbox container %s", container_id[:12])
            finally:
                with self._cond:
                    self._pending -= 1
                    self._queued.discard(container_id)
                    self._cond.notify_all()

    def _sweep_loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.sweep()
            except Exception:
                logger.exception("sandbox sweep failed")

    def sweep(self) -> list[str]:
        """Remove lost containers now; returns the ids removed."""
        removed = []
        for container in self._backend.labelled_containers():
            if self._is_lost(container):
                container_id = str(container["Id"])
                logger.warning("removing lost sandbox container %s", container_id[:12])
                self._backend.remove(container_id)
                removed.append(container_id)
        return removed

    def _is_lost(self, container: dict[str, Any]) -> bool:
        labels = container.get("Labels") or {}
        owner = labels.get(LABEL_OWNER, "")
        created = float(labels.get(LABEL_CREATED, "0") or 0)
        if time.time() - created > self._backend.settings.max_age_s:
            return True
        if owner == owner_id():
            # A container being created is not yet among the live ones.
            settled = time.time() - created > self._backend.settings.start_timeout_s + 5
            return settled and container["Id"] not in self._backend.live_ids()
        return owner_alive(owner) is False

    def close(self) -> None:
        """Finish queued removals and stop the threads."""
        self._stop.set()
        for _ in self._workers:
            self._queue.put(None)
        for worker in self._workers:
            worker.join(timeout=60)
