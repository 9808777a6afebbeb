"""The in-container runner: the sandbox's main process, started by the host library.

It is run as `python3 -I -S -c <this file's source>` under the container's init,
as root with a few capabilities, and speaks a framed protocol over its own
stdin/stdout, which are the container's attach stream. Student commands never see
that stream: they get a memfd or /dev/null as stdin and pipes as stdout/stderr,
which this process reads and sends back inside its own frames, so nothing a
student prints can be taken for a frame.

Frame (both directions): struct ">II" (header length, blob length), a UTF-8 JSON
header, then the blob bytes.

It must run on any python3 >= 3.8 found in an image, with the standard library
only, and stay below 128 KiB (the kernel's limit on one argv string).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import pwd
import resource
import select
import signal
import stat
import struct
import sys
import time
import traceback
from typing import TYPE_CHECKING, Any

FRAME = struct.Struct(">II")
MAX_HEADER_BYTES = 16 * 1024 * 1024
MAX_BLOB_BYTES = 1 << 31
READ_CHUNK = 1 << 16
OOM_COUNTERS = (
    ("/sys/fs/cgroup/memory.events", "oom_kill"),  # cgroup v2
    ("/sys/fs/cgroup/memory/memory.oom_control", "oom_kill"),  # cgroup v1
)
if TYPE_CHECKING:  # annotations only: must not be evaluated on Python 3.8
    Json = dict[str, Any]
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
STICKY_DIR_MODE = 0o1777
"""Directories the student shares with root: like /tmp, anyone creates files, only a
file's owner (or root) removes or renames it."""


class RequestError(Exception):
    """The request cannot be carried out (bad input or a file problem): not a runner fault."""


class Channel:
    """Length-prefixed frames over two file descriptors."""

    def __init__(self, rfd: int, wfd: int) -> None:
        self.rfd = rfd
        self.wfd = wfd

    def _read_exact(self, n: int) -> bytes:
        parts = []
        while n > 0:
            chunk = os.read(self.rfd, min(n, 1 << 20))
            if not chunk:
                raise EOFError
            parts.append(chunk)
            n -= len(chunk)
        return b"".join(parts)

    def recv(self) -> tuple[Json, bytes]:
        header_len, blob_len = FRAME.unpack(self._read_exact(FRAME.size))
        if header_len > MAX_HEADER_BYTES or blob_len > MAX_BLOB_BYTES:
            raise EOFError  # a broken stream: nothing sane can follow
        header = json.loads(self._read_exact(header_len))
        return header, self._read_exact(blob_len)

    def send(self, header: Json, blob: bytes = b"") -> None:
        encoded = json.dumps(header).encode()
        data = memoryview(FRAME.pack(len(encoded), len(blob)) + encoded + blob)
        while data:
            written = os.write(self.wfd, data)
            data = data[written:]


class Capture:
    """Keeps the first `limit` bytes of a stream and counts the rest."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0
        self.truncated = False

    def add(self, data: bytes) -> None:
        room = self.limit - self.size
        if len(data) > room:
            self.truncated = True
            data = data[: max(room, 0)]
        if data:
            self.parts.append(data)
            self.size += len(data)

    def value(self) -> bytes:
        return b"".join(self.parts)


class Runner:
    def __init__(self) -> None:
        self.uid = -1
        self.gid = -1
        self.home = "/"
        self.workdir = "/"
        self.base_env: dict[str, str] = {}
        self.nofile = 1024
        self.fsize = 1 << 27
        self.snapshot_entries: list[tuple[str, int, int, bytes, int]] | None = None
        """The student's files under $HOME when `snapshot` ran: (path relative to $HOME,
        st_mode, mtime_ns, content or link target, kind), parents before children."""

    # ----- processes -------------------------------------------------------------

    def kill_all(self, main_pid: int = -1) -> int | None:
        """Kill every process in the container except init and this one.

        kill(-1) signals every process we may signal in our PID namespace, which is
        all of them (we hold CAP_KILL) but init and ourselves, atomically with
        respect to fork. Loops until /proc shows none left. Returns the wait status
        of main_pid if this call reaped it.
        """
        status = None
        me = os.getpid()
        for _ in range(2000):
            with contextlib.suppress(ProcessLookupError):
                os.kill(-1, signal.SIGKILL)
            while True:
                try:
                    pid, st = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    break
                if pid == 0:
                    break
                if pid == main_pid:
                    status = st
            if not self._others_alive(me):
                return status
            time.sleep(0.001)
        raise RuntimeError("processes survived SIGKILL")

    @staticmethod
    def _others_alive(me: int) -> bool:
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) in (1, me):
                continue
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue  # gone already
            state, ppid = fields[0], int(fields[1])
            if state == b"Z" and ppid != me:
                continue  # dead; init reaps it
            return True
        return False

    @staticmethod
    def oom_kills() -> int | None:
        for path, key in OOM_COUNTERS:
            try:
                with open(path) as f:
                    for line in f:
                        name, _, value = line.partition(" ")
                        if name == key:
                            return int(value)
            except OSError:
                continue
        return None

    # ----- requests -------------------------------------------------------------

    def hello(self, req: Json, blob: bytes) -> tuple[Json, bytes]:
        try:
            user = pwd.getpwnam(req["user"])
        except KeyError as e:
            raise RequestError(f"no user {req['user']!r} in the image") from e
        if user.pw_uid == 0:
            raise RequestError("the sandbox user must not be root")
        self.uid, self.gid = user.pw_uid, user.pw_gid
        self.home, self.workdir = req["home"], req["workdir"]
        self.nofile, self.fsize = int(req["nofile"]), int(req["fsize"])
        # $HOME and the working directory belong to root and are world-writable with the
        # sticky bit (like /tmp): the student creates, changes and deletes files of its
        # own there, but can neither delete, rename nor replace root's files (instructor
        # files) nor move the working directory itself aside.
        os.chown(self.home, 0, 0)
        os.chmod(self.home, STICKY_DIR_MODE)
        os.makedirs(self.workdir, mode=0o755, exist_ok=True)
        os.chown(self.workdir, 0, 0)
        os.chmod(self.workdir, STICKY_DIR_MODE)
        # The image's own variables (PATH of a custom toolchain, say) are kept;
        # the host passes the runner nothing secret.
        self.base_env = {k: v for k, v in os.environ.items() if k != "HOSTNAME"}
        self.base_env.setdefault("PATH", DEFAULT_PATH)
        self.base_env.update(
            {
                "HOME": self.home,
                "USER": req["user"],
                "LOGNAME": req["user"],
                "LANG": "C.UTF-8",
                "TMPDIR": "/tmp",
            }
        )
        self.base_env.update(req.get("env") or {})
        return {"ok": True, "pid": os.getpid(), "uid": self.uid, "python": sys.version}, b""

    def ping(self, req: Json, blob: bytes) -> tuple[Json, bytes]:
        return {"ok": True}, b""

    def run(self, req: Json, blob: bytes) -> tuple[Json, bytes]:
        argv = [os.fsencode(a) for a in req["argv"]]
        if not argv:
            raise RequestError("empty argv")
        env = dict(self.base_env)
        env.update(req.get("env") or {})
        env_b = {os.fsencode(k): os.fsencode(v) for k, v in env.items()}
        limits = req.get("limits") or {}
        timeout = float(req["timeout"])
        max_output = int(req["max_output_bytes"])

        stdin_fd = self._stdin_fd(blob if req.get("stdin") else None)
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        exec_r, exec_w = os.pipe()
        oom_before = self.oom_kills()
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child execs or _exits
            self._child(argv, env_b, limits, stdin_fd, out_w, err_w, exec_w)
        for fd in (stdin_fd, out_w, err_w, exec_w):
            os.close(fd)
        exec_error = self._read_all(exec_r)
        os.close(exec_r)

        captures = {out_r: Capture(max_output), err_r: Capture(max_output)}
        status, end, timed_out = self._wait(pid, captures, start + timeout)
        reaped = self.kill_all(pid)
        if status is None:
            status = reaped if reaped is not None else os.waitpid(pid, 0)[1]
        for fd, capture in captures.items():
            self._drain(fd, capture)
            os.close(fd)
        oom_after = self.oom_kills()

        out, err = captures[out_r], captures[err_r]
        if exec_error:
            err.add(b"runner: cannot execute " + argv[0] + b": " + exec_error + b"\n")
        exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        if timed_out:
            outcome = "timed_out"
            exit_code = None
        elif oom_before is not None and oom_after is not None and oom_after > oom_before:
            outcome = "out_of_memory"
        elif sig is not None:
            outcome = "killed"
        else:
            outcome = "exited"
        out_bytes, err_bytes = out.value(), err.value()
        header = {
            "outcome": outcome,
            "exit_code": exit_code,
            "signal": sig,
            "duration": end - start,
            "stdout_len": len(out_bytes),
            "stdout_truncated": out.truncated,
            "stderr_truncated": err.truncated,
        }
        return header, out_bytes + err_bytes

    def _stdin_fd(self, data: bytes | None) -> int:
        if data is None:
            return os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
        fd = os.memfd_create("stdin", os.MFD_CLOEXEC)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.lseek(fd, 0, os.SEEK_SET)
        return fd

    def _child(
        self,
        argv: list[bytes],
        env: dict[bytes, bytes],
        limits: Json,
        stdin_fd: int,
        out_w: int,
        err_w: int,
        exec_w: int,
    ) -> None:
        try:
            os.setsid()
            try:
                # Make student processes the OOM killer's first choice, not the runner.
                with open("/proc/self/oom_score_adj", "w") as f:
                    f.write("1000")
            except OSError:
                pass
            os.dup2(stdin_fd, 0)
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            os.closerange(3, exec_w)
            os.closerange(exec_w + 1, 65536)
            # Python ignores SIGPIPE and SIGXFSZ, and ignored signals survive exec.
            for signum in (signal.SIGPIPE, signal.SIGXFSZ):
                signal.signal(signum, signal.SIG_DFL)
            os.chdir(self.workdir)
            os.setgroups([])
            os.setgid(self.gid)
            os.setuid(self.uid)
            os.umask(0o022)
            nofile = int(limits.get("nofile") or self.nofile)
            fsize = int(limits.get("fsize") or self.fsize)
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
            if limits.get("address_space"):
                limit = int(limits["address_space"])
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            if limits.get("block_process_spawn"):
                resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
            os.execvpe(argv[0], argv, env)
        except BaseException as e:
            try:
                message = e.strerror if isinstance(e, OSError) and e.strerror else repr(e)
                os.write(exec_w, message.encode(errors="replace"))
            finally:
                os._exit(127)

    @staticmethod
    def _read_all(fd: int) -> bytes:
        parts: list[bytes] = []
        while True:
            chunk = os.read(fd, READ_CHUNK)
            if not chunk:
                return b"".join(parts)
            parts.append(chunk)

    @staticmethod
    def _drain(fd: int, capture: Capture) -> None:
        # Every writer is dead by now, so this ends at EOF.
        while True:
            chunk = os.read(fd, READ_CHUNK)
            if not chunk:
                return
            capture.add(chunk)

    def _wait(
        self, pid: int, captures: dict[int, Capture], deadline: float
    ) -> tuple[int | None, float, bool]:
        """Collect output until the main process ends or the deadline passes."""
        poller = select.poll()
        for fd in captures:
            poller.register(fd, select.POLLIN)
        pidfd = -1
        try:
            pidfd = os.pidfd_open(pid)  # type: ignore[attr-defined,unused-ignore]
            poller.register(pidfd, select.POLLIN)
        except (AttributeError, OSError):
            pidfd = -1  # old kernel, old Python or gVisor: poll waitpid instead
        open_fds = set(captures)
        try:
            while True:
                got, status = os.waitpid(pid, os.WNOHANG)
                if got == pid:
                    return status, time.monotonic(), False
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    now = time.monotonic()
                    with contextlib.suppress(OSError):
                        os.killpg(pid, signal.SIGKILL)  # stop the main tree first
                    return None, now, True
                wait_ms = remaining * 1000 if pidfd >= 0 else min(remaining * 1000, 2)
                for fd, _ in poller.poll(max(wait_ms, 0.1)):
                    if fd in open_fds:
                        chunk = os.read(fd, READ_CHUNK)
                        if chunk:
                            captures[fd].add(chunk)
                        else:
                            poller.unregister(fd)
                            open_fds.discard(fd)
        finally:
            if pidfd >= 0:
                os.close(pidfd)

    # ----- files ----------------------------------------------------------------

    def _open_parent(self, path: str, create: bool, root_owned: bool = False) -> tuple[int, str]:
        """Open the directory holding path, never following a symlink.

        Returns (dir fd, final component). Missing directories are created when
        `create` (for the student, or root-owned and sticky for a root-owned file, so
        the student cannot move the file's directory aside); otherwise
        FileNotFoundError propagates.
        """
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if not parts or ".." in parts:
            raise RequestError(f"bad path {path!r}")
        base = "/" if path.startswith("/") else self.workdir
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(base, flags)
        try:
            for part in parts[:-1]:
                try:
                    nxt = os.open(part, flags, dir_fd=fd)
                except NotADirectoryError:
                    if stat.S_ISLNK(os.lstat(part, dir_fd=fd).st_mode):
                        raise OSError(errno.ELOOP, "a symlink in the path", part) from None
                    raise
                except FileNotFoundError:
                    if not create:
                        raise
                    os.mkdir(part, 0o755, dir_fd=fd)
                    nxt = os.open(part, flags, dir_fd=fd)
                    if root_owned:
                        os.fchmod(nxt, STICKY_DIR_MODE)
                    else:
                        os.fchown(nxt, self.uid, self.gid)
                os.close(fd)
                fd = nxt
                if root_owned and os.fstat(fd).st_uid != 0:
                    # The student could rename this directory and put its own in its place.
                    raise RequestError(
                        f"a directory on the path of {path!r} belongs to the student"
                    )
        except BaseException:
            os.close(fd)
            raise
        return fd, parts[-1]

    def put(self, req: Json, blob: bytes) -> tuple[Json, bytes]:
        offset = 0
        for spec in req["files"]:
            size = int(spec["size"])
            data = blob[offset : offset + size]
            offset += size
            try:
                self._put_one(spec["path"], data, int(spec["mode"]), spec["owner"] == "root")
            except OSError as e:
                raise RequestError(f"cannot write {spec['path']!r}: {e.strerror}") from e
        return {"ok": True}, b""

    def _put_one(self, path: str, data: bytes, mode: int, root_owned: bool) -> None:
        dir_fd, name = self._open_parent(path, create=True, root_owned=root_owned)
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name, dir_fd=dir_fd)  # a planted symlink is removed, not followed
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
            fd = os.open(name, flags, 0o600, dir_fd=dir_fd)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                if root_owned:
                    os.fchmod(fd, mode & 0o555)
                else:
                    os.fchmod(fd, mode)
                    os.fchown(fd, self.uid, self.gid)
            finally:
                os.close(fd)
        finally:
            os.close(dir_fd)

    # ----- snapshot and restore ---------------------------------------------------

    SCRATCH_DIRS = ("/tmp", "/dev/shm")
    FILE, DIR, LINK = 0, 1, 2

    def _student_entries(self, top: str) -> list[tuple[str, os.stat_result]]:
        """Everything the student owns under `top` (never following symlinks), parents first."""
        found: list[tuple[str, os.stat_result]] = []
        for root, dirs, files in os.walk(top, followlinks=False):
            for name in dirs + files:
                path = os.path.join(root, name)
                try:
                    st = os.lstat(path)
                except FileNotFoundError:
                    continue
                if st.st_uid == self.uid:
                    found.append((path, st))
        return found

    def snapshot(self, req: Json, blob: bytes) -> tuple[Json, bytes]:
        """Remembers the student's files under $HOME (regular files, directories, symlinks),
        so that `restore` can put them back after a command changed them."""
        entries: list[tuple[str, int, int, bytes, int]] = []
        total = 0
        limit = int(req["max_bytes"])
        for path, st in self._student_entries(self.home):
            rel = os.path.relpath(path, self.home)
            if stat.S_ISDIR(st.st_mode):
                entries.append((rel, st.st_mode, st.st_mtime_ns, b"", self.DIR))
            elif stat.S_ISLNK(st.st_mode):
                entries.append((rel, st.st_mode, 0, os.fsencode(os.readlink(path)), self.LINK))
            elif stat.S_ISREG(st.st_mode):
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
                try:
                    data = self._read_all(fd)
                finally:
                    os.close(fd)
                total += len(data)
                if total > limit:
                    raise RequestError(f"the files under $HOME exceed {limit} bytes")
                entries.append((rel, st.st_mode, st.st_mtime_ns, data, self.FILE))
        self.snapshot_entries = entries
        return {"ok": True, "files": len(entries), "bytes": total}, b""

    def _remove(self, path: str, st: os.stat_result) -> None:
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISDIR(st.st_mode):
                for root, dirs, files in os.walk(path, topdown=False, followlinks=False):
                    for name in files:
                        os.unlink(os.path.join(root, name))
                    for name in dirs:
                        child = os.path.join(root, name)
                        if os.path.islink(child):
                            os.unlink(child)
                        else:
                            os.rmdir(child)
                os.rmdir(path)
            else:
                os.unlink(path)

    def restore(self, req: Json, blob: bytes) -> tuple[Json, bytes]:
        """Deletes everything the student owns under $HOME, /tmp and /dev/shm, then puts back
        what `snapshot` saw, with its modes (and files' times, which `make` compares). Root's
        files (instructor files) are left alone: the student cannot have changed them."""
        if self.snapshot_entries is None:
            raise RequestError("no snapshot to restore")
        for top in (self.home, *self.SCRATCH_DIRS):
            if not os.path.isdir(top):
                continue
            for path, st in self._student_entries(top):
                if os.path.lexists(path):
                    self._remove(path, st)
        for rel, mode, mtime_ns, data, kind in self.snapshot_entries:
            path = os.path.join(self.home, rel)
            if kind == self.DIR:
                os.mkdir(path, 0o700)
                os.chmod(path, stat.S_IMODE(mode))
            elif kind == self.LINK:
                os.symlink(os.fsdecode(data), path)
            else:
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
                fd = os.open(path, flags, 0o600)
                try:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(fd, view) :]
                    os.fchmod(fd, stat.S_IMODE(mode))
                finally:
                    os.close(fd)
                os.utime(path, ns=(mtime_ns, mtime_ns), follow_symlinks=False)
            os.lchown(path, self.uid, self.gid)
        return {"ok": True}, b""

    # ----- reset for another user -------------------------------------------------

    RESET_DIRS = ("/tmp", "/dev/shm", "/dev/mqueue")
    DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    SYSVIPC = (("shm", "shmctl"), ("msg", "msgctl"), ("sem", "semctl"))
    IPC_RMID = 0

    def reset(self, req: Json, blob: bytes) -> tuple[Json, bytes]:
        """Makes the container what a new one is, for another submission, then checks it.

        Every process but init and this one is killed. Every file under $HOME, /tmp,
        /dev/shm, /dev/mqueue and the host's extra directories goes: first the student's,
        by a process with the student's uid (a student's sticky directory keeps even root
        from deleting in it, and only an owner may remove System V IPC objects, which go
        too), then whatever is left, by root. The working directory is made again as
        `hello` makes it. Then each of those is checked: no process, every directory
        empty, no System V IPC object. Anything left (or anything that can't be checked)
        is reported (`left`, `uncheckable`), and the host removes the container instead of
        handing it out."""
        if self.uid < 0:
            raise RequestError("reset before hello")
        dirs = [self.home, *self.RESET_DIRS, *(str(d) for d in req.get("dirs") or ())]
        if not self._under_home(self.workdir):
            dirs.append(self.workdir)
        self.kill_all()
        self._as_student(lambda: self._student_clear(dirs))
        self.kill_all()
        for top in dirs:
            self._clear(top)
        os.makedirs(self.workdir, mode=0o755, exist_ok=True)
        for path in {self.home, self.workdir}:
            os.chown(path, 0, 0)
            os.chmod(path, STICKY_DIR_MODE)
        self.snapshot_entries = None
        left, uncheckable = self._leftovers(dirs)
        return {
            "clean": not left and not uncheckable,
            "left": left,
            "uncheckable": uncheckable,
        }, b""

    def _under_home(self, path: str) -> bool:
        return os.path.commonpath([self.home, path]) == self.home and path != self.home

    def _as_student(self, work: Any) -> None:
        """Runs `work` in a child process with the student's uid and gid, and waits for it
        (at most 30 s)."""
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child _exits
            code = 1
            try:
                os.setgroups([])
                os.setgid(self.gid)
                os.setuid(self.uid)
                work()
                code = 0
            finally:
                os._exit(code)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                return
            time.sleep(0.001)
        self.kill_all(pid)

    def _student_clear(self, dirs: list[str]) -> None:
        for top in dirs:
            self._clear(top)
        self._remove_sysvipc()

    def _remove_sysvipc(self) -> None:
        """Removes the System V IPC objects this process owns (the student's, in the child)."""
        try:
            import ctypes  # only here: images whose python3 lacks it still run commands

            libc = ctypes.CDLL(None, use_errno=True)
        except (ImportError, OSError):
            return  # `_leftovers` then finds any object left
        for kind, call in self.SYSVIPC:
            for ident in self._sysvipc_ids(kind):
                if kind == "sem":
                    libc.semctl(ident, 0, self.IPC_RMID)
                else:
                    getattr(libc, call)(ident, self.IPC_RMID, None)

    @staticmethod
    def _sysvipc_ids(kind: str) -> list[int]:
        """The ids listed in /proc/sysvipc/<kind> (OSError when it can't be read)."""
        with open(f"/proc/sysvipc/{kind}") as f:
            rows = f.read().splitlines()[1:]
        return [int(row.split()[1]) for row in rows if row.strip()]

    def _clear(self, top: str) -> None:
        """Removes everything this process may remove under `top`, however deep: one
        directory descriptor at a time, so neither path length nor recursion limits it.
        Nobody else runs meanwhile, so `..` leads back where we came from."""
        try:
            fd = os.open(top, self.DIR_FLAGS)
        except OSError:
            return
        names: list[str] = []  # the way down from top
        stuck: set[tuple[int, int]] = set()  # directories this process can't empty
        try:
            while True:
                with os.scandir(fd) as entries:
                    child = self._clear_entries(fd, entries, names, stuck)
                if child is not None:
                    os.close(fd)
                    fd = child
                    continue
                if not names:
                    return
                here = os.fstat(fd)
                parent = os.open("..", self.DIR_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = parent
                try:
                    os.rmdir(names.pop(), dir_fd=fd)
                except OSError:
                    stuck.add((here.st_dev, here.st_ino))
        finally:
            os.close(fd)

    def _clear_entries(
        self, fd: int, entries: Any, names: list[str], stuck: set[tuple[int, int]]
    ) -> int | None:
        """Removes the files and empty directories of directory `fd`; returns an open
        descriptor of the first subdirectory left to empty (its name pushed on `names`),
        or None when nothing more can be done here."""
        me = os.geteuid()
        for entry in entries:
            try:
                st = os.stat(entry.name, dir_fd=fd, follow_symlinks=False)
            except OSError:
                continue
            if not stat.S_ISDIR(st.st_mode):
                with contextlib.suppress(OSError):
                    os.unlink(entry.name, dir_fd=fd)
                continue
            if (st.st_dev, st.st_ino) in stuck:
                continue
            try:
                os.rmdir(entry.name, dir_fd=fd)
                continue
            except OSError:
                pass
            if st.st_uid == me and me != 0:  # the student may have locked itself out
                with contextlib.suppress(OSError):
                    os.chmod(entry.name, 0o700, dir_fd=fd)
            try:
                child = os.open(entry.name, self.DIR_FLAGS, dir_fd=fd)
            except OSError:
                stuck.add((st.st_dev, st.st_ino))
                continue
            names.append(entry.name)
            return child
        return None

    def _leftovers(self, dirs: list[str]) -> tuple[list[str], list[str]]:
        """What a reset failed to remove, and what can't be checked here, described."""
        left: list[str] = []
        uncheckable: list[str] = []
        if self._others_alive(os.getpid()):
            left.append("processes")
        under_home = self._under_home(self.workdir)
        work_top = os.path.relpath(self.workdir, self.home).split("/")[0]
        for top in dirs:
            try:
                names = set(os.listdir(top))
            except FileNotFoundError:
                continue
            except OSError as e:
                left.append(f"{top}: {e.strerror}")
                continue
            if top == self.home and under_home:
                names.discard(work_top)  # made again just above, empty (checked below)
            if names:
                left.append(f"{top}: {len(names)} entries")
        for path in {self.home, self.workdir}:
            st = os.lstat(path)
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != 0:
                left.append(f"{path} is not root's directory")
        if os.listdir(self.workdir):
            left.append(f"{self.workdir}: not empty")
        for kind, _ in self.SYSVIPC:
            try:
                if self._sysvipc_ids(kind):
                    left.append(f"System V IPC objects ({kind})")
            except OSError:  # gVisor has no /proc/sysvipc
                uncheckable.append(f"System V IPC ({kind})")
        return left, uncheckable

    def get(self, req: Json, blob: bytes) -> tuple[Json, bytes]:
        max_bytes = int(req["max_bytes"])
        try:
            dir_fd, name = self._open_parent(req["path"], create=False)
        except (FileNotFoundError, NotADirectoryError):
            return {"status": "missing"}, b""
        except OSError as e:
            if e.errno == errno.ELOOP:
                return {"status": "not_regular"}, b""
            raise RequestError(f"cannot read {req['path']!r}: {e.strerror}") from e
        try:
            flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
            try:
                fd = os.open(name, flags, dir_fd=dir_fd)
            except FileNotFoundError:
                return {"status": "missing"}, b""
            except OSError as e:
                if e.errno in (errno.ELOOP, errno.ENXIO, errno.EISDIR):
                    return {"status": "not_regular"}, b""
                raise RequestError(f"cannot read {req['path']!r}: {e.strerror}") from e
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    return {"status": "not_regular"}, b""
                parts: list[bytes] = []
                size = 0
                while size <= max_bytes:
                    chunk = os.read(fd, min(READ_CHUNK, max_bytes + 1 - size))
                    if not chunk:
                        break
                    parts.append(chunk)
                    size += len(chunk)
                data = b"".join(parts)
                return {"status": "ok", "truncated": size > max_bytes}, data[:max_bytes]
            finally:
                os.close(fd)
        finally:
            os.close(dir_fd)


def main() -> None:
    # Move the protocol off fds 0/1 (close-on-exec duplicates) so that nothing
    # started here can ever inherit it, and point 0/1 at /dev/null.
    proto_in, proto_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.close(devnull)
    channel = Channel(proto_in, proto_out)
    runner = Runner()
    handlers = {
        "hello": runner.hello,
        "ping": runner.ping,
        "run": runner.run,
        "put": runner.put,
        "get": runner.get,
        "snapshot": runner.snapshot,
        "restore": runner.restore,
        "reset": runner.reset,
    }
    while True:
        try:
            req, blob = channel.recv()
        except EOFError:
            break  # the host went away: kill everything and let the container stop
        handler = handlers.get(req.get("op", ""))
        try:
            if handler is None:
                raise RequestError(f"unknown op {req.get('op')!r}")
            reply, data = handler(req, blob)
        except RequestError as e:
            reply, data = {"error": str(e), "kind": "request"}, b""
        except Exception as e:
            traceback.print_exc()
            reply, data = {"error": repr(e), "kind": "internal"}, b""
        try:
            channel.send(reply, data)
        except OSError:
            break
    runner.kill_all()


if __name__ == "__main__":
    main()
