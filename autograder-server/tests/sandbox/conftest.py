"""Fixtures for the sandbox tests, which run against a real Docker daemon.

With CI=true a missing daemon or image is a failure, not a skip. Every test that
uses `sandbox` also gets `host_guard`, which checks the host afterwards: the
container is gone, no student process is left on the host, a canary process run
as the student's uid on the host survived, disk and memory did not leak, and the
next sandbox from the same pool is clean.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from autograder.sandbox.docker_backend import DockerBackend, DockerSandbox
from autograder.sandbox.docker_pool import DockerPoolManager
from autograder.sandbox.errors import SandboxError
from autograder.sandbox.interface import ContainerSpec, Limits, Outcome

IMAGE = os.environ.get("AG_SANDBOX_TEST_IMAGE", "ag-sandbox-default:latest")
STUDENT_UID = 2000  # the image's `autograder` user
MiB = 1024 * 1024

TEST_SPEC = ContainerSpec(
    memory_bytes=256 * MiB, pids=128, cpus=1.0, workdir_bytes=64 * MiB, tmp_bytes=16 * MiB
)

CLEAN_CHECK = r"""
import json, os
pids = [p for p in os.listdir("/proc") if p.isdigit()]
print(json.dumps({
    "tmp": sorted(os.listdir("/tmp")),
    "shm": sorted(os.listdir("/dev/shm")),
    "home": sorted(os.listdir(os.environ["HOME"])),
    "work": sorted(os.listdir(".")),
    "pids": len(pids),
}))
"""


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"the sandbox tests need Docker in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def backend() -> DockerBackend:
    try:
        backend = DockerBackend()
        backend.api.ping()
    except (SandboxError, Exception) as e:
        _unavailable(f"Docker is not reachable ({e}); run scripts/ensure-docker.sh")
        raise
    try:
        backend.api.inspect_image(IMAGE)  # type: ignore[no-untyped-call]  # untyped in types-docker
    except Exception:
        _unavailable(f"image {IMAGE} is missing; run scripts/build-sandbox-image.sh")
        raise
    return backend


@pytest.fixture(scope="session")
def pools(backend: DockerBackend) -> Iterator[DockerPoolManager]:
    manager = DockerPoolManager(backend, pool_size=2, sweep_interval_s=0)
    yield manager
    manager.close()


def student_processes_on_host(exclude: set[int]) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) in exclude:
            continue
        try:
            with open(f"/proc/{name}/status") as f:
                status = f.read()
        except OSError:
            continue
        uid_line = next((ln for ln in status.splitlines() if ln.startswith("Uid:")), "Uid: -1")
        state = next((ln for ln in status.splitlines() if ln.startswith("State:")), "State: Z")
        if int(uid_line.split()[1]) == STUDENT_UID and state.split()[1] != "Z":
            found.append(int(name))
    return found


@pytest.fixture(scope="session")
def canary() -> Iterator[subprocess.Popen[bytes] | None]:
    """A host process with the student's uid: a sandbox escape by signal would hit it."""
    if os.geteuid() != 0:
        yield None
        return
    proc = subprocess.Popen(["sleep", "100000"], user=STUDENT_UID, group=STUDENT_UID)
    yield proc
    proc.kill()
    proc.wait()


def mem_available() -> int:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no MemAvailable")


@dataclass
class HostGuard:
    backend: DockerBackend
    pools: DockerPoolManager
    canary: subprocess.Popen[bytes] | None
    disk_free: int = 0
    mem_free: int = 0

    def snapshot(self) -> None:
        self.disk_free = shutil.disk_usage("/var/lib/docker").free
        self.mem_free = mem_available()

    def check(self) -> None:
        """Host invariants after every sandbox of the test was released."""
        assert self.pools.reaper.drain(60), "teardown did not finish"
        deadline = time.monotonic() + 15
        while True:
            stray = [
                c["Id"][:12]
                for c in self.backend.labelled_containers()
                if c["Id"] not in self.backend.live_ids()
            ]
            if not stray or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert stray == [], f"containers left behind: {stray}"
        exclude = {self.canary.pid} if self.canary else set()
        assert student_processes_on_host(exclude) == [], "student processes left on the host"
        if self.canary is not None:
            assert self.canary.poll() is None, "the host canary process was killed"
        # tmpfs lives in memory: nothing a student writes may land on the host disk.
        disk_used = self.disk_free - shutil.disk_usage("/var/lib/docker").free
        assert disk_used < 64 * MiB, f"host disk shrank by {disk_used // MiB} MiB"
        mem_used = self.mem_free - mem_available()
        assert mem_used < 512 * MiB, f"host memory shrank by {mem_used // MiB} MiB"
        self.check_next_is_clean()

    def check_next_is_clean(self) -> None:
        nxt = self.pools.acquire(IMAGE, TEST_SPEC)
        try:
            result = nxt.run(["python3", "-c", CLEAN_CHECK], limits=Limits(timeout_s=10))
        finally:
            nxt.release()
        assert result.outcome is Outcome.EXITED and result.exit_code == 0, result
        state = json.loads(result.stdout)
        assert state == {"tmp": [], "shm": [], "home": ["working_dir"], "work": [], "pids": 3}


@pytest.fixture
def host_guard(
    backend: DockerBackend, pools: DockerPoolManager, canary: subprocess.Popen[bytes] | None
) -> Iterator[HostGuard]:
    guard = HostGuard(backend, pools, canary)
    guard.snapshot()
    yield guard
    guard.check()


@pytest.fixture
def sandbox(pools: DockerPoolManager, host_guard: HostGuard) -> Iterator[DockerSandbox]:
    """A fresh hardened sandbox from the shared test pool; host invariants checked after."""
    sb = pools.acquire(IMAGE, TEST_SPEC)
    yield sb
    sb.release()
