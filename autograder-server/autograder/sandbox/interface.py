"""The one interface of the sandbox library.

The grading pipeline acquires a `Sandbox` for an image and a `ContainerSpec`,
puts files into it, runs commands under per-command `Limits`, reads files back
and releases it. Everything a student's program does comes back as a value
(`RunResult`, `FileResult`); faults of the sandbox itself raise `errors.SandboxError`.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from autograder.sandbox.config import SandboxSettings, load_settings


class Outcome(enum.Enum):
    """How a command ended, in order of precedence."""

    EXITED = "exited"
    """It exited by itself; see `exit_code`."""
    KILLED = "killed"
    """A signal ended it (a crash, or `kill` from within); see `signal`."""
    TIMED_OUT = "timed_out"
    """It was still running at its wall-clock timeout and was killed."""
    OUT_OF_MEMORY = "out_of_memory"
    """The container's memory limit was hit and the kernel killed it."""


class Owner(enum.Enum):
    """Who owns a file put into the sandbox."""

    STUDENT = "student"
    """The unprivileged user that runs commands: it may change or delete the file."""
    ROOT = "root"
    """Root, read-only (instructor files): the student may read but not modify it."""


_SYSTEM_DIRS = frozenset(
    ("", "/bin", "/dev", "/etc", "/lib", "/lib64", "/proc", "/sbin", "/sys", "/tmp", "/usr")
)


def _frozen_mapping(value: Mapping[str, str]) -> Mapping[str, str]:
    return types.MappingProxyType(dict(value))


@dataclass(frozen=True)
class ContainerSpec:
    """Container-wide limits, fixed for the life of one sandbox.

    Specs are pool keys: sandboxes with equal specs come from the same warm pool.
    `None` fields take their value from `AG_SANDBOX_*` settings when the sandbox
    is created (see `resolved()`).
    """

    memory_bytes: int | None = None
    """Memory limit of the whole container, including its tmpfs files; swap is off."""
    pids: int | None = None
    """Maximum number of processes and threads in the container."""
    cpus: float | None = None
    """CPU quota in cores."""
    network: bool = False
    """Allow network access (a bridge network); otherwise only loopback exists."""
    runtime: str | None = None
    """OCI runtime: None for the daemon's default (runc), or e.g. "runsc" (gVisor)."""
    environment: Mapping[str, str] = field(default_factory=dict, hash=False)
    """Variables every command sees (commands may add their own)."""
    workdir_bytes: int | None = None
    """Size of the tmpfs holding $HOME and the working directory."""
    tmp_bytes: int | None = None
    """Size of the /tmp tmpfs."""
    extra_dirs: tuple[str, ...] = ()
    """Absolute directories mounted as extra tmpfs (root-owned, sticky, world-writable, sized
    like the working directory), e.g. `/autograder` for autograders written for Gradescope:
    the rest of the root filesystem is read-only."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "environment", _frozen_mapping(self.environment))
        for directory in self.extra_dirs:
            validate_path(directory)
            if not directory.startswith("/") or directory.rstrip("/") in _SYSTEM_DIRS:
                raise ValueError(f"extra_dirs must be absolute non-system paths: {directory!r}")
        for name, value in (("memory_bytes", self.memory_bytes), ("pids", self.pids)):
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be positive, not {value}")
        if self.cpus is not None and self.cpus <= 0:
            raise ValueError(f"cpus must be positive, not {self.cpus}")

    def __hash__(self) -> int:
        return hash(
            (
                self.memory_bytes,
                self.pids,
                self.cpus,
                self.network,
                self.runtime,
                tuple(sorted(self.environment.items())),
                self.workdir_bytes,
                self.tmp_bytes,
                self.extra_dirs,
            )
        )

    def resolved(self, settings: SandboxSettings | None = None) -> ContainerSpec:
        """This spec with every unset limit filled from settings."""
        s = settings or load_settings()
        return ContainerSpec(
            memory_bytes=self.memory_bytes or s.memory_bytes,
            pids=self.pids or s.pids,
            cpus=self.cpus or s.cpus,
            network=self.network,
            runtime=self.runtime or s.runtime,
            environment=self.environment,
            workdir_bytes=self.workdir_bytes or s.workdir_bytes,
            tmp_bytes=self.tmp_bytes or s.tmp_bytes,
            extra_dirs=self.extra_dirs,
        )


@dataclass(frozen=True)
class Limits:
    """Limits of one command."""

    timeout_s: float = 10.0
    """Wall-clock limit; the whole process tree is killed when it passes."""
    memory_bytes: int | None = None
    """Address-space limit of each process (RLIMIT_AS), like autograder.io's
    virtual memory limit. The container's memory limit always applies too."""
    block_process_spawn: bool = False
    """Forbid fork/clone (RLIMIT_NPROC = 0): the command itself may not start others."""
    max_output_bytes: int = 15_000_000
    """Bytes kept per stream (stdout, stderr); the rest is read and dropped."""
    max_file_bytes: int | None = None
    """Largest file the command may write (RLIMIT_FSIZE); None for the setting."""
    max_open_files: int | None = None
    """RLIMIT_NOFILE; None for the setting."""

    def __post_init__(self) -> None:
        if not self.timeout_s > 0:
            raise ValueError(f"timeout_s must be positive, not {self.timeout_s}")
        if self.max_output_bytes < 0:
            raise ValueError("max_output_bytes must not be negative")


@dataclass(frozen=True)
class RunResult:
    """What one command did."""

    outcome: Outcome
    exit_code: int | None
    """The exit status when `outcome` is EXITED, else None."""
    signal: int | None
    """The signal that ended the main process, if one did."""
    stdout: bytes
    stderr: bytes
    stdout_truncated: bool
    stderr_truncated: bool
    duration_s: float
    """Wall-clock time from start to the end of the main process."""

    @property
    def timed_out(self) -> bool:
        return self.outcome is Outcome.TIMED_OUT

    @property
    def out_of_memory(self) -> bool:
        return self.outcome is Outcome.OUT_OF_MEMORY


@dataclass(frozen=True)
class PutFile:
    """One file to put into the sandbox.

    `path` is relative to the working directory (or absolute inside the container);
    missing parent directories are created for the student.
    """

    path: str
    content: bytes
    mode: int = 0o644
    owner: Owner = Owner.STUDENT

    def __post_init__(self) -> None:
        validate_path(self.path)
        if not 0 <= self.mode <= 0o777:
            raise ValueError(f"mode must be permission bits only, not {oct(self.mode)}")


class FileStatus(enum.Enum):
    OK = "ok"
    MISSING = "missing"
    NOT_REGULAR = "not_regular"
    """A directory, device, FIFO, socket or symlink: symlinks are never followed."""


@dataclass(frozen=True)
class FileResult:
    status: FileStatus
    content: bytes = b""
    truncated: bool = False


MAX_PATH_BYTES = 4096


def validate_path(path: str) -> None:
    """Reject paths that could never name a file in the sandbox.

    Raises ValueError for empty paths, NUL bytes, `..` components and paths that
    are too long; the runner rechecks every component and never follows symlinks.
    """
    if not path:
        raise ValueError("empty path")
    if "\0" in path:
        raise ValueError("path contains a NUL byte")
    encoded = path.encode("utf-8", "surrogateescape")
    if len(encoded) > MAX_PATH_BYTES:
        raise ValueError("path too long")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if not parts:
        raise ValueError(f"path names no file: {path!r}")
    if ".." in parts:
        raise ValueError(f"path may not contain '..': {path!r}")
    if any(len(p.encode("utf-8", "surrogateescape")) > 255 for p in parts):
        raise ValueError("a path component is longer than 255 bytes")


class Sandbox(Protocol):
    """One isolated container, used by one caller at a time. A pool may hand the same
    container out again only after a verified reset (`WarmSandbox.recycled`)."""

    @property
    def id(self) -> str: ...

    def put_files(self, files: Sequence[PutFile]) -> None:
        """Write files, with their owners and modes, replacing existing ones."""
        ...

    def run(
        self,
        argv: Sequence[str],
        *,
        stdin: bytes | None = None,
        limits: Limits = ...,
        env: Mapping[str, str] | None = None,
    ) -> RunResult:
        """Run argv as the student user in the working directory.

        `stdin=None` means /dev/null. No process started by the command outlives it.
        """
        ...

    def get_file(self, path: str, *, max_bytes: int) -> FileResult:
        """Read a regular file, at most max_bytes of it, never following symlinks."""
        ...

    def snapshot(self, *, max_bytes: int) -> None:
        """Remember the student's files under $HOME as they are now (at most max_bytes of
        content, else SandboxRequestError), for `restore`."""
        ...

    def restore(self) -> None:
        """Put the student's files back as `snapshot` saw them: what the student created,
        changed or deleted since, under $HOME, /tmp and /dev/shm, is undone. Root's files
        are never touched. Lets one sandbox run many independent commands (mutation testing)
        without one run leaving anything for the next."""
        ...

    def release(self) -> None:
        """Give the sandbox back; returns at once, teardown happens in the background."""
        ...


class SandboxProvider(Protocol):
    """Hands out fresh sandboxes (a warm pool, or a bare backend)."""

    def acquire(self, image: str, spec: ContainerSpec) -> Sandbox: ...

    def image_digest(self, image: str) -> str:
        """The id of the image a name stands for now ("" when it can't be told), so a result
        can say exactly what graded it."""
        ...


class WarmSandbox(Sandbox, Protocol):
    """A started sandbox a pool can keep waiting: it can tell whether it is still alive, and
    once released it can be reset for another user or hung up on."""

    def ping(self) -> None:
        """Raises SandboxError when the sandbox died while it waited."""
        ...

    @property
    def broken(self) -> bool:
        """Whether it failed (or was hung up on) and can't serve again."""
        ...

    @property
    def image_id(self) -> str:
        """The id of the image it was made from ("" if unknown)."""
        ...

    def hang_up(self) -> None:
        """Stop it: its processes end and it goes away (teardown removes what is left)."""
        ...

    def recycled(self) -> WarmSandbox:
        """After release: a new handle on it once it was reset to what a new sandbox is and
        checked; raises SandboxError (having hung up) when that failed."""
        ...


class SandboxBackend(Protocol):
    """A container runtime as the pool sees it: it starts sandboxes."""

    def create(
        self, image: str, spec: ContainerSpec, on_release: Callable[[WarmSandbox], None]
    ) -> WarmSandbox:
        """Starts a sandbox; `on_release` is called when its user releases it."""
        ...

    def image_digest(self, image: str) -> str:
        """As `SandboxProvider.image_digest`."""
        ...
