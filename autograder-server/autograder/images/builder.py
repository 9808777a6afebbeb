"""Running `docker build` for one image build, with limits, and checking what it produced.

The build goes through the Docker Engine API (docker-py, as the sandbox backend), so a
builder needs the Docker socket and no Docker CLI. It asks for the legacy builder, whose
query parameters bound each RUN step's container: memory (swap off), CPU quota, an nproc
ulimit, and the network mode. No Docker socket is mounted into build steps (a build never
gets one). The whole build is stopped after the time limit or on cancel by hanging up on the
daemon, which then stops the step's container and removes it (`forcerm`).
"""

import contextlib
import io
import json
import logging
import socket
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import docker
import docker.errors
import requests.exceptions
import urllib3.exceptions
from docker.utils import kwargs_from_env

from autograder.images.limits import BuildLimits
from autograder.sandbox.config import load_settings
from autograder.sandbox.config import parse_size as _parse_size
from autograder.sandbox.errors import SandboxUnavailableError
from autograder.sandbox.image_pull import ImagePuller

logger = logging.getLogger(__name__)

BUILT_BY_LABEL = "org.autograder.built-by"
"""Every image a build makes carries it (value "images"); garbage collection looks only at
those."""
CHECK_LABEL = "org.autograder.image-check"
"""The short-lived container that checks a built image."""
DOCKER_ERRORS = (docker.errors.DockerException, requests.exceptions.RequestException)


class BuildFailedError(Exception):
    pass


class BuildCancelledError(Exception):
    pass


@dataclass(frozen=True)
class BuildOutcome:
    tag: str
    digest: str


def docker_api(timeout: int = 120) -> Any:
    """A client of the local Docker daemon (DOCKER_HOST or the socket). Typed Any: the
    build uses docker-py's lower layer (`_post`, `_stream_helper`), which it leaves untyped."""
    return docker.APIClient(timeout=timeout, **kwargs_from_env())


PIDS_CGROUP = "ag-image-builds"
"""The cgroup every build step runs under (the daemon's cgroupfs driver creates each step's
cgroup inside it), whose pids.max bounds the processes of all builds of the node."""


def pids_cgroup_parent(
    limits: BuildLimits,
    *,
    root: Path = Path("/sys/fs/cgroup"),
    through_daemon: Callable[[int], bool] | None = None,
) -> str | None:
    """Makes the builds' pids cgroup with `limits.pids` as its pids.max and returns the
    cgroup parent to give the daemon, or None where neither this process nor the daemon can.

    A builder on the host writes the cgroup itself. The stack's builder runs in a container
    whose /sys/fs/cgroup is its own and read-only, so it asks the daemon (whose socket it
    holds, which already makes it root on the node) for a short-lived container that has
    the host's cgroupfs and writes the limit there (`cgroup_made_by_daemon`).

    A fork bomb running as root ignores RLIMIT_NPROC; under the memory limit its processes
    (sharing their pages) fit by the thousand, and under the CPU quota so many runnable
    processes take minutes to die once killed. A pids limit stops it at fork."""
    for controller in (root / "pids", root):  # cgroup v1, then v2 (unified)
        limit = controller / PIDS_CGROUP / "pids.max"
        try:
            if not (controller / "cgroup.procs").exists():
                continue
            limit.parent.mkdir(exist_ok=True)
            limit.write_text(str(limits.pids))
        except OSError:
            continue
        return f"/{PIDS_CGROUP}"
    if (through_daemon or cgroup_made_by_daemon)(limits.pids):
        return f"/{PIDS_CGROUP}"
    logger.warning(
        "Image builds run without a pids limit: neither %s nor the Docker daemon could make "
        "the cgroup %s",
        root,
        PIDS_CGROUP,
    )
    return None


HOST_CGROUP = "/host-cgroup"
"""Where the setup container sees the host's /sys/fs/cgroup."""


def _cgroup_setup_script(name: str) -> str:
    """Makes cgroup `name` with pids.max $0 under the host's pids controller (v1) or unified
    hierarchy (v2) and prints it back. A cgroup directory has cgroup.procs: on cgroup v1,
    /sys/fs/cgroup itself is a tmpfs in which mkdir makes only a directory."""
    return (
        f"for c in {HOST_CGROUP}/pids {HOST_CGROUP}; do "
        'if [ -e "$c/cgroup.procs" ]; then '
        f'mkdir -p "$c/{name}" && echo "$0" > "$c/{name}/pids.max" && '
        f'cat "$c/{name}/pids.max" && exit 0; '
        "fi; done; exit 3"
    )


def cgroup_made_by_daemon(pids: int) -> bool:
    """Makes the builds' pids cgroup on the daemon's host through a throwaway container of
    the default sandbox image (every builder has it: builds start from it) with the host's
    cgroupfs mounted, no network and one capability, DAC_OVERRIDE (the controllers' directories
    are r-x even for root on cgroup v1). True once pids.max reads `pids`."""
    settings = load_settings()
    setup_image = settings.image
    try:
        api = docker_api(timeout=60)
        ImagePuller(api, settings).ensure(setup_image)  # from the stack's registry if need be
        container = api.create_container(
            setup_image,
            command=["sh", "-c", _cgroup_setup_script(PIDS_CGROUP), str(int(pids))],
            entrypoint=[],
            labels={CHECK_LABEL: "cgroup"},
            host_config=api.create_host_config(
                network_mode="none",
                # The controllers' directories are r-x even for root (cgroup v1).
                cap_drop=["ALL"],
                cap_add=["DAC_OVERRIDE"],
                read_only=True,
                binds={"/sys/fs/cgroup": {"bind": HOST_CGROUP, "mode": "rw"}},
            ),
        )["Id"]
    except (*DOCKER_ERRORS, SandboxUnavailableError) as e:
        logger.warning("Could not start the pids cgroup setup container: %s", e)
        return False
    try:
        api.start(container)
        status = int(api.wait(container, timeout=60).get("StatusCode", 1))
        output = api.logs(container, stdout=True, stderr=True).decode(errors="replace").strip()
    except DOCKER_ERRORS as e:
        logger.warning("The pids cgroup setup container failed: %s", e)
        return False
    finally:
        with contextlib.suppress(*DOCKER_ERRORS):
            api.remove_container(container, force=True)
    if status != 0 or output != str(int(pids)):
        logger.warning("The pids cgroup setup container said %r (exit %s)", output, status)
        return False
    return True


def build_params(*, tag: str, limits: BuildLimits) -> dict[str, str | int]:
    """The Engine API's /build query: the legacy builder (version 1) and each step's limits."""
    memory = _parse_size(limits.memory)
    period = 100_000
    params: dict[str, str | int] = {
        "t": tag,
        "version": "1",
        "rm": 1,
        "forcerm": 1,
        "memory": memory,
        "memswap": memory,
        "cpuperiod": period,
        "cpuquota": int(limits.cpus * period),
        "ulimits": json.dumps([{"Name": "nproc", "Soft": limits.nproc, "Hard": limits.nproc}]),
        "networkmode": limits.network,
        "labels": json.dumps({BUILT_BY_LABEL: "images"}),
    }
    if cgroupfs_driver() and (parent := pids_cgroup_parent(limits)) is not None:
        params["cgroupparent"] = parent
    return params


def cgroupfs_driver() -> bool:
    """A cgroup parent given as a path is the cgroupfs driver's form (systemd's is a slice)."""
    try:
        return str(docker_api(timeout=30).info().get("CgroupDriver", "")) == "cgroupfs"
    except DOCKER_ERRORS:
        return False


def context_tar(dockerfile: str, files: dict[str, str]) -> bytes:
    """The build context: the Dockerfile and the build files, as the tar the API takes."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, text in {"Dockerfile": dockerfile, **files}.items():
            data = text.encode()
            info = tarfile.TarInfo(str(PurePosixPath(name)))
            info.size, info.mode, info.mtime = len(data), 0o644, int(time.time())
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def run_build(
    *,
    tag: str,
    dockerfile: str,
    files: dict[str, str],
    limits: BuildLimits,
    on_output: Callable[[str], None],
    cancelled: Callable[[], bool],
    runtime: str,
) -> BuildOutcome:
    """Builds `tag`; `on_output` gets the log as it comes (in chunks), `cancelled` is polled.

    Raises BuildFailedError (with the reason) or BuildCancelledError; the tag is removed then.
    """
    api = docker_api(timeout=int(limits.timeout_s) + 60)
    try:
        response = api._post(  # docker-py's build() has no ulimits or CPU quota parameters
            api._url("/build"),
            data=context_tar(dockerfile, files),
            params=build_params(tag=tag, limits=limits),
            headers={"Content-Type": "application/x-tar"},
            stream=True,
            timeout=None,
        )
        api._raise_for_status(response)
    except DOCKER_ERRORS as e:
        raise BuildFailedError(f"Docker refused the build: {e}") from e
    _stream(api, response, limits, on_output, cancelled)
    try:
        digest = check_image(tag, runtime=runtime)
    except BuildFailedError:
        remove_image(tag)
        raise
    return BuildOutcome(tag=tag, digest=digest)


def _messages(api: Any, response: Any) -> Iterator[dict[str, Any]]:
    yield from api._stream_helper(response, decode=True)


def _stream(
    api: Any,
    response: Any,
    limits: BuildLimits,
    on_output: Callable[[str], None],
    cancelled: Callable[[], bool],
) -> None:
    sock = _response_socket(api, response)
    chunks: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    done = threading.Event()

    def reader() -> None:
        try:
            for message in _messages(api, response):
                text = str(message.get("stream") or message.get("status") or "")
                if message.get("error"):
                    errors.append(str(message["error"]))
                    text += f"{message['error']}\n"
                if text:
                    with lock:
                        chunks.append(text)
        except (*DOCKER_ERRORS, OSError, ValueError, urllib3.exceptions.HTTPError):
            pass  # hung up on (cancel, time limit) or the daemon went away: judged below
        finally:
            response.close()
            done.set()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()

    def flush() -> None:
        with lock:
            text = "".join(chunks)
            chunks.clear()
        if text:
            on_output(text)

    deadline = time.monotonic() + limits.timeout_s
    reason: BaseException | None = None
    while not done.wait(0.5):
        flush()
        if cancelled():
            reason = BuildCancelledError("The build was cancelled.")
        elif time.monotonic() > deadline:
            reason = BuildFailedError(
                f"The build took longer than {limits.timeout_s:g} s (AG_IMAGE_BUILD_TIMEOUT) "
                "and was stopped."
            )
        if reason is not None:
            _hang_up(sock)
            break
    thread.join(10)
    flush()
    if reason is not None:
        raise reason
    if errors:
        raise BuildFailedError(f"docker build failed: {errors[-1].strip()}")
    if not done.is_set():
        raise BuildFailedError("docker build did not finish.")


def _response_socket(api: Any, response: Any) -> socket.socket | None:
    raw = api._get_raw_response_socket(response)
    sock = getattr(raw, "_sock", raw)
    return sock if isinstance(sock, socket.socket) else None


def _hang_up(sock: socket.socket | None) -> None:
    """Shuts the build's connection: the daemon cancels the build (it stops and removes the
    step's container), as when a `docker build` client is killed. The reader then sees the
    end of the stream."""
    if sock is None:
        return
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def check_image(tag: str, *, runtime: str) -> str:
    """The image's id if the sandbox can run it: python3 present, the student user exists,
    and no ENTRYPOINT that would replace the runner. Otherwise BuildFailedError."""
    api = docker_api()
    try:
        info = api.inspect_image(tag)
    except DOCKER_ERRORS as e:
        raise BuildFailedError(f"The built image {tag} is missing: {e}") from e
    entrypoint = info.get("Config", {}).get("Entrypoint")
    if entrypoint:
        raise BuildFailedError(
            f"The image sets ENTRYPOINT {json.dumps(entrypoint)}; the sandbox starts its own "
            "runner, so remove the ENTRYPOINT line."
        )
    user = load_settings().user
    status, output = _probe(
        api,
        tag,
        runtime,
        f"command -v python3 >/dev/null || {{ echo 'python3 is missing'; exit 3; }}; "
        f"id -u {user} >/dev/null 2>&1 || {{ echo 'the user {user} is missing'; exit 4; }}",
    )
    if status != 0:
        raise BuildFailedError(
            f"The image can't run sandboxes: {output.strip()}. Build FROM the default image "
            "(ag-sandbox-default:latest), which has python3 and the user."
        )
    return str(info["Id"])


def _probe(api: Any, tag: str, runtime: str, script: str) -> tuple[int, str]:
    """Runs `sh -c script` in a throwaway container of the image (no network)."""
    try:
        container = api.create_container(
            tag,
            command=["sh", "-c", script],
            entrypoint=[],
            labels={CHECK_LABEL: "1"},
            host_config=api.create_host_config(network_mode="none", runtime=runtime),
        )["Id"]
    except DOCKER_ERRORS as e:
        return 1, f"could not start it: {e}"
    try:
        api.start(container)
        status = int(api.wait(container, timeout=120).get("StatusCode", 1))
        output = api.logs(container, stdout=True, stderr=True).decode(errors="replace")
        return status, output
    except DOCKER_ERRORS as e:
        return 1, f"it did not run: {e}"
    finally:
        with contextlib.suppress(*DOCKER_ERRORS):
            api.remove_container(container, force=True)


def remove_image(tag: str) -> None:
    with contextlib.suppress(*DOCKER_ERRORS):
        docker_api().remove_image(tag, force=True)


def docker_runtimes() -> set[str]:
    """The OCI runtimes the local Docker daemon reports (e.g. runc, runsc)."""
    try:
        return set(docker_api(timeout=30).info().get("Runtimes", {})) or {"runc"}
    except DOCKER_ERRORS:
        return {"runc"}
