"""A container serves another acquire only after its runner reset it and found nothing left.

Each test takes sandboxes from a pool of its own (one container, so the next acquire gets
the reset one), plants what one submission could leave for the next, and checks the next
acquire of the same container sees a container as new.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import time
from collections.abc import Iterator
from dataclasses import replace

import docker.errors
import pytest

from autograder.sandbox.docker_backend import DockerBackend, DockerSandbox
from autograder.sandbox.docker_pool import DockerPoolManager
from autograder.sandbox.errors import SandboxBrokenError, SandboxClosedError
from autograder.sandbox.interface import ContainerSpec, Limits, Outcome, Owner, PutFile
from tests.sandbox.conftest import IMAGE, TEST_SPEC, HostGuard, _unavailable

pytestmark = pytest.mark.slow

SPEC = replace(TEST_SPEC, extra_dirs=("/data",))

PLANT = r"""
import ctypes, os
home = os.environ["HOME"]
# A tree deeper than PATH_MAX, and directories the student locked itself out of.
os.mkdir("deep"); os.chdir("deep")
for _ in range(40):
    os.mkdir("d" * 200); os.chdir("d" * 200)
open("leaf", "w").write("x")
os.chdir(home + "/working_dir")
os.mkdir("locked"); open("locked/f", "w").write("x"); os.chmod("locked", 0)
os.mkdir("/tmp/mine"); open("/tmp/mine/f", "w").write("x"); os.chmod("/tmp/mine", 0o1777)
open(home + "/.bashrc", "w").write("x")
open("/dev/shm/planted", "w").write("x")
open("/data/planted", "w").write("x")
os.symlink("/etc/passwd", "link")
os.mkfifo("/tmp/fifo")
libc = ctypes.CDLL(None, use_errno=True)
libc.mq_open.restype = ctypes.c_int
ids = [libc.shmget(1234, 4096, 0o1666), libc.msgget(99, 0o1666), libc.semget(77, 1, 0o1666),
       libc.mq_open(b"/planted", os.O_CREAT | os.O_RDWR, 0o666, None)]
print(ids)
"""

LOOK = r"""
import json, os
def listing(path):
    try:
        return sorted(os.listdir(path))
    except FileNotFoundError:
        return None
def ipc(kind):
    with open("/proc/sysvipc/" + kind) as f:
        return len(f.read().splitlines()) - 1
home = os.environ["HOME"]
print(json.dumps({
    "home": listing(home), "work": listing("."), "tmp": listing("/tmp"),
    "shm": listing("/dev/shm"), "mqueue": listing("/dev/mqueue"), "data": listing("/data"),
    "ipc": [ipc("shm"), ipc("msg"), ipc("sem")],
    "pids": len([p for p in os.listdir("/proc") if p.isdigit()]),
    "modes": [oct(os.stat(p).st_mode & 0o7777) for p in (home, ".")],
    "owners": [os.stat(p).st_uid for p in (home, ".")],
}))
"""

NEW = {
    "home": ["working_dir"],
    "work": [],
    "tmp": [],
    "shm": [],
    "mqueue": [],
    "data": [],
    "ipc": [0, 0, 0],
    "pids": 3,  # init, the runner, this command
    "modes": ["0o1777", "0o1777"],
    "owners": [0, 0],
}


@pytest.fixture
def one_container_pool(
    backend: DockerBackend, host_guard: HostGuard
) -> Iterator[DockerPoolManager]:
    manager = DockerPoolManager(backend, pool_size=1, sweep_interval_s=0)
    yield manager
    manager.close()


def look(sandbox: DockerSandbox) -> dict[str, object]:
    result = sandbox.run(["python3", "-c", LOOK], limits=Limits(timeout_s=20))
    assert result.outcome is Outcome.EXITED and result.exit_code == 0, result
    found: dict[str, object] = json.loads(result.stdout)
    return found


def acquire_again(manager: DockerPoolManager, container_id: str) -> DockerSandbox:
    """The next acquire that gets `container_id` back (the pool may first hand out the
    container it warmed meanwhile)."""
    assert manager.wait_resets(30)
    others = []
    try:
        for _ in range(3):
            sandbox = manager.acquire(IMAGE, SPEC)
            if sandbox.id == container_id:
                return sandbox
            others.append(sandbox)
        pytest.fail(f"container {container_id[:12]} was not handed out again")
    finally:
        for other in others:
            other.release()


def test_a_reset_container_is_as_new(one_container_pool: DockerPoolManager) -> None:
    first = one_container_pool.acquire(IMAGE, SPEC)
    assert look(first) == NEW
    first.put_files(
        [
            PutFile("hidden_tests.py", b"secret", owner=Owner.ROOT),
            PutFile("solution/answer.py", b"secret", owner=Owner.ROOT),
            PutFile("student.py", b"x = 1\n"),
        ]
    )
    planted = first.run(["python3", "-c", PLANT], limits=Limits(timeout_s=20))
    assert planted.exit_code == 0, planted.stderr
    assert b"-1" not in planted.stdout  # every IPC object was made
    left = look(first)
    assert left["ipc"] == [1, 1, 1] and left["mqueue"] == ["planted"]
    first.release()

    again = acquire_again(one_container_pool, first.id)
    try:
        assert look(again) == NEW
        assert again.run(["cat", "hidden_tests.py"]).exit_code != 0
        # The new handle works as a new sandbox does; the released one stays dead.
        again.put_files([PutFile("student.py", b"print(6 * 7)\n")])
        assert again.run(["python3", "student.py"]).stdout == b"42\n"
        with pytest.raises(SandboxClosedError):
            first.run(["true"])
    finally:
        again.release()


def test_the_student_can_write_only_where_a_reset_clears(
    one_container_pool: DockerPoolManager,
) -> None:
    sandbox = one_container_pool.acquire(IMAGE, SPEC)
    try:
        result = sandbox.run(
            [
                "sh",
                "-c",
                "find / \\( -path /proc -o -path /sys \\) -prune -o -writable -print 2>/dev/null",
            ],
            limits=Limits(timeout_s=60),
        )
    finally:
        sandbox.release()
    cleared = ("/home/autograder", "/tmp", "/dev/shm", "/dev/mqueue", "/data")
    devices = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"}
    devices |= {"/dev/ptmx", "/dev/pts/ptmx", "/dev/stdin", "/dev/stdout", "/dev/stderr"}
    devices |= {"/dev/fd"}
    writable = result.stdout.decode().split()
    assert writable, result
    elsewhere = [
        path
        for path in writable
        if path not in devices and not any(path == d or path.startswith(d + "/") for d in cleared)
    ]
    assert elsewhere == []


def test_a_container_serves_at_most_the_reuse_limit(
    backend: DockerBackend, host_guard: HostGuard
) -> None:
    limited = DockerBackend(replace(backend.settings, reuse_limit=2), client=backend.api)
    manager = DockerPoolManager(limited, pool_size=1, sweep_interval_s=0)
    try:
        served: dict[str, int] = {}
        for _ in range(6):
            sandbox = manager.acquire(IMAGE, SPEC)
            served[sandbox.id] = served.get(sandbox.id, 0) + 1
            sandbox.release()
            assert manager.wait_resets(30)
        assert max(served.values()) == 2 and sum(served.values()) == 6
    finally:
        manager.close()


def test_reuse_limit_one_gives_every_acquire_a_new_container(
    backend: DockerBackend, host_guard: HostGuard
) -> None:
    fresh = DockerBackend(replace(backend.settings, reuse_limit=1), client=backend.api)
    manager = DockerPoolManager(fresh, pool_size=1, sweep_interval_s=0)
    try:
        ids = []
        for _ in range(3):
            sandbox = manager.acquire(IMAGE, SPEC)
            ids.append(sandbox.id)
            sandbox.release()
        assert len(set(ids)) == 3
        assert manager.pool(IMAGE, SPEC).resets == 0
    finally:
        manager.close()


def test_a_sandbox_whose_runner_failed_is_removed_not_reset(
    one_container_pool: DockerPoolManager,
) -> None:
    sandbox = one_container_pool.acquire(IMAGE, SPEC)
    # The host gave up waiting on the runner: the stream may still hold a late reply.
    with pytest.raises(SandboxBrokenError):
        sandbox._request(  # the only way to make the host give up on the runner
            {
                "op": "run",
                "argv": ["sleep", "5"],
                "env": {},
                "stdin": False,
                "timeout": 5,
                "max_output_bytes": 100,
                "limits": {},
            },
            timeout=0.2,
        )
    assert sandbox.broken
    sandbox.release()
    assert one_container_pool.wait_resets(30)
    assert one_container_pool.pool(IMAGE, SPEC).resets == 0
    assert sandbox.id in one_container_pool.released_ids() or sandbox.id not in (
        one_container_pool.backend.live_ids()
    )


def test_a_failed_reset_removes_the_container(
    one_container_pool: DockerPoolManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(self: DockerSandbox) -> DockerSandbox:
        self.hang_up()
        raise SandboxBrokenError("reset refused: /tmp: 1 entries")

    monkeypatch.setattr(DockerSandbox, "recycled", refused)
    sandbox = one_container_pool.acquire(IMAGE, SPEC)
    sandbox.release()
    assert one_container_pool.wait_resets(30)
    assert one_container_pool.pool(IMAGE, SPEC).resets == 0
    assert one_container_pool.reaper.drain(30)
    assert sandbox.id not in one_container_pool.backend.live_ids()
    assert sandbox.id not in one_container_pool.idle_ids()


def test_sandboxes_with_network_are_never_reused(one_container_pool: DockerPoolManager) -> None:
    spec = ContainerSpec(network=True, memory_bytes=TEST_SPEC.memory_bytes)
    ids = []
    for _ in range(2):
        sandbox = one_container_pool.acquire(IMAGE, spec)
        ids.append(sandbox.id)
        sandbox.release()
        assert one_container_pool.wait_resets(30)
        time.sleep(0.1)
    assert ids[0] != ids[1]
    assert one_container_pool.pool(IMAGE, spec).resets == 0


def test_gvisor_containers_are_not_reused(
    backend: DockerBackend, one_container_pool: DockerPoolManager
) -> None:
    """gVisor has no /proc/sysvipc, so a reset can't show that no IPC object is left: the
    container is removed, and the pool stops trying."""
    if "runsc" not in backend.runtimes():
        _unavailable("runsc (gVisor) is not registered with this Docker daemon")
    spec = replace(SPEC, runtime="runsc")
    ids = []
    for _ in range(2):
        sandbox = one_container_pool.acquire(IMAGE, spec)
        ids.append(sandbox.id)
        assert sandbox.run(["sh", "-c", "echo x > /tmp/planted"]).exit_code == 0
        sandbox.release()
        assert one_container_pool.wait_resets(30)
    pool = one_container_pool.pool(IMAGE, spec)
    assert ids[0] != ids[1] and pool.resets == 0 and pool.reuse_limit == 1


def test_a_container_of_an_image_since_rebuilt_is_not_reused(
    backend: DockerBackend, one_container_pool: DockerPoolManager
) -> None:
    """The name a suite uses now stands for another build: the next acquire must get it."""
    name = f"ag-reuse-test-{os.getpid()}"
    rebuilt = ""
    backend.api.tag(IMAGE, name, "current")
    try:
        sandbox = one_container_pool.acquire(f"{name}:current", SPEC)
        dockerfile = f"FROM {IMAGE}\nLABEL org.autograder.test=rebuilt-{os.getpid()}\n"
        for line in backend.api.build(
            fileobj=io.BytesIO(dockerfile.encode()), tag=f"{name}:current", rm=True, decode=True
        ):
            rebuilt = line.get("aux", {}).get("ID", rebuilt)
        assert rebuilt and rebuilt != sandbox.image_id
        sandbox.release()
        assert one_container_pool.wait_resets(30)
        assert one_container_pool.pool(f"{name}:current", SPEC).resets == 0
        assert one_container_pool.reaper.drain(30)
        assert sandbox.id not in one_container_pool.backend.live_ids()
    finally:
        one_container_pool.close()
        with contextlib.suppress(docker.errors.APIError):
            backend.api.remove_image(f"{name}:current", force=True)
