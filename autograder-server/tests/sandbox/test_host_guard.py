"""The host guard checks what its test started, and only that.

A grading worker (or another test run) on the same Docker daemon has containers with
the same labels and student processes with the same uid; the guard must neither fail
because of them nor stop catching a leak of the test's own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from autograder.sandbox.docker_backend import (
    LABEL,
    LABEL_CREATED,
    LABEL_OWNER,
    DockerBackend,
    owner_id,
)
from autograder.sandbox.docker_pool import DockerPoolManager
from tests.sandbox.conftest import (
    IMAGE,
    STUDENT_UID,
    TEST_SPEC,
    HostGuard,
    MiB,
    container_of,
    host_disk_bytes,
    student_processes_in,
)

pytestmark = pytest.mark.slow

SERVER_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

OTHER_WORKER = """
import json, sys, threading
from autograder.sandbox.docker_backend import owner_id
from autograder.sandbox.interface import ContainerSpec, Limits
from autograder.sandbox.docker_pool import DockerPoolManager
pools = DockerPoolManager(pool_size=2, sweep_interval_s=0)
spec = ContainerSpec(memory_bytes=128 * 1024 * 1024, pids=64)
busy = pools.acquire(sys.argv[1], spec)
# A student command still running in this worker while the test runs.
threading.Thread(
    target=lambda: busy.run(["sleep", "120"], limits=Limits(timeout_s=120)), daemon=True
).start()
pools.pool(sys.argv[1], spec).wait_warm(60)
print(json.dumps({"owner": owner_id(), "busy": busy.id}), flush=True)
sys.stdin.readline()
busy.release()
pools.close()
"""


def uid_processes(uid: int) -> list[int]:
    """Every live host process with this uid (what the guard used to count)."""
    found = []
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{name}/status") as f:
                status = dict(ln.split(":", 1) for ln in f.read().splitlines() if ":" in ln)
        except OSError:
            continue
        if int(status["Uid"].split()[0]) == uid and status["State"].split()[0] != "Z":
            found.append(int(name))
    return found


@pytest.fixture
def other_worker(backend: DockerBackend) -> Iterator[dict[str, str]]:
    """Another process with a warm pool and a student command running, as a grading worker."""
    proc = subprocess.Popen(
        [sys.executable, "-c", OTHER_WORKER, IMAGE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=SERVER_DIR,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        line = proc.stdout.readline()
        assert line, "the other worker did not start"
        info: dict[str, str] = json.loads(line)
        deadline = time.monotonic() + 30
        while not student_processes_in({info["busy"]}) and time.monotonic() < deadline:
            time.sleep(0.1)
        yield info
    finally:
        proc.stdin.close()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_other_owners_sandboxes_do_not_trip_the_guard(
    backend: DockerBackend,
    pools: DockerPoolManager,
    canary: subprocess.Popen[bytes] | None,
    host_guard: HostGuard,
    other_worker: dict[str, str],
) -> None:
    theirs = [
        c["Id"]
        for c in backend.labelled_containers()
        if c["Labels"].get(LABEL_OWNER) == other_worker["owner"]
    ]
    # What the guard once counted is there: labelled containers that are not this
    # process's (the one in use and at least one idle), and a process with the student's
    # uid in one of them.
    assert other_worker["busy"] in theirs and len(theirs) >= 2
    assert not set(theirs) & backend.live_ids()
    assert other_worker["busy"] in {container_of(p) for p in uid_processes(STUDENT_UID)}

    guard = HostGuard(backend, pools, canary)
    guard.start()
    try:
        sb = pools.acquire(IMAGE, TEST_SPEC)
        assert sb.id in guard.ids and sb.id in guard.memory_cgroups
        assert sb.run(["sh", "-c", "echo mine"]).stdout == b"mine\n"
        guard.check_disk(sb.id)
        sb.release()
        guard.check()
    finally:
        guard.stop()
    assert not guard.ids & set(theirs)


def own_container(backend: DockerBackend, **create: object) -> str:
    """A labelled container with this process's owner label that the backend does not track."""
    container_id = str(
        backend.api.create_container(
            IMAGE,
            labels={LABEL: "1", LABEL_OWNER: owner_id(), LABEL_CREATED: str(int(time.time()))},
            **create,  # type: ignore[arg-type]  # keyword arguments of create_container
        )["Id"]
    )
    backend.api.start(container_id)
    return container_id


def test_guard_catches_its_own_container_left_behind(
    backend: DockerBackend,
    pools: DockerPoolManager,
    canary: subprocess.Popen[bytes] | None,
    host_guard: HostGuard,
) -> None:
    guard = HostGuard(backend, pools, canary, settle_s=1)
    guard.start()
    container_id = ""
    try:
        container_id = own_container(
            backend,
            command=["sleep", "1000"],
            host_config=backend.api.create_host_config(network_mode="none"),
        )
        with pytest.raises(AssertionError, match="containers left behind"):
            guard.check()
    finally:
        guard.stop()
        if container_id:
            backend.remove(container_id)


def test_guard_catches_a_student_process_left_in_its_own_container(
    backend: DockerBackend,
    pools: DockerPoolManager,
    canary: subprocess.Popen[bytes] | None,
    host_guard: HostGuard,
) -> None:
    guard = HostGuard(backend, pools, canary, settle_s=1)
    guard.start()
    sb = pools.acquire(IMAGE, TEST_SPEC)
    try:
        # Not through the runner (which kills what a command leaves): as if it failed to.
        exec_id = backend.api.exec_create(sb.id, ["sleep", "1000"], user=f"{STUDENT_UID}")["Id"]
        backend.api.exec_start(exec_id, detach=True)
        deadline = time.monotonic() + 30
        while not student_processes_in({sb.id}) and time.monotonic() < deadline:
            time.sleep(0.1)
        with pytest.raises(AssertionError, match="student processes left on the host"):
            guard.check()
    finally:
        sb.release()
        guard.stop()


WRITES_TO_ITS_LAYER = ["sh", "-c", "head -c 3M /dev/zero >/x && sleep 1000"]


@pytest.mark.parametrize(
    ("create", "caught"),
    [
        ({"command": WRITES_TO_ITS_LAYER}, "on the host disk"),
        ({"command": ["sleep", "1000"], "volumes": ["/data"]}, "has mounts"),
    ],
    ids=["image-layer", "volume"],
)
def test_guard_catches_its_own_container_on_the_host_disk(
    backend: DockerBackend,
    pools: DockerPoolManager,
    canary: subprocess.Popen[bytes] | None,
    host_guard: HostGuard,
    create: dict[str, object],
    caught: str,
) -> None:
    guard = HostGuard(backend, pools, canary)
    container_id = own_container(
        backend, host_config=backend.api.create_host_config(network_mode="none"), **create
    )
    try:
        if "volumes" not in create:  # wait for the write to land
            deadline = time.monotonic() + 30
            while host_disk_bytes(backend, container_id) < 3 * MiB:
                assert time.monotonic() < deadline, "the container did not write its file"
                time.sleep(0.2)
        with pytest.raises(AssertionError, match=caught):
            guard.check_disk(container_id)
    finally:
        backend.api.remove_container(container_id, force=True, v=True)
