"""Resource use of running sandbox containers, for the live monitor. Plain Python: no Django.

Two ways to read a container's figures, the cheap one first:
- its cgroup files (`cpuacct.usage`/`cpu.stat`, `memory.usage_in_bytes`/`memory.current`,
  `memory.stat`), when this process can see them (a worker on the host, or a worker container
  with the host's `/sys/fs/cgroup` mounted read-only at `cgroup_root`): a few file reads;
- else Docker's stats API in its one-shot form (one request to the daemon per container).

CPU is cumulative (nanoseconds); `CpuRate` turns two samples into a percentage of one core.
Memory is what `docker stats` shows (usage less the inactive file cache); `tmpfs_bytes` is the
shared memory the container holds, which for a sandbox is the files in its tmpfs directories
(home, /tmp): its root file system is read-only, so this is its disk use.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import docker.errors
import requests.exceptions

_DOCKER_ERRORS = (docker.errors.DockerException, requests.exceptions.RequestException)


@dataclasses.dataclass(frozen=True)
class ContainerUsage:
    container_id: str
    cpu_ns: int
    """CPU time used since the container started, all its processes together."""
    memory_bytes: int
    memory_limit_bytes: int
    """0 when unknown or unlimited."""
    tmpfs_bytes: int
    source: str
    """"cgroup" or "docker": where the figures came from."""


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    if text == "max":
        return 0
    try:
        return int(text)
    except ValueError:
        return None


def _read_stat(path: Path) -> dict[str, int] | None:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return None
    values: dict[str, int] = {}
    for line in lines:
        key, _, value = line.partition(" ")
        if value.strip().isdigit():
            values[key] = int(value)
    return values


UNLIMITED_V1 = 1 << 62
"""cgroup v1 writes a huge number (page-rounded 2^63-1) for "no limit"."""


class CgroupReader:
    """Reads containers' figures from cgroup files under `root` (v1 or v2; the `cgroupfs`
    and `systemd` drivers' layouts). `read` returns None when the files are not visible."""

    def __init__(self, root: str | Path = "/sys/fs/cgroup") -> None:
        self.root = Path(root)
        self.v2 = (self.root / "cgroup.controllers").exists()

    def _dirs(self, controller: str, container_id: str) -> list[Path]:
        base = self.root if self.v2 else self.root / controller
        return [
            base / "docker" / container_id,
            base / "system.slice" / f"docker-{container_id}.scope",
        ]

    def _find(self, controller: str, container_id: str, probe: str) -> Path | None:
        for directory in self._dirs(controller, container_id):
            if (directory / probe).exists():
                return directory
        return None

    def read(self, container_id: str) -> ContainerUsage | None:
        return self._read_v2(container_id) if self.v2 else self._read_v1(container_id)

    def _read_v1(self, container_id: str) -> ContainerUsage | None:
        mem = self._find("memory", container_id, "memory.usage_in_bytes")
        cpu = self._find("cpuacct", container_id, "cpuacct.usage")
        if mem is None or cpu is None:
            return None
        usage = _read_int(mem / "memory.usage_in_bytes")
        limit = _read_int(mem / "memory.limit_in_bytes")
        stat = _read_stat(mem / "memory.stat")
        cpu_ns = _read_int(cpu / "cpuacct.usage")
        if usage is None or stat is None or cpu_ns is None:
            return None  # removed between the checks and the reads
        inactive = stat.get("total_inactive_file", stat.get("inactive_file", 0))
        return ContainerUsage(
            container_id=container_id,
            cpu_ns=cpu_ns,
            memory_bytes=max(0, usage - inactive),
            memory_limit_bytes=0 if limit is None or limit >= UNLIMITED_V1 else limit,
            tmpfs_bytes=stat.get("total_shmem", stat.get("shmem", 0)),
            source="cgroup",
        )

    def _read_v2(self, container_id: str) -> ContainerUsage | None:
        directory = self._find("", container_id, "memory.current")
        if directory is None:
            return None
        usage = _read_int(directory / "memory.current")
        limit = _read_int(directory / "memory.max")
        stat = _read_stat(directory / "memory.stat")
        cpu = _read_stat(directory / "cpu.stat")
        if usage is None or stat is None or cpu is None:
            return None
        return ContainerUsage(
            container_id=container_id,
            cpu_ns=cpu.get("usage_usec", 0) * 1000,
            memory_bytes=max(0, usage - stat.get("inactive_file", 0)),
            memory_limit_bytes=limit or 0,
            tmpfs_bytes=stat.get("shmem", 0),
            source="cgroup",
        )


def usage_from_docker_stats(container_id: str, stats: dict[str, Any]) -> ContainerUsage | None:
    """Docker's stats body (cgroup v1 or v2 keys) as a `ContainerUsage`."""
    memory = stats.get("memory_stats") or {}
    cpu = (stats.get("cpu_stats") or {}).get("cpu_usage") or {}
    if "usage" not in memory or "total_usage" not in cpu:
        return None  # the container stopped: Docker answers with empty sections
    detail: dict[str, int] = memory.get("stats") or {}
    inactive = detail.get("total_inactive_file", detail.get("inactive_file", 0))
    limit = int(memory.get("limit") or 0)
    return ContainerUsage(
        container_id=container_id,
        cpu_ns=int(cpu["total_usage"]),
        memory_bytes=max(0, int(memory["usage"]) - int(inactive)),
        memory_limit_bytes=0 if limit >= UNLIMITED_V1 else limit,
        tmpfs_bytes=int(detail.get("total_shmem", detail.get("shmem", 0))),
        source="docker",
    )


DOCKER_STATS_PARALLEL = 16
"""Docker stats requests in flight at once: the daemon may hold a one-shot answer for up to a
second (its collection tick), so they are asked for side by side, not one after another."""


class UsageReader:
    """Cgroup files where visible, Docker's one-shot stats otherwise (per container)."""

    def __init__(self, api: Any, cgroup_root: str | Path = "/sys/fs/cgroup") -> None:
        self.api = api
        self.cgroups = CgroupReader(cgroup_root)
        self._lock = threading.Lock()
        self.helper_cpu_s = 0.0
        """CPU time spent in helper threads asking Docker (it grows; callers take deltas)."""

    def read(self, container_id: str) -> ContainerUsage | None:
        """None when the container is gone (or Docker does not answer)."""
        found = self.cgroups.read(container_id)
        if found is not None:
            return found
        return self._from_docker(container_id)

    def _from_docker(self, container_id: str) -> ContainerUsage | None:
        try:
            stats = self.api.stats(container_id, stream=False, one_shot=True)
        except _DOCKER_ERRORS:
            return None
        return usage_from_docker_stats(container_id, stats)

    def _from_docker_counted(self, container_id: str) -> ContainerUsage | None:
        started = time.thread_time()
        try:
            return self._from_docker(container_id)
        finally:
            with self._lock:
                self.helper_cpu_s += time.thread_time() - started

    def read_many(self, container_ids: Iterable[str]) -> dict[str, ContainerUsage]:
        """The containers still there, by id: cgroup files first, Docker for the rest."""
        found: dict[str, ContainerUsage] = {}
        missing: list[str] = []
        for container_id in container_ids:
            usage = self.cgroups.read(container_id)
            if usage is None:
                missing.append(container_id)
            else:
                found[container_id] = usage
        if len(missing) == 1:
            usage = self._from_docker(missing[0])
            if usage is not None:
                found[missing[0]] = usage
        elif missing:
            with ThreadPoolExecutor(min(DOCKER_STATS_PARALLEL, len(missing))) as pool:
                for usage_or_none in pool.map(self._from_docker_counted, missing):
                    if usage_or_none is not None:
                        found[usage_or_none.container_id] = usage_or_none
        return found


class CpuRate:
    """CPU use between consecutive samples of each container, in percent of one core."""

    def __init__(self) -> None:
        self._last: dict[str, tuple[int, float]] = {}

    def percent(self, usage: ContainerUsage, at: float | None = None) -> float | None:
        """None for a container's first sample (nothing to compare with yet)."""
        now = time.monotonic() if at is None else at
        previous = self._last.get(usage.container_id)
        self._last[usage.container_id] = (usage.cpu_ns, now)
        if previous is None or now <= previous[1]:
            return None
        used_ns = max(0, usage.cpu_ns - previous[0])
        return round(100.0 * used_ns / ((now - previous[1]) * 1e9), 1)

    def forget_all_but(self, container_ids: set[str]) -> None:
        for gone in set(self._last) - container_ids:
            del self._last[gone]
