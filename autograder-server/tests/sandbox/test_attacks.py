"""Hostile student programs, one test per class of attack.

Each test asserts the verdict; the `sandbox` fixture's host guard then asserts the
host invariants (no leftover containers or host processes, a host canary with the
student's uid alive, no disk or memory leak, the next sandbox clean).
"""

from __future__ import annotations

import json
import os
import signal
import struct
import threading
import time
from typing import Any

import pytest

from autograder.sandbox.docker_backend import DockerSandbox
from autograder.sandbox.docker_pool import DockerPoolManager
from autograder.sandbox.errors import SandboxRequestError
from autograder.sandbox.interface import ContainerSpec, FileStatus, Limits, Outcome, PutFile
from tests.sandbox.conftest import IMAGE, STUDENT_UID, TEST_SPEC, HostGuard, MiB

pytestmark = pytest.mark.slow

# Live processes: a killed one may stay a zombie for a moment until init reaps it (on a busy
# machine), and a zombie runs nothing.
PROCESS_COUNT = (
    "import os\n"
    "def live(p):\n"
    "    try:\n"
    "        return open(f'/proc/{p}/stat').read().rsplit(')', 1)[1].split()[0] != 'Z'\n"
    "    except OSError:\n"
    "        return False\n"
    "print(len([p for p in os.listdir('/proc') if p.isdigit() and live(p)]))"
)


def sh(sandbox: DockerSandbox, script: str, timeout: float = 10, **kwargs: Any) -> Any:
    return sandbox.run(["sh", "-c", script], limits=Limits(timeout_s=timeout), **kwargs)


def py(sandbox: DockerSandbox, code: str, timeout: float = 10, **kwargs: Any) -> Any:
    return sandbox.run(["python3", "-c", code], limits=Limits(timeout_s=timeout), **kwargs)


def assert_recovered(sandbox: DockerSandbox) -> None:
    """The sandbox still answers and no process of the attack survived."""
    assert sandbox.run(["echo", "alive"]).stdout == b"alive\n"
    # init, the runner and this python: nothing else.
    assert py(sandbox, PROCESS_COUNT).stdout == b"3\n"


def compile_c(sandbox: DockerSandbox, name: str, source: str) -> None:
    sandbox.put_files([PutFile(f"{name}.c", source.encode())])
    result = sandbox.run(
        ["gcc", "-O1", "-o", name, f"{name}.c", "-lpthread"], limits=Limits(timeout_s=60)
    )
    assert result.exit_code == 0, result.stderr


# ----- process bombs ---------------------------------------------------------------------


def test_shell_fork_bomb(sandbox: DockerSandbox) -> None:
    result = sh(sandbox, ":(){ :|:& };:", timeout=3)
    # The first shell may end before its timeout (the bomb runs on without it) or not;
    # either way nothing of the bomb may be left once the command is over.
    assert result.outcome in (Outcome.TIMED_OUT, Outcome.EXITED)
    assert_recovered(sandbox)


def test_python_fork_bomb(sandbox: DockerSandbox) -> None:
    code = (
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    )
    result = py(sandbox, code, timeout=3)
    assert result.timed_out
    assert_recovered(sandbox)


def test_c_fork_bomb_with_setsid(sandbox: DockerSandbox) -> None:
    compile_c(
        sandbox,
        "bomb",
        "#include <unistd.h>\nint main(){for(;;){if(fork()==0){setsid();}}}\n",
    )
    result = sandbox.run(["./bomb"], limits=Limits(timeout_s=3))
    assert result.timed_out
    assert_recovered(sandbox)


def test_thread_bomb(sandbox: DockerSandbox) -> None:
    compile_c(
        sandbox,
        "threads",
        "#include <pthread.h>\n#include <unistd.h>\n"
        "void *f(void *a){pause();return a;}\n"
        "int main(){pthread_t t;for(;;){pthread_create(&t,0,f,0);}}\n",
    )
    result = sandbox.run(["./threads"], limits=Limits(timeout_s=2))
    assert result.timed_out
    assert_recovered(sandbox)


def test_children_that_outlive_their_parent_or_daemonize(sandbox: DockerSandbox) -> None:
    script = (
        "(setsid sh -c 'while :; do echo tick >> ticks.txt; sleep 0.1; done' &) ;"
        "nohup sleep 1000 >/dev/null 2>&1 & "
        "python3 -c 'import os,time\nif os.fork(): os._exit(0)\nos.setsid()\n"
        "if os.fork(): os._exit(0)\ntime.sleep(1000)' ;"
        "until [ -s ticks.txt ]; do sleep 0.05; done; echo parent done"
    )
    result = sh(sandbox, script, timeout=10)
    # The command ends with its main process: had the runner waited for the daemons,
    # which hold its stdout, the command would have timed out after 10 s instead.
    assert result.outcome is Outcome.EXITED and result.stdout == b"parent done\n"
    assert_recovered(sandbox)
    # The setsid child ticked while the command ran (how often depends on the machine's
    # load); once the command ended it must tick no more.
    ticks = sandbox.get_file("ticks.txt", max_bytes=1_000_000).content
    assert ticks.startswith(b"tick\n")
    time.sleep(0.5)  # five more ticks, had it survived
    assert sandbox.get_file("ticks.txt", max_bytes=1_000_000).content == ticks


# ----- memory ---------------------------------------------------------------------------


def test_memory_bomb_is_reported_as_oom(sandbox: DockerSandbox) -> None:
    code = "chunks = []\nwhile True:\n    chunks.append(bytearray(16 * 1024 * 1024))\n"
    result = py(sandbox, code, timeout=20)
    assert result.outcome is Outcome.OUT_OF_MEMORY  # ended by the kernel, not the 20 s timeout
    assert_recovered(sandbox)


def test_c_memory_bomb_in_a_child_is_reported_as_oom(sandbox: DockerSandbox) -> None:
    compile_c(
        sandbox,
        "eat",
        "#include <stdlib.h>\n#include <string.h>\n"
        "int main(){for(;;){char*p=malloc(1<<24);if(p)memset(p,1,1<<24);}}\n",
    )
    result = sh(sandbox, "./eat; echo survived $?", timeout=20)
    assert result.outcome is Outcome.OUT_OF_MEMORY
    assert result.stdout == b"survived 137\n"
    assert_recovered(sandbox)


# ----- output floods ---------------------------------------------------------------------


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_infinite_output(sandbox: DockerSandbox, stream: str) -> None:
    redirect = "" if stream == "stdout" else ">&2"
    result = sandbox.run(
        ["sh", "-c", f"yes {redirect}"], limits=Limits(timeout_s=2, max_output_bytes=MiB)
    )
    assert result.timed_out
    captured = result.stdout if stream == "stdout" else result.stderr
    assert len(captured) == MiB and captured.startswith(b"y\ny\n")
    assert getattr(result, f"{stream}_truncated")
    assert_recovered(sandbox)


def test_one_giant_line_without_newline(sandbox: DockerSandbox) -> None:
    result = sandbox.run(
        ["sh", "-c", "head -c 200000000 /dev/zero | tr '\\0' a"],
        limits=Limits(timeout_s=20, max_output_bytes=2 * MiB),
    )
    assert result.outcome is Outcome.EXITED and result.exit_code == 0
    assert result.stdout == b"a" * (2 * MiB) and result.stdout_truncated
    assert_recovered(sandbox)


# ----- disk ------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["fill", "/tmp/fill", "/dev/shm/fill"])
def test_disk_fill_hits_the_tmpfs_cap(sandbox: DockerSandbox, where: str) -> None:
    result = sh(sandbox, f"dd if=/dev/zero of={where} bs=1M 2>&1; stat -c %s {where}", 30)
    written = int(result.stdout.split()[-1])
    assert b"No space left on device" in result.stdout
    assert written <= 64 * MiB
    sh(sandbox, f"rm -f {where}")
    assert_recovered(sandbox)


def test_inode_exhaustion(sandbox: DockerSandbox) -> None:
    code = (
        "import os\nn = 0\ntry:\n    while True:\n        open(f'f{n}', 'w').close(); n += 1\n"
        "except OSError as e:\n    print(n, e.strerror)\n"
    )
    result = py(sandbox, code, timeout=30)
    count, _, error = result.stdout.decode().strip().partition(" ")
    assert error == "No space left on device"
    assert int(count) < 20000
    assert sh(sandbox, "echo ok > /tmp/still-writable && cat /tmp/still-writable").stdout == b"ok\n"


def test_oversize_sparse_file_is_refused(sandbox: DockerSandbox) -> None:
    result = sh(sandbox, "truncate -s 1G huge; echo $?")
    assert result.stdout.strip() != b"0"
    assert b"File too large" in result.stderr or b"File size limit exceeded" in result.stderr


def test_files_left_for_the_next_run(sandbox: DockerSandbox) -> None:
    sh(
        sandbox,
        "echo x > /tmp/planted; echo x > /dev/shm/planted; echo x > ~/.bashrc; "
        "echo x > planted; mkdir -p ~/.config && echo x > ~/.config/planted",
    )
    # Within this sandbox they persist; the host guard checks the next sandbox is clean.
    assert sandbox.run(["cat", "/tmp/planted", "/dev/shm/planted"]).stdout == b"x\nx\n"


# ----- network ---------------------------------------------------------------------------

NETWORK_PROBE = r"""
import json, socket, urllib.request
results = {}
def attempt(name, fn):
    try:
        fn()
        results[name] = "reached"
    except Exception as e:
        results[name] = type(e).__name__
def tcp(host, port):
    return lambda: socket.create_connection((host, port), timeout=2).close()
attempt("http", lambda: urllib.request.urlopen("http://deb.debian.org/", timeout=2))
attempt("dns", lambda: socket.getaddrinfo("deb.debian.org", 80))
attempt("gateway", tcp("172.17.0.1", 2375))
attempt("gateway_http", tcp("172.17.0.1", 80))
attempt("metadata", tcp("169.254.169.254", 80))
for port in (5432, 5672):
    attempt(f"host_{port}", tcp("172.17.0.1", port))
    attempt(f"local_{port}", tcp("127.0.0.1", port))
results["interfaces"] = sorted(name for _, name in socket.if_nameindex())
print(json.dumps(results))
"""


def test_no_network_by_default(sandbox: DockerSandbox) -> None:
    result = py(sandbox, NETWORK_PROBE, timeout=30)
    probes = json.loads(result.stdout)
    assert probes.pop("interfaces") == ["lo"]
    assert "reached" not in probes.values(), probes


def test_network_when_the_spec_allows_it(pools: DockerPoolManager, host_guard: HostGuard) -> None:
    spec = ContainerSpec(memory_bytes=TEST_SPEC.memory_bytes, pids=TEST_SPEC.pids, network=True)
    sb = pools.acquire(IMAGE, spec)
    try:
        code = "import socket; print(sorted(n for _, n in socket.if_nameindex()))"
        result = sb.run(["python3", "-c", code])
    finally:
        sb.release()
    assert b"eth0" in result.stdout


# ----- hangs and signals -------------------------------------------------------------------


def test_long_sleep_is_stopped_at_its_timeout(sandbox: DockerSandbox) -> None:
    started = time.monotonic()
    result = sandbox.run(["sleep", "30"], limits=Limits(timeout_s=1))
    elapsed = time.monotonic() - started
    assert result.outcome is Outcome.TIMED_OUT and result.exit_code is None
    assert result.signal == signal.SIGKILL
    assert result.duration_s >= 1  # given its whole second ...
    assert elapsed < 30  # ... and stopped, not left to sleep to the end
    assert_recovered(sandbox)


def test_blocking_stdin_reads_end(sandbox: DockerSandbox) -> None:
    no_stdin = sandbox.run(["python3", "-c", "import sys; print(len(sys.stdin.read()))"])
    assert no_stdin.stdout == b"0\n"
    short = sandbox.run(["sh", "-c", 'read a; read b; echo "$a|$b"'], stdin=b"one\n")
    assert short.stdout == b"one|\n" and not short.timed_out
    # The runner ($PPID) and init hold the protocol stream: unreachable.
    runner_stream = sh(sandbox, "for p in 1 $PPID; do cat /proc/$p/fd/0; done 2>&1; echo end")
    assert runner_stream.stdout.count(b"Permission denied") == 2
    assert not runner_stream.timed_out


def test_cpu_spin_ignoring_sigterm(sandbox: DockerSandbox) -> None:
    code = (
        "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "end = time.monotonic() + 30\nwhile time.monotonic() < end: pass\n"
    )
    started = time.monotonic()
    result = py(sandbox, code, timeout=1)
    elapsed = time.monotonic() - started
    assert result.outcome is Outcome.TIMED_OUT
    assert result.signal == signal.SIGKILL  # not a SIGTERM it could ignore
    assert elapsed < 30  # the 30 s spin did not run to its end
    assert_recovered(sandbox)


def test_killing_or_stopping_the_runner(sandbox: DockerSandbox) -> None:
    result = sh(
        sandbox,
        "sleep 100 & for p in 1 $PPID; do kill -STOP $p; kill -9 $p; done 2>&1;"
        "kill -9 -1; wait; echo after kill -1: $?",
    )
    # Only the student's own processes (not the caller of kill -1) are hit.
    assert result.outcome is Outcome.EXITED
    assert result.stdout.count(b"Operation not permitted") == 4
    assert result.stdout.endswith(b"after kill -1: 0\n")
    assert_recovered(sandbox)


# ----- escapes and secrets ----------------------------------------------------------------


ESCAPE_ATTEMPTS = {
    # name: (command, what the refusal says)
    "mount": ("mount -t tmpfs none /tmp", b"must be superuser to use mount"),
    "unshare_user": ("unshare -r id", b"unshare failed: Operation not permitted"),
    "unshare_mount": ("unshare -m id", b"unshare failed: Operation not permitted"),
    "chroot_proc_root": ("ls /proc/1/root/", b"Permission denied"),
    "runner_root": ("ls /proc/$PPID/root/", b"Permission denied"),
    "write_runner_mem": ("echo x > /proc/$PPID/mem", b"Permission denied"),
    "write_runner_stdin": ("echo x > /proc/$PPID/fd/0", b"Permission denied"),
    "write_runner_stdout": ("echo x > /proc/$PPID/fd/1", b"Permission denied"),
    "su": ("su -c id root </dev/null", b"Authentication failure"),
    "chroot": ("chroot / id", b"Operation not permitted"),
    "nsenter": ("nsenter -t 1 -m id", b"Permission denied"),
}


def test_escape_attempts(sandbox: DockerSandbox) -> None:
    for name, (command, refusal) in ESCAPE_ATTEMPTS.items():
        program = command.split()[0]
        # A missing tool would fail too, and prove nothing.
        assert sh(sandbox, f"command -v {program}").exit_code == 0, f"{name}: no {program}"
        result = sh(sandbox, command)
        assert result.exit_code not in (0, 126, 127), f"{name}: {result!r}"
        assert result.stdout == b"", f"{name} ran: {result.stdout!r}"
        assert refusal in result.stderr, f"{name}: {result.stderr!r}"
    ptrace = (
        "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "import os\nfor pid in (1, os.getppid()):\n"
        "    print(libc.ptrace(16, pid, 0, 0), ctypes.get_errno())\n"
    )
    assert py(sandbox, ptrace).stdout == b"-1 1\n-1 1\n"  # EPERM
    assert_recovered(sandbox)


SETUID_PROBE = r"""
import json, subprocess, sys
uids = {}
for binary in sys.argv[1:]:
    # Credentials are set at exec: read them while su/passwd wait for a password (or,
    # for the ones that exit at once, from the zombie not yet reaped).
    child = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    with open(f"/proc/{child.pid}/status") as f:
        uids[binary] = next(ln for ln in f if ln.startswith("Uid:")).split()[1:]
    child.kill()
    child.wait()
print(json.dumps(uids))
"""


def test_setuid_root_binaries_run_with_the_students_uid(sandbox: DockerSandbox) -> None:
    found = sh(sandbox, "find / -xdev -perm -4000 -user root -type f 2>/dev/null")
    binaries = found.stdout.decode().split()
    # The image has the usual ones: the test needs some to try.
    assert {"/usr/bin/su", "/usr/bin/passwd", "/usr/bin/mount"} <= set(binaries), binaries
    result = sandbox.run(["python3", "-c", SETUID_PROBE, *binaries], limits=Limits(timeout_s=20))
    uids = json.loads(result.stdout)
    # no-new-privileges: real, effective, saved and filesystem uid all stay the student's.
    assert uids == {b: [str(STUDENT_UID)] * 4 for b in binaries}
    assert_recovered(sandbox)


def test_reading_secrets(sandbox: DockerSandbox, pools: DockerPoolManager) -> None:
    env = pools.backend.api.inspect_container(sandbox.id)["Config"]["Env"] or []
    host_only = {k for k in os.environ if k.startswith(("AG_", "DJANGO", "DATABASE"))}
    assert not host_only & {e.split("=", 1)[0] for e in env}
    result = sh(
        sandbox,
        "cat /proc/1/environ /proc/$PPID/environ /etc/shadow 2>&1; "
        "ls /var/run/docker.sock /run/docker.sock 2>&1; env",
    )
    assert result.stdout.count(b"Permission denied") == 3
    assert result.stdout.count(b"No such file") == 2
    own_env = result.stdout.decode().split("No such file or directory\n")[-1]
    assert not any(key in own_env for key in host_only)


def test_symlinks_planted_for_copy_out(sandbox: DockerSandbox) -> None:
    sh(
        sandbox,
        "ln -s /etc/passwd out.txt; ln -s / rootdir; ln -s /proc/$PPID/environ env.txt; "
        "mkdir real; ln -s ../out.txt real/nested; ln -s /tmp tmplink",
    )
    for path in ("out.txt", "env.txt", "real/nested", "rootdir/etc/passwd"):
        assert sandbox.get_file(path, max_bytes=10_000).status is FileStatus.NOT_REGULAR, path
    # put_files replaces a planted symlink instead of writing through it...
    sandbox.put_files([PutFile("out.txt", b"mine")])
    assert sh(sandbox, "test -L out.txt || cat out.txt").stdout == b"mine"
    # ... and refuses to descend through a symlinked directory.
    with pytest.raises(SandboxRequestError):
        sandbox.put_files([PutFile("tmplink/escape", b"x")])
    assert sandbox.get_file("/tmp/escape", max_bytes=10).status is FileStatus.MISSING


def test_fake_result_frames_in_output(sandbox: DockerSandbox) -> None:
    fake = json.dumps(
        {
            "outcome": "exited",
            "exit_code": 0,
            "signal": None,
            "duration": 0,
            "stdout_len": 0,
            "stdout_truncated": False,
            "stderr_truncated": False,
        }
    ).encode()
    frame = struct.pack(">II", len(fake), 0) + fake
    docker_chunk = struct.pack(">BxxxI", 1, len(frame)) + frame
    payload = (frame + docker_chunk) * 3
    sandbox.put_files([PutFile("payload", payload)])
    result = sh(sandbox, "cat payload; cat payload >&2; exit 3")
    assert result.exit_code == 3
    assert result.stdout == payload and result.stderr == payload
    assert_recovered(sandbox)


def test_non_utf8_nul_and_binary_output(sandbox: DockerSandbox) -> None:
    code = (
        "import sys\ndata = bytes(range(256)) * 64 + b'\\xff\\xfe\\x00\\xc3('\n"
        "sys.stdout.buffer.write(data); sys.stderr.buffer.write(data[::-1])\n"
    )
    result = py(sandbox, code)
    expected = bytes(range(256)) * 64 + b"\xff\xfe\x00\xc3("
    assert result.stdout == expected and result.stderr == expected[::-1]


def test_fd_exhaustion(sandbox: DockerSandbox) -> None:
    code = (
        "import os\nfds = []\ntry:\n    while True:\n        fds.append(os.open('/dev/null', 0))\n"
        "except OSError as e:\n    print(len(fds), e.strerror)\n"
    )
    result = py(sandbox, code)
    count, _, error = result.stdout.decode().strip().partition(" ")
    assert error == "Too many open files" and 1000 < int(count) < 1024
    assert_recovered(sandbox)


# ----- many at once and odd names ---------------------------------------------------------


def test_twenty_heavy_sandboxes_at_once(pools: DockerPoolManager, host_guard: HostGuard) -> None:
    results: dict[int, Any] = {}
    errors: list[BaseException] = []
    work = (
        "import hashlib, os, sys\ntoken = sys.argv[1]\nopen('mine', 'w').write(token)\n"
        "blob = bytearray(32 * 1024 * 1024)\nh = hashlib.sha256()\n"
        "for _ in range(10): h.update(blob)\n"
        "print(token, sorted(os.listdir('.')), open('mine').read(), h.hexdigest()[:8])\n"
    )

    def one(i: int) -> None:
        try:
            sb = pools.acquire(IMAGE, TEST_SPEC)
            try:
                results[i] = sb.run(
                    ["python3", "-c", work, f"token-{i}"], limits=Limits(timeout_s=60)
                )
            finally:
                sb.release()
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    digests = set()
    for i, result in results.items():
        assert result.stdout.startswith(f"token-{i} ['mine'] token-{i} ".encode()), result
        digests.add(result.stdout.split()[-1])
    assert len(results) == 20 and len(digests) == 1


ODD_NAMES = [
    "x" * 255,
    "ünïcødé-文件-🙂.txt",
    "%s%n%x%p{0}{}.txt",
    "$(id)`id`;rm -rf ~.txt",
    "-rf",
    " leading and trailing ",
    "new\nline\ttab",
    "\udcff\udcfe-not-utf8",
    "deep/" * 20 + "file",
]


def test_odd_file_names(sandbox: DockerSandbox) -> None:
    files = [PutFile(name, name.encode("utf-8", "surrogateescape")) for name in ODD_NAMES]
    sandbox.put_files(files)
    for f in files:
        got = sandbox.get_file(f.path, max_bytes=1000)
        assert (got.status, got.content) == (FileStatus.OK, f.content), f.path
    listing = py(sandbox, "import os; print(len(os.listdir(b'.')))")
    assert listing.stdout == b"9\n"
    for bad in ["nul\0inside", "y" * 256, "../escape"]:
        with pytest.raises(ValueError):
            PutFile(bad, b"")
