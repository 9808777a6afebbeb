"""Fixtures for the sandbox tests, which run against a real Docker daemon.

With CI=true a missing daemon or image is a failure, not a skip. Every test that
uses `sandbox` also gets `host_guard`, which checks the host afterwards: the
test's containers are gone, no student process of theirs is left, a canary process
run as the student's uid on the host survived, nothing of theirs reached the host
disk or still holds memory, and the next sandbox from the same pool is clean.

The guard looks only at what the test started (containers with this process's
owner label, containers created through the backend while it watched, and those a
test hands it with `track`), so a grading worker or another test run sharing the
Docker daemon neither trips it nor hides a leak of the test's own.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import docker.errors
import pytest

from autograder.sandbox.docker_backend import LABEL_OWNER, DockerBackend, DockerSandbox, owner_id
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


CONTAINER_ID = re.compile(r"\b[0-9a-f]{64}\b")


def container_of(pid: int) -> str | None:
    """The id of the Docker container whose cgroup holds a host process, if any."""
    try:
        with open(f"/proc/{pid}/cgroup") as f:
            found = CONTAINER_ID.search(f.read())
    except OSError:
        return None
    return found.group(0) if found else None


def student_processes_in(container_ids: set[str]) -> list[int]:
    """Live host processes with the student's uid that belong to one of these containers."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status") as f:
                status = f.read()
        except OSError:
            continue
        uid_line = next((ln for ln in status.splitlines() if ln.startswith("Uid:")), "Uid: -1")
        state = next((ln for ln in status.splitlines() if ln.startswith("State:")), "State: Z")
        if int(uid_line.split()[1]) != STUDENT_UID or state.split()[1] == "Z":
            continue
        if container_of(int(name)) in container_ids:
            found.append(int(name))
    return found


def memory_cgroup_dir(pid: int) -> str | None:
    """The memory cgroup directory of a host process (cgroup v1 or v2)."""
    try:
        with open(f"/proc/{pid}/cgroup") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    unified = None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            return f"/sys/fs/cgroup/memory{path}"
        if controllers == "":
            unified = f"/sys/fs/cgroup{path}"
    return unified


def host_disk_bytes(backend: DockerBackend, container_id: str) -> int:
    """Bytes a container keeps on the host disk: its writable layer and its log.

    Fails if it has any volume or bind mount: those would outlive the container.
    """
    info = backend.api.inspect_container(container_id)
    assert info["Mounts"] == [], f"container {container_id[:12]} has mounts: {info['Mounts']}"
    listed = backend.api.containers(all=True, size=True, filters={"id": container_id})
    assert listed, f"container {container_id[:12]} is gone"
    log_path = info.get("LogPath") or ""
    log_bytes = os.stat(log_path).st_size if os.path.exists(log_path) else 0
    return int(listed[0].get("SizeRw") or 0) + log_bytes


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


@dataclass
class HostGuard:
    """Host invariants about the containers one test started.

    `start` snapshots this process's containers and begins recording every
    container the backend creates; `check` (after the test released its sandboxes)
    asserts on exactly those, plus any a test passed to `track`; `stop` ends the
    recording. Containers of other owners on the same daemon are not looked at.
    """

    backend: DockerBackend
    pools: DockerPoolManager
    canary: subprocess.Popen[bytes] | None
    ids: set[str] = field(default_factory=set)
    settle_s: float = 15.0
    """How long released containers may take to disappear."""
    memory_cgroups: dict[str, str] = field(default_factory=dict)
    _create: Callable[..., DockerSandbox] | None = field(default=None, init=False, repr=False)

    def own_labelled(self) -> list[str]:
        """Ids of the labelled containers this process created, from Docker's list."""
        me = owner_id()
        return [
            str(c["Id"])
            for c in self.backend.labelled_containers()
            if (c.get("Labels") or {}).get(LABEL_OWNER) == me
        ]

    def track(self, container_id: str) -> None:
        """Hold this labelled container to the guard's checks too (one made outside the
        backend, or by another process on the test's behalf)."""
        self.ids.add(container_id)
        try:
            pid = int(self.backend.api.inspect_container(container_id)["State"]["Pid"])
        except docker.errors.NotFound:
            return  # already gone: checked for leftover processes by id alone
        cgroup = memory_cgroup_dir(pid) if pid else None
        # An exiting process is moved to the root cgroup: only a path naming the
        # container is the container's.
        if cgroup is not None and container_id in cgroup and os.path.isdir(cgroup):
            self.memory_cgroups[container_id] = cgroup

    def start(self) -> None:
        original = self.backend.create
        self._create = original

        def recording_create(
            image: str,
            spec: ContainerSpec,
            on_release: Callable[[DockerSandbox], None] | None = None,
        ) -> DockerSandbox:
            sb = original(image, spec, on_release)
            self.track(sb.id)
            return sb

        setattr(self.backend, "create", recording_create)  # noqa: B010 - undone by stop()
        # A container the pool's filler began creating before the line above is recorded
        # only by Docker's list: take it once the test pool is full (nothing in flight).
        self.pools.pool(IMAGE, TEST_SPEC).wait_warm(30)
        for container_id in self.own_labelled():
            self.track(container_id)

    def stop(self) -> None:
        if self._create is not None:
            setattr(self.backend, "create", self._create)  # noqa: B010
            self._create = None

    def leftovers(self) -> tuple[list[str], list[str]]:
        """The test's containers that still exist though released, and the memory cgroups
        of its removed containers that still exist."""
        live = self.backend.live_ids()
        existing = {str(c["Id"]) for c in self.backend.labelled_containers()}
        # Pool threads keep tracking the containers they start: read copies (a copy of a
        # set or dict is taken in one step).
        ids, cgroups = set(self.ids), dict(self.memory_cgroups)
        stray = sorted(i[:12] for i in (existing & ids) - live)
        held = sorted(
            cgroup
            for container_id, cgroup in cgroups.items()
            if container_id not in live and os.path.isdir(cgroup)
        )
        return stray, held

    def check(self) -> None:
        """Host invariants after every sandbox of the test was released."""
        assert self.pools.wait_resets(60), "resets did not finish"
        assert self.pools.reaper.drain(60), "teardown did not finish"
        self.ids.update(self.own_labelled())
        deadline = time.monotonic() + self.settle_s
        stray, held = self.leftovers()
        while (stray or held) and time.monotonic() < deadline:
            time.sleep(0.1)
            stray, held = self.leftovers()
        assert stray == [], f"containers left behind: {stray}"
        leftovers = student_processes_in(set(self.ids))
        assert leftovers == [], f"student processes left on the host: {leftovers}"
        if self.canary is not None:
            assert self.canary.poll() is None, "the host canary process was killed"
        # A removed container's memory (its tmpfs pages included) goes with its cgroup.
        assert held == [], f"memory cgroups of removed containers remain: {held}"
        self.check_next_is_clean()

    def check_disk(self, container_id: str) -> None:
        """tmpfs lives in memory: nothing a student writes may land on the host disk."""
        used = host_disk_bytes(self.backend, container_id)
        assert used < MiB, f"container {container_id[:12]} put {used // 1024} KiB on the host disk"

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
    guard.start()
    try:
        yield guard
        guard.check()
    finally:
        guard.stop()


@pytest.fixture
def sandbox(pools: DockerPoolManager, host_guard: HostGuard) -> Iterator[DockerSandbox]:
    """A fresh hardened sandbox from the shared test pool; host invariants checked after."""
    sb = pools.acquire(IMAGE, TEST_SPEC)
    try:
        yield sb
        host_guard.check_disk(sb.id)
    finally:
        sb.release()
