"""The Docker backend: hardened containers whose main process is the runner.

Every container gets the same hardening (see `host_config`); a container serves
another sandbox only after its runner reset it and found nothing left (`recycled`). The
host talks to the runner over the
container's attach stream only: no network, no shared host path.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from typing import Any

import docker
import docker.errors
import requests.exceptions
from docker.types import LogConfig, Ulimit
from docker.utils import kwargs_from_env

from autograder.sandbox.config import SandboxSettings, load_settings
from autograder.sandbox.errors import (
    SandboxBrokenError,
    SandboxClosedError,
    SandboxError,
    SandboxRequestError,
    SandboxResetError,
    SandboxUnavailableError,
)
from autograder.sandbox.image_pull import ImagePuller
from autograder.sandbox.interface import (
    ContainerSpec,
    FileResult,
    FileStatus,
    Limits,
    Outcome,
    PutFile,
    RunResult,
    validate_path,
)
from autograder.sandbox.protocol import Connection

logger = logging.getLogger(__name__)

LABEL = "org.autograder.sandbox"
"""Every container this library creates carries this label (value "1")."""
LABEL_OWNER = "org.autograder.sandbox.owner"
"""host:pid:process-start-time of the process that created it."""
LABEL_CREATED = "org.autograder.sandbox.created"
"""Unix time of creation."""

# Capabilities the runner needs, and nothing else. Student processes get none:
# dropping from root to their uid clears every capability, and no-new-privileges
# stops setuid binaries and file capabilities from giving any back.
CAPABILITIES = (
    "CHOWN",  # give put files and the directories made for them to the student
    "DAC_OVERRIDE",  # write into / read from student-owned dirs whatever modes they set
    "SETUID",  # drop to the student's uid
    "SETGID",  # ... and gid, with no supplementary groups
    "KILL",  # kill the student's processes (a different uid) after each command
)

REMOVE_ATTEMPTS = 3
REMOVAL_WAIT_S = 5.0
"""How long a removal Docker already started may take before it is asked for again."""

_DOCKER_ERRORS = (docker.errors.DockerException, requests.exceptions.RequestException)


def runner_source() -> str:
    """Source of the in-container runner, passed to the image's python3 at start."""
    return resources.files("autograder.sandbox.runner").joinpath("agrunner.py").read_text()


def _process_start_time(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return "0"


def owner_id() -> str:
    """Identifies this process among the workers sharing a Docker daemon.

    Computed per call so that a forked worker gets its own id.
    """
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_process_start_time(pid)}"


def owner_alive(owner: str) -> bool | None:
    """Whether the process behind an owner id still runs; None when it can't be told."""
    host, _, rest = owner.partition(":")
    pid_text, _, start = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    return _process_start_time(int(pid_text)) == start


class DockerBackend:
    """Creates and removes sandbox containers on one Docker daemon."""

    def __init__(
        self,
        settings: SandboxSettings | None = None,
        client: docker.APIClient | None = None,
    ) -> None:
        self.settings = settings or load_settings()
        if client is None:
            try:
                client = docker.APIClient(max_pool_size=128, timeout=60, **kwargs_from_env())
            except _DOCKER_ERRORS as e:
                raise SandboxUnavailableError(f"cannot reach Docker: {e}") from e
        self.api = client
        self.puller = ImagePuller(client, self.settings)
        """Pulls an image this node lacks before the first container of it (once)."""
        self._runner = runner_source()
        self._live: set[str] = set()
        self._lock = threading.Lock()

    def live_ids(self) -> set[str]:
        """Containers of this backend that are idle in a pool or in use."""
        with self._lock:
            return set(self._live)

    def runtimes(self) -> set[str]:
        try:
            return set(self.api.info().get("Runtimes", {}))
        except _DOCKER_ERRORS as e:
            raise SandboxUnavailableError(f"cannot reach Docker: {e}") from e

    def host_config(self, spec: ContainerSpec) -> dict[str, Any]:
        s = self.settings
        assert spec.memory_bytes and spec.pids and spec.cpus  # resolved specs only
        tmpfs_opts = f"rw,nosuid,nodev,exec,nr_inodes={s.inodes}"
        config: dict[str, Any] = self.api.create_host_config(
            network_mode="bridge" if spec.network else "none",
            read_only=True,
            tmpfs={
                s.home: f"{tmpfs_opts},size={spec.workdir_bytes},mode=755",
                "/tmp": f"{tmpfs_opts},size={spec.tmp_bytes},mode=1777",
                **{d: f"{tmpfs_opts},size={spec.workdir_bytes},mode=1777" for d in spec.extra_dirs},
            },
            shm_size=s.shm_bytes,
            pids_limit=spec.pids,
            mem_limit=spec.memory_bytes,
            memswap_limit=spec.memory_bytes,
            nano_cpus=int(spec.cpus * 1e9),
            cap_drop=["ALL"],
            cap_add=list(CAPABILITIES),
            security_opt=["no-new-privileges:true"],
            init=True,
            ulimits=[
                Ulimit(name="nofile", soft=s.nofile, hard=s.nofile),
                Ulimit(name="fsize", soft=s.fsize_bytes, hard=s.fsize_bytes),
                Ulimit(name="core", soft=0, hard=0),
            ],
            log_config=LogConfig(
                type="json-file", config={"max-size": s.log_max_size, "max-file": "1"}
            ),
            runtime=spec.runtime,
            auto_remove=True,
        )
        return config

    def image_digest(self, image: str) -> str:
        try:
            return str(self.api.inspect_image(image)["Id"])  # type: ignore[no-untyped-call]  # docker-py leaves it untyped
        except _DOCKER_ERRORS:  # informative only: grading doesn't depend on it
            return ""

    def create(
        self,
        image: str,
        spec: ContainerSpec,
        on_release: Callable[[DockerSandbox], None] | None = None,
    ) -> DockerSandbox:
        """Create, start and greet one container. Blocks for a few hundred ms."""
        spec = spec.resolved(self.settings)
        self.puller.ensure(image)
        image_id = self.image_digest(image)
        try:
            container_id = self._create_container(image, spec)
        except docker.errors.ImageNotFound:
            self.puller.forget(image)  # removed since (garbage collection): pull it again
            self.puller.ensure(image)
            try:
                container_id = self._create_container(image, spec)
            except docker.errors.ImageNotFound as e:
                raise SandboxUnavailableError(f"no sandbox image {image!r}: {e}") from e
            image_id = self.image_digest(image)
        sandbox = self._start(container_id, spec, on_release)
        sandbox.image_id = image_id
        return sandbox

    def _create_container(self, image: str, spec: ContainerSpec) -> str:
        s = self.settings
        try:
            container_id: str = self.api.create_container(
                image,
                command=[s.python, "-I", "-S", "-c", self._runner],
                user="0:0",
                working_dir="/",
                hostname="sandbox",
                stdin_open=True,
                detach=False,  # with stdin_open: StdinOnce, so our hang-up ends the runner
                labels={LABEL: "1", LABEL_OWNER: owner_id(), LABEL_CREATED: str(int(time.time()))},
                host_config=self.host_config(spec),
            )["Id"]
        except docker.errors.ImageNotFound:
            raise
        except _DOCKER_ERRORS as e:
            raise SandboxUnavailableError(f"cannot create a container from {image!r}: {e}") from e
        return container_id

    def _start(
        self,
        container_id: str,
        spec: ContainerSpec,
        on_release: Callable[[DockerSandbox], None] | None,
    ) -> DockerSandbox:
        s = self.settings
        with self._lock:
            self._live.add(container_id)
        try:
            raw = self.api.attach_socket(
                container_id, params={"stdin": 1, "stdout": 1, "stream": 1}
            )
            conn = Connection(getattr(raw, "_sock", raw), raw)
            self.api.start(container_id)
            reply, _ = conn.request(
                {
                    "op": "hello",
                    "user": s.user,
                    "home": s.home,
                    "workdir": s.workdir,
                    "nofile": s.nofile,
                    "fsize": s.fsize_bytes,
                    "env": dict(spec.environment),
                },
                timeout=s.start_timeout_s,
            )
            if "error" in reply:
                raise SandboxUnavailableError(f"runner refused to start: {reply['error']}")
        except BaseException as e:
            detail = self._log_tail(container_id)
            self.remove(container_id)
            if isinstance(e, SandboxBrokenError):
                raise SandboxUnavailableError(f"the runner did not start: {e}; {detail}") from e
            if isinstance(e, SandboxError):
                raise
            if isinstance(e, _DOCKER_ERRORS):
                raise SandboxUnavailableError(f"cannot start a container: {e}") from e
            raise
        return DockerSandbox(
            container_id,
            conn,
            s,
            on_release or self._release_now,
            oom_killed=self._oom_killed,
            extra_dirs=spec.extra_dirs,
        )

    def _oom_killed(self, container_id: str, since: float) -> bool:
        """Whether the kernel's OOM killer hit the container since `since` (a Unix time).
        Under gVisor (runsc) a command that exhausts the container's memory takes the whole
        sandbox with it (the host kills the sentry): the runner never answers, and Docker emits
        an `oom` event (kept after the container is auto-removed, unlike `State.OOMKilled`)."""
        for _ in range(10):
            try:
                events = self.api.events(
                    since=int(since) - 1,
                    until=int(time.time()) + 1,
                    filters={"container": container_id, "event": ["oom", "die"]},
                    decode=True,
                )
                seen = {str(event.get("status") or event.get("Action")) for event in events}
            except _DOCKER_ERRORS:
                return False
            if "oom" in seen:
                return True
            if "die" in seen:
                return False
            time.sleep(0.2)
        return False

    def _log_tail(self, container_id: str) -> str:
        """The end of the container's log (the runner's stderr), for error messages."""
        try:
            logs: bytes = self.api.logs(container_id, stdout=False, stderr=True, tail=20)
        except _DOCKER_ERRORS:
            return "no container log"
        return "container log: " + logs.decode(errors="replace")[-1000:]

    def _release_now(self, sandbox: DockerSandbox) -> None:
        sandbox.hang_up()
        self.remove(sandbox.id)

    def remove(self, container_id: str) -> None:
        """Kill and remove a container (blocking); a container already gone is fine."""
        try:
            for _ in range(REMOVE_ATTEMPTS):
                try:
                    self.api.remove_container(container_id, force=True)
                    return
                except docker.errors.NotFound:
                    return
                except docker.errors.APIError as e:
                    if e.status_code != 409:
                        raise
                # 409: Docker is removing it already (the container's auto-removal). That
                # normally ends in a moment; when it raced with this request Docker can leave
                # the container "Removal In Progress" for good, and asking again clears it.
                if self._gone_within(container_id, REMOVAL_WAIT_S):
                    return
            logger.warning("container %s is still being removed", container_id[:12])
        finally:
            with self._lock:
                self._live.discard(container_id)

    def _gone_within(self, container_id: str, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self.api.inspect_container(container_id)
            except docker.errors.NotFound:
                return True
            time.sleep(0.1)
        return False

    def labelled_containers(self) -> list[dict[str, Any]]:
        """Every container on the daemon that carries this library's label."""
        found: list[dict[str, Any]] = self.api.containers(all=True, filters={"label": f"{LABEL}=1"})
        return found


class DockerSandbox:
    """A started container with its runner, implementing `interface.Sandbox`."""

    def __init__(
        self,
        container_id: str,
        conn: Connection,
        settings: SandboxSettings,
        on_release: Callable[[DockerSandbox], None],
        *,
        oom_killed: Callable[[str, float], bool] = lambda _id, _since: False,
        extra_dirs: Sequence[str] = (),
    ) -> None:
        self._oom_killed = oom_killed
        self._id = container_id
        self._conn = conn
        self._settings = settings
        self._on_release = on_release
        self._extra_dirs = tuple(extra_dirs)
        self._released = False
        self.image_id = ""
        """The id of the image the container was made from ("" if unknown)."""

    @property
    def id(self) -> str:
        return self._id

    @property
    def released(self) -> bool:
        return self._released

    def _request(
        self, header: dict[str, Any], blob: bytes = b"", *, timeout: float
    ) -> tuple[dict[str, Any], bytes]:
        if self._released:
            raise SandboxClosedError(f"sandbox {self._id[:12]} was released")
        reply, data = self._conn.request(header, blob, timeout=timeout)
        if "error" in reply:
            if reply.get("kind") == "request":
                raise SandboxRequestError(str(reply["error"]))
            raise SandboxBrokenError(f"runner failed: {reply['error']}")
        return reply, data

    def _transfer_timeout(self, nbytes: int) -> float:
        # Generous: tens of MB/s through the attach stream is the slow case.
        return self._settings.grace_s + nbytes / 10_000_000

    def ping(self, timeout: float = 2.0) -> None:
        self._request({"op": "ping"}, timeout=timeout)

    def put_files(self, files: Sequence[PutFile]) -> None:
        if not files:
            return
        specs = [
            {"path": f.path, "mode": f.mode, "owner": f.owner.value, "size": len(f.content)}
            for f in files
        ]
        blob = b"".join(f.content for f in files)
        self._request(
            {"op": "put", "files": specs}, blob, timeout=self._transfer_timeout(len(blob))
        )

    def run(
        self,
        argv: Sequence[str],
        *,
        stdin: bytes | None = None,
        limits: Limits = Limits(),  # noqa: B008 - frozen dataclass, safe to share
        env: Mapping[str, str] | None = None,
    ) -> RunResult:
        _check_argv(argv, env or {})
        header = {
            "op": "run",
            "argv": list(argv),
            "env": dict(env or {}),
            "stdin": stdin is not None,
            "timeout": limits.timeout_s,
            "max_output_bytes": limits.max_output_bytes,
            "limits": {
                "address_space": limits.memory_bytes,
                "block_process_spawn": limits.block_process_spawn,
                "fsize": limits.max_file_bytes,
                "nofile": limits.max_open_files,
            },
        }
        stdin_bytes = stdin or b""
        timeout = limits.timeout_s + self._transfer_timeout(
            len(stdin_bytes) + 2 * limits.max_output_bytes
        )
        started, since = time.monotonic(), time.time()
        try:
            reply, data = self._request(header, stdin_bytes, timeout=timeout)
        except SandboxBrokenError:
            if not self._oom_killed(self._id, since):
                raise
            # The command exhausted the memory and the container died with it (gVisor):
            # reported like an OOM kill under runc. The sandbox is gone for later commands.
            return RunResult(
                outcome=Outcome.OUT_OF_MEMORY,
                exit_code=None,
                signal=9,
                stdout=b"",
                stderr=b"",
                stdout_truncated=False,
                stderr_truncated=False,
                duration_s=time.monotonic() - started,
            )
        split = int(reply["stdout_len"])
        return RunResult(
            outcome=Outcome(reply["outcome"]),
            exit_code=reply["exit_code"],
            signal=reply["signal"],
            stdout=data[:split],
            stderr=data[split:],
            stdout_truncated=bool(reply["stdout_truncated"]),
            stderr_truncated=bool(reply["stderr_truncated"]),
            duration_s=float(reply["duration"]),
        )

    def get_file(self, path: str, *, max_bytes: int) -> FileResult:
        validate_path(path)
        if max_bytes < 0:
            raise ValueError("max_bytes must not be negative")
        reply, data = self._request(
            {"op": "get", "path": path, "max_bytes": max_bytes},
            timeout=self._transfer_timeout(max_bytes),
        )
        status = FileStatus(reply["status"])
        return FileResult(status=status, content=data, truncated=bool(reply.get("truncated")))

    def snapshot(self, *, max_bytes: int) -> None:
        self._request(
            {"op": "snapshot", "max_bytes": max_bytes}, timeout=self._transfer_timeout(max_bytes)
        )

    def restore(self) -> None:
        self._request({"op": "restore"}, timeout=self._settings.grace_s + 60)

    def release(self) -> None:
        """Hand the container to its owner's `on_release` (which hangs up and removes it,
        or resets it for another user with `recycled`). This handle is dead from now on."""
        if self._released:
            return
        self._released = True
        self._on_release(self)

    def hang_up(self) -> None:
        """Close the runner's stream: the runner kills every process and exits, and the
        container stops (Docker then removes it)."""
        self._conn.close()

    @property
    def broken(self) -> bool:
        """The runner's stream failed or was closed: the container can't serve again."""
        return self._conn.closed

    def recycled(self) -> DockerSandbox:
        """A new handle on this released container, after the runner reset it (every
        process killed, every file of the scratch directories and every IPC object removed,
        then checked: `agrunner.Runner.reset`). Raises SandboxError (and hangs up) when the
        reset failed or found anything left; the container must then be removed."""
        if not self._released:
            raise RuntimeError("only a released sandbox can be reset for another user")
        try:
            reply, _ = self._conn.request(
                {"op": "reset", "dirs": list(self._extra_dirs)},
                timeout=self._settings.grace_s + 30,
            )
        except SandboxError:
            self.hang_up()
            raise
        if not reply.get("clean"):
            self.hang_up()
            if "error" in reply:
                raise SandboxResetError(f"the runner failed to reset: {reply['error']}")
            raise SandboxResetError(
                "not clean after a reset: "
                + "; ".join(
                    [*reply["left"], *(f"{u} can't be checked" for u in reply["uncheckable"])]
                ),
                uncheckable=bool(reply["uncheckable"]),
            )
        fresh = DockerSandbox(
            self._id,
            self._conn,
            self._settings,
            self._on_release,
            oom_killed=self._oom_killed,
            extra_dirs=self._extra_dirs,
        )
        fresh.image_id = self.image_id
        return fresh


def _check_argv(argv: Sequence[str], env: Mapping[str, str]) -> None:
    if isinstance(argv, str) or not argv:
        raise ValueError("argv must be a non-empty sequence of strings")
    for arg in argv:
        if not isinstance(arg, str) or "\0" in arg:
            raise ValueError(f"bad argument {arg!r}")
    for key, value in env.items():
        if not key or "=" in key or "\0" in key or "\0" in value:
            raise ValueError(f"bad environment variable {key!r}")
