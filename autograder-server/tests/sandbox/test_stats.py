"""The live monitor's readings of real sandbox containers: cgroup files and Docker's one-shot
stats agree, memory and tmpfs use follow what the student's program does, CPU shows a busy
loop; and the pool manager tells idle sandboxes from those in use."""

import threading
import time
from pathlib import Path

from autograder.sandbox.docker_backend import DockerBackend, DockerSandbox
from autograder.sandbox.docker_pool import DockerPoolManager
from autograder.sandbox.interface import Limits
from autograder.sandbox.stats import (
    CgroupReader,
    ContainerUsage,
    CpuRate,
    UsageReader,
    usage_from_docker_stats,
)
from tests.sandbox.conftest import IMAGE, TEST_SPEC

MiB = 1024 * 1024

HOLD = """
import sys, time
data = bytearray(int(sys.argv[1]) * 1024 * 1024)
for i in range(0, len(data), 4096):
    data[i] = 1
open("/tmp/blob", "wb").write(b"x" * int(sys.argv[2]) * 1024 * 1024)
print("ready", flush=True)
time.sleep(float(sys.argv[3]))
"""

BUSY = "import time\nwhile time.process_time() < 0.5: pass\n"


def _both(backend: DockerBackend, container_id: str) -> tuple[ContainerUsage, ContainerUsage]:
    from_docker = usage_from_docker_stats(
        container_id, backend.api.stats(container_id, stream=False, one_shot=True)
    )
    assert from_docker is not None
    from_cgroup = CgroupReader().read(container_id)
    # The tests run beside the Docker daemon (as CI does), where the cgroup files are
    # visible: a reader that finds nothing there is broken, not excused.
    assert from_cgroup is not None, "the containers' cgroup files were not read"
    return from_cgroup, from_docker


def test_memory_and_tmpfs_follow_the_program(
    backend: DockerBackend, sandbox: DockerSandbox
) -> None:
    before, _ = _both(backend, sandbox.id)
    result: list[object] = []
    runner = threading.Thread(
        target=lambda: result.append(
            sandbox.run(["python3", "-c", HOLD, "60", "8", "12"], limits=Limits(timeout_s=60))
        )
    )
    runner.start()
    try:
        deadline = time.monotonic() + 40
        during = before
        while time.monotonic() < deadline:
            during, docker_view = _both(backend, sandbox.id)
            if during.memory_bytes > before.memory_bytes + 60 * MiB and during.tmpfs_bytes:
                break
            time.sleep(0.2)
    finally:
        runner.join(timeout=60)
    assert during.memory_bytes > before.memory_bytes + 60 * MiB
    assert 8 * MiB <= during.tmpfs_bytes < 16 * MiB
    assert during.memory_limit_bytes == TEST_SPEC.memory_bytes
    # Docker reads the same files: the two views agree within what changed between the reads.
    assert abs(docker_view.memory_bytes - during.memory_bytes) < 16 * MiB
    assert docker_view.memory_limit_bytes == TEST_SPEC.memory_bytes
    assert docker_view.source == "docker" and during.source == "cgroup"


def test_cpu_rate_of_a_busy_loop(backend: DockerBackend, sandbox: DockerSandbox) -> None:
    reader = UsageReader(backend.api)
    rate = CpuRate()
    first = reader.read(sandbox.id)
    assert first is not None
    assert rate.percent(first, at=100.0) is None  # nothing to compare with yet
    sandbox.run(["python3", "-c", BUSY], limits=Limits(timeout_s=60))
    second = reader.read(sandbox.id)
    assert second is not None
    # The loop used 0.5 s of CPU (however long that took on a busy machine): over a 1 s window
    # that is at least 40 % of a core.
    assert second.cpu_ns - first.cpu_ns >= 400_000_000
    percent = rate.percent(second, at=101.0)
    assert percent is not None and percent >= 40


def test_docker_stats_when_cgroups_are_not_visible(
    backend: DockerBackend, sandbox: DockerSandbox, tmp_path: Path
) -> None:
    reader = UsageReader(backend.api, cgroup_root=tmp_path)  # an empty tree: nothing visible
    usage = reader.read(sandbox.id)
    assert usage is not None and usage.source == "docker"
    assert usage.memory_bytes > 0 and usage.cpu_ns > 0


def test_a_removed_container_reads_as_none(backend: DockerBackend) -> None:
    sandbox = backend.create(IMAGE, TEST_SPEC)
    container_id = sandbox.id
    sandbox.release()
    assert UsageReader(backend.api).read(container_id) is None


def test_pool_manager_tells_idle_from_in_use(backend: DockerBackend) -> None:
    manager = DockerPoolManager(backend, pool_size=1)
    try:
        pool = manager.pool(IMAGE, TEST_SPEC)
        assert pool.wait_warm(60)
        idle = manager.idle_ids()
        assert len(idle) == 1
        taken = manager.acquire(IMAGE, TEST_SPEC)
        try:
            assert taken.id in idle and taken.id not in manager.idle_ids()
            assert taken.id in backend.live_ids()
        finally:
            taken.release()
        # Released: waiting for its reset or removal, or back in the pool after a reset, it
        # serves nobody.
        assert taken.id not in backend.live_ids() - manager.released_ids() - manager.idle_ids()
    finally:
        manager.close()


def test_cgroup_v2_layout(tmp_path: Path) -> None:
    (tmp_path / "cgroup.controllers").write_text("cpu memory\n")
    scope = tmp_path / "system.slice" / "docker-abc.scope"
    scope.mkdir(parents=True)
    (scope / "memory.current").write_text("50000000\n")
    (scope / "memory.max").write_text("268435456\n")
    (scope / "memory.stat").write_text("anon 40000000\ninactive_file 1000000\nshmem 3000000\n")
    (scope / "cpu.stat").write_text("usage_usec 2500\nuser_usec 2000\n")
    usage = CgroupReader(tmp_path).read("abc")
    assert usage == ContainerUsage("abc", 2_500_000, 49_000_000, 268435456, 3_000_000, "cgroup")
    (scope / "memory.max").write_text("max\n")
    assert CgroupReader(tmp_path).read("abc").memory_limit_bytes == 0  # type: ignore[union-attr]
    assert CgroupReader(tmp_path).read("other") is None
