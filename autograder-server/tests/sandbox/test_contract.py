"""The sandbox contract, against the real Docker backend: normal use and each limit."""

from __future__ import annotations

import signal
import time
from typing import Any

import pytest

from autograder.sandbox.docker_backend import DockerBackend, DockerSandbox
from autograder.sandbox.docker_pool import DockerPoolManager
from autograder.sandbox.errors import SandboxClosedError, SandboxRequestError
from autograder.sandbox.interface import (
    ContainerSpec,
    FileStatus,
    Limits,
    Outcome,
    Owner,
    PutFile,
    RunResult,
    Sandbox,
    SandboxProvider,
)
from tests.sandbox.conftest import IMAGE, STUDENT_UID, TEST_SPEC, HostGuard, MiB

pytestmark = pytest.mark.slow


def sh(sandbox: DockerSandbox, script: str, **kwargs: Any) -> RunResult:
    return sandbox.run(["sh", "-c", script], **kwargs)


# ----- commands ------------------------------------------------------------------------


@pytest.mark.parametrize("code", [0, 1, 42, 255])
def test_exit_codes(sandbox: DockerSandbox, code: int) -> None:
    result = sh(sandbox, f"exit {code}")
    assert result.outcome is Outcome.EXITED
    assert result.exit_code == code
    assert result.signal is None
    assert not result.timed_out and not result.out_of_memory


def test_killed_by_signal_is_reported(sandbox: DockerSandbox) -> None:
    result = sh(sandbox, "kill -SEGV $$")
    assert result.outcome is Outcome.KILLED
    assert result.signal == 11
    assert result.exit_code is None


def test_stdout_and_stderr_are_separate_bytes(sandbox: DockerSandbox) -> None:
    result = sh(sandbox, "printf out; printf err >&2")
    assert (result.stdout, result.stderr) == (b"out", b"err")
    assert not result.stdout_truncated and not result.stderr_truncated


def test_stdin_bytes_reach_the_command(sandbox: DockerSandbox) -> None:
    data = bytes(range(256)) * 4000  # ~1 MB, larger than a pipe buffer
    result = sandbox.run(["cat"], stdin=data)
    assert result.stdout == data


def test_no_stdin_means_dev_null(sandbox: DockerSandbox) -> None:
    result = sandbox.run(["sh", "-c", "cat; readlink /proc/self/fd/0"], stdin=None)
    assert result.stdout == b"/dev/null\n"


def test_environment_from_spec_and_command(pools: DockerPoolManager, host_guard: HostGuard) -> None:
    spec = ContainerSpec(
        memory_bytes=TEST_SPEC.memory_bytes, pids=TEST_SPEC.pids, environment={"A": "spec"}
    )
    sb = pools.acquire(IMAGE, spec)
    try:
        result = sb.run(["sh", "-c", 'echo "$A $B $HOME $USER"'], env={"B": "cmd"})
        overridden = sb.run(["sh", "-c", 'echo "$A"'], env={"A": "cmd"})
    finally:
        sb.release()
    assert result.stdout == b"spec cmd /home/autograder autograder\n"
    assert overridden.stdout == b"cmd\n"


def test_runs_as_unprivileged_student_in_working_dir(sandbox: DockerSandbox) -> None:
    result = sh(
        sandbox, "id -u; id -g; id -G; pwd; grep -E '^(CapEff|CapPrm|NoNewPrivs)' /proc/self/status"
    )
    lines = result.stdout.decode().splitlines()
    assert lines[:4] == [str(STUDENT_UID)] * 3 + ["/home/autograder/working_dir"]
    assert "CapEff:\t0000000000000000" in lines
    assert "CapPrm:\t0000000000000000" in lines
    assert "NoNewPrivs:\t1" in lines


def test_runner_is_root_but_distinct_from_student(sandbox: DockerSandbox) -> None:
    result = sh(sandbox, "stat -c '%u' /proc/1 /proc/$PPID 2>&1; cat /proc/1/comm")
    assert result.stdout.decode().split() == ["0", "0", "docker-init"]


def test_python_and_compilers_are_available(sandbox: DockerSandbox) -> None:
    sandbox.put_files([PutFile("hello.c", b'#include <stdio.h>\nint main(){puts("hi");}\n')])
    compile_result = sandbox.run(["gcc", "-o", "hello", "hello.c"], limits=Limits(timeout_s=30))
    assert compile_result.exit_code == 0, compile_result.stderr
    assert sandbox.run(["./hello"]).stdout == b"hi\n"
    assert sandbox.run(["python3", "-c", "print(1)"]).stdout == b"1\n"


def test_missing_program_is_exit_127_not_an_exception(sandbox: DockerSandbox) -> None:
    result = sandbox.run(["no-such-program"])
    assert result.outcome is Outcome.EXITED and result.exit_code == 127
    assert b"no-such-program" in result.stderr


def test_files_persist_between_commands_of_one_sandbox(sandbox: DockerSandbox) -> None:
    sh(sandbox, "echo kept > f")
    assert sandbox.run(["cat", "f"]).stdout == b"kept\n"


# ----- timeouts -------------------------------------------------------------------------


@pytest.mark.parametrize("timeout", [0.3, 1.0])
def test_timeout_stops_the_command(sandbox: DockerSandbox, timeout: float) -> None:
    started = time.monotonic()
    result = sandbox.run(["sleep", "30"], limits=Limits(timeout_s=timeout))
    elapsed = time.monotonic() - started
    assert result.outcome is Outcome.TIMED_OUT and result.timed_out
    assert result.exit_code is None and result.signal == signal.SIGKILL
    assert result.duration_s >= timeout  # never cut short ...
    assert elapsed < 30  # ... and the 30 s sleep did not run to its end
    # How close to the timeout it stops is measured in benchmarks/, not asserted here.


def test_finishing_before_timeout_is_not_timed_out(sandbox: DockerSandbox) -> None:
    result = sandbox.run(["sleep", "0.2"], limits=Limits(timeout_s=30))
    assert result.outcome is Outcome.EXITED and result.exit_code == 0
    assert not result.timed_out
    assert result.duration_s >= 0.2


def test_output_before_timeout_is_kept(sandbox: DockerSandbox) -> None:
    result = sh(sandbox, "echo partial; sleep 30", limits=Limits(timeout_s=0.5))
    assert result.timed_out
    assert result.stdout == b"partial\n"


# ----- per-command limits ----------------------------------------------------------------


def test_max_output_bytes_truncates_each_stream(sandbox: DockerSandbox) -> None:
    result = sh(
        sandbox,
        "head -c 5000 /dev/zero; head -c 10 /dev/zero >&2",
        limits=Limits(max_output_bytes=1000),
    )
    assert result.stdout == b"\0" * 1000 and result.stdout_truncated
    assert result.stderr == b"\0" * 10 and not result.stderr_truncated


def test_block_process_spawn(sandbox: DockerSandbox) -> None:
    blocked = sh(sandbox, "/bin/true && echo spawned", limits=Limits(block_process_spawn=True))
    assert b"spawned" not in blocked.stdout
    assert blocked.exit_code != 0
    allowed = sh(sandbox, "/bin/true && echo spawned")
    assert allowed.stdout == b"spawned\n"


def test_block_process_spawn_still_runs_the_command_itself(sandbox: DockerSandbox) -> None:
    result = sandbox.run(["echo", "alone"], limits=Limits(block_process_spawn=True))
    assert result.stdout == b"alone\n" and result.exit_code == 0


def test_per_command_memory_limit(sandbox: DockerSandbox) -> None:
    script = "b = bytearray(150 * 1024 * 1024); print('allocated')"
    limited = sandbox.run(["python3", "-c", script], limits=Limits(memory_bytes=100 * MiB))
    assert limited.exit_code == 1 and b"MemoryError" in limited.stderr
    unlimited = sandbox.run(["python3", "-c", script])
    assert unlimited.stdout == b"allocated\n"


def test_max_file_bytes(sandbox: DockerSandbox) -> None:
    write = "exec head -c 2000000 /dev/zero > big"
    result = sh(sandbox, write, limits=Limits(max_file_bytes=1 * MiB))
    assert result.outcome is Outcome.KILLED and result.signal == 25  # SIGXFSZ
    assert sandbox.run(["stat", "-c", "%s", "big"]).stdout == b"1048576\n"


def test_max_open_files(sandbox: DockerSandbox) -> None:
    result = sh(sandbox, "ulimit -n", limits=Limits(max_open_files=64))
    assert result.stdout == b"64\n"


def test_core_dumps_are_off(sandbox: DockerSandbox) -> None:
    assert sh(sandbox, "ulimit -c").stdout == b"0\n"


# ----- files ----------------------------------------------------------------------------


def test_put_files_with_owner_and_mode(sandbox: DockerSandbox) -> None:
    sandbox.put_files(
        [
            PutFile("student.py", b"print('s')", mode=0o600),
            PutFile("run.sh", b"#!/bin/sh\necho run\n", mode=0o755),
            PutFile("tests/hidden.txt", b"expected", owner=Owner.ROOT, mode=0o644),
        ]
    )
    listing = sh(sandbox, "stat -c '%n %U %a' student.py run.sh tests tests/hidden.txt")
    assert listing.stdout.decode().splitlines() == [
        "student.py autograder 600",
        "run.sh autograder 755",
        "tests root 1777",
        "tests/hidden.txt root 444",
    ]
    assert sandbox.run(["./run.sh"]).stdout == b"run\n"
    overwrite = sh(sandbox, "echo changed > tests/hidden.txt")
    assert overwrite.exit_code != 0
    assert sandbox.run(["cat", "tests/hidden.txt"]).stdout == b"expected"


def test_put_files_replaces_existing(sandbox: DockerSandbox) -> None:
    sandbox.put_files([PutFile("f", b"one")])
    sandbox.put_files([PutFile("f", b"two")])
    assert sandbox.run(["cat", "f"]).stdout == b"two"


def test_put_file_binary_content_roundtrip(sandbox: DockerSandbox) -> None:
    content = bytes(range(256)) * 1000
    sandbox.put_files([PutFile("/tmp/bin", content)])
    assert sandbox.get_file("/tmp/bin", max_bytes=10**6).content == content


def test_put_file_beyond_workdir_space_is_a_request_error(sandbox: DockerSandbox) -> None:
    with pytest.raises(SandboxRequestError):
        sandbox.put_files([PutFile("huge", b"x" * (65 * MiB))])
    assert sandbox.run(["true"]).exit_code == 0  # still usable


def test_get_file(sandbox: DockerSandbox) -> None:
    sh(sandbox, "printf 0123456789 > out.txt; mkdir d; mkfifo fifo")
    whole = sandbox.get_file("out.txt", max_bytes=100)
    assert (whole.status, whole.content, whole.truncated) == (FileStatus.OK, b"0123456789", False)
    capped = sandbox.get_file("out.txt", max_bytes=4)
    assert (capped.content, capped.truncated) == (b"0123", True)
    assert sandbox.get_file("missing", max_bytes=4).status is FileStatus.MISSING
    assert sandbox.get_file("missing/deeper", max_bytes=4).status is FileStatus.MISSING
    assert sandbox.get_file("d", max_bytes=4).status is FileStatus.NOT_REGULAR
    assert sandbox.get_file("fifo", max_bytes=4).status is FileStatus.NOT_REGULAR


def test_get_file_reads_files_the_student_made_unreadable(sandbox: DockerSandbox) -> None:
    sh(sandbox, "echo secret > locked; chmod 000 locked")
    assert sandbox.get_file("locked", max_bytes=100).content == b"secret\n"


@pytest.mark.parametrize("path", ["", "../etc/passwd", "a/../../b", "nul\0byte", "x" * 256])
def test_bad_paths_are_rejected_before_reaching_the_runner(
    sandbox: DockerSandbox, path: str
) -> None:
    with pytest.raises(ValueError):
        sandbox.get_file(path, max_bytes=1)
    with pytest.raises(ValueError):
        PutFile(path, b"")


# ----- container-wide hardening ----------------------------------------------------------


def test_root_filesystem_is_read_only(sandbox: DockerSandbox) -> None:
    result = sh(sandbox, "touch /usr/x /x /etc/x 2>&1; echo done")
    assert result.stdout.count(b"Read-only file system") == 3


def test_tmpfs_mounts_are_size_capped_nosuid(sandbox: DockerSandbox) -> None:
    mounts = sh(sandbox, "grep -E ' (/tmp|/home/autograder) ' /proc/mounts").stdout.decode()
    assert "/tmp tmpfs rw,nosuid,nodev" in mounts and "size=16384k" in mounts
    assert "/home/autograder tmpfs rw,nosuid,nodev" in mounts and "size=65536k" in mounts


def test_container_limits_are_applied(sandbox: DockerSandbox, pools: DockerPoolManager) -> None:
    info = pools.backend.api.inspect_container(sandbox.id)
    host = info["HostConfig"]
    assert host["Memory"] == host["MemorySwap"] == 256 * MiB
    assert host["PidsLimit"] == 128
    assert host["NanoCpus"] == 1_000_000_000
    assert host["NetworkMode"] == "none"
    assert host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"]
    assert sorted(host["CapAdd"]) == ["CHOWN", "DAC_OVERRIDE", "KILL", "SETGID", "SETUID"]
    assert host["SecurityOpt"] == ["no-new-privileges:true"]
    assert host["Init"] is True
    assert host["LogConfig"] == {"Type": "json-file", "Config": {"max-file": "1", "max-size": "1m"}}
    ulimits = {u["Name"]: u["Hard"] for u in host["Ulimits"]}
    assert ulimits["core"] == 0 and ulimits["nofile"] == 1024
    # The default seccomp profile is active (mode 2 = filter).
    assert b"Seccomp:\t2" in sh(sandbox, "grep Seccomp: /proc/self/status").stdout


def test_pids_limit_is_enforced(sandbox: DockerSandbox) -> None:
    # Threads count against the pids limit too: start threads until refused.
    threads = (
        "import threading, time\nn = 0\ntry:\n    while n < 1000:\n"
        "        threading.Thread(target=time.sleep, args=(5,), daemon=True).start(); n += 1\n"
        "except RuntimeError:\n    pass\nprint(n)\n"
    )
    result = sandbox.run(["python3", "-c", threads], limits=Limits(timeout_s=10))
    assert 50 < int(result.stdout) < 128


def test_container_memory_limit_reports_oom(sandbox: DockerSandbox) -> None:
    result = sandbox.run(
        ["python3", "-c", "x = bytearray(400 * 1024 * 1024)"], limits=Limits(timeout_s=20)
    )
    assert result.outcome is Outcome.OUT_OF_MEMORY and result.out_of_memory
    assert sandbox.run(["echo", "alive"]).stdout == b"alive\n"


def test_cpu_quota_is_applied(sandbox: DockerSandbox) -> None:
    result = sh(
        sandbox, "cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu.max 2>/dev/null"
    )
    assert result.stdout.split()[0] in (b"100000", b"100000\n")


# ----- release and pools --------------------------------------------------------------------


def test_release_is_idempotent_and_final(pools: DockerPoolManager, host_guard: HostGuard) -> None:
    # How long release blocks its caller is release_ms_p50 in benchmarks/sandbox_bench.py.
    sb = pools.acquire(IMAGE, TEST_SPEC)
    sh(sb, "sleep 1000 & echo started")
    sb.release()
    sb.release()
    assert sb.released
    with pytest.raises(SandboxClosedError):
        sb.run(["true"])
    with pytest.raises(SandboxClosedError):
        sb.get_file("x", max_bytes=1)
    # The host guard then checks the container and its processes are gone.


def test_acquires_at_once_get_different_containers(
    pools: DockerPoolManager, host_guard: HostGuard
) -> None:
    first = pools.acquire(IMAGE, TEST_SPEC)
    second = pools.acquire(IMAGE, TEST_SPEC)
    try:
        assert first.id != second.id
    finally:
        first.release()
        second.release()


def test_cold_acquire_when_pool_is_empty(backend: DockerBackend, host_guard: HostGuard) -> None:
    manager = DockerPoolManager(backend, pool_size=0, sweep_interval_s=0)
    try:
        sb = manager.acquire(IMAGE, TEST_SPEC)
        assert sb.run(["echo", "cold"]).stdout == b"cold\n"
        sb.release()
    finally:
        manager.close()


def test_warm_acquire_takes_an_already_started_container(
    pools: DockerPoolManager, host_guard: HostGuard
) -> None:
    # How long it takes is acquire_ms_p50 in benchmarks/sandbox_bench.py.
    pool = pools.pool(IMAGE, TEST_SPEC)
    assert pool.wait_warm(60)
    started_before = pools.backend.live_ids()
    sb = pools.acquire(IMAGE, TEST_SPEC)
    try:
        assert sb.id in started_before
        assert sb.run(["echo", "warm"]).stdout == b"warm\n"
    finally:
        sb.release()


def grade_through_the_interface(provider: SandboxProvider) -> tuple[str, RunResult, bytes]:
    """One suite's worth of work using nothing but the protocol, as the pipeline does."""
    sandbox: Sandbox = provider.acquire(IMAGE, TEST_SPEC)
    try:
        sandbox.put_files(
            [
                PutFile("answer.py", b"import sys\nprint(sum(map(int, sys.stdin.read().split())))"),
                PutFile("tests/expected.txt", b"6\n", owner=Owner.ROOT),
            ]
        )
        result = sandbox.run(
            [
                "sh",
                "-c",
                "python3 answer.py > out.txt && cmp out.txt tests/expected.txt && echo ok",
            ],
            stdin=b"1 2 3",
            limits=Limits(timeout_s=10),
        )
        out = sandbox.get_file("out.txt", max_bytes=100).content
    finally:
        sandbox.release()
    with pytest.raises(SandboxClosedError):
        sandbox.run(["true"])
    return sandbox.id, result, out


def test_pools_and_docker_sandboxes_work_through_the_interface_alone(
    pools: DockerPoolManager, host_guard: HostGuard
) -> None:
    first_id, result, out = grade_through_the_interface(pools)
    assert (result.outcome, result.exit_code, result.stdout) == (Outcome.EXITED, 0, b"ok\n")
    assert out == b"6\n"
    second_id, _, _ = grade_through_the_interface(pools)
    assert second_id != first_id
