"""Running `docker build` for one image build, with limits, and checking what it produced.

The build runs the Docker CLI with the legacy builder, whose flags bound each RUN step's
container: memory (swap off), CPU quota, an nproc ulimit, and the network setting. No Docker
socket is mounted into build steps (plain `docker build` never does). The whole build is killed
after the time limit or on cancel; killing the client ends the build on the daemon, which then
removes the step's container (`--force-rm`).
"""

import json
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from autograder.images.limits import BuildLimits
from autograder.sandbox.config import load_settings
from autograder.sandbox.config import parse_size as _parse_size


class BuildFailedError(Exception):
    pass


class BuildCancelledError(Exception):
    pass


@dataclass(frozen=True)
class BuildOutcome:
    tag: str
    digest: str


def build_argv(*, tag: str, context: Path, limits: BuildLimits) -> list[str]:
    memory = str(_parse_size(limits.memory))
    period = 100_000
    return [
        "docker",
        "build",
        "--memory",
        memory,
        "--memory-swap",
        memory,
        "--cpu-period",
        str(period),
        "--cpu-quota",
        str(int(limits.cpus * period)),
        "--ulimit",
        f"nproc={limits.nproc}:{limits.nproc}",
        "--network",
        limits.network,
        "--rm",
        "--force-rm",
        "--label",
        "org.autograder.built-by=images",
        "-t",
        tag,
        str(context),
    ]


def write_context(directory: Path, dockerfile: str, files: dict[str, str]) -> None:
    (directory / "Dockerfile").write_text(dockerfile)
    for name, text in files.items():
        target = directory / PurePosixPath(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


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
    context = Path(tempfile.mkdtemp(prefix="ag-img-build-"))
    try:
        write_context(context, dockerfile, files)
        env = {"DOCKER_BUILDKIT": "0", "PATH": "/usr/local/bin:/usr/bin:/bin"}
        proc = subprocess.Popen(  # fixed argv, no shell
            build_argv(tag=tag, context=context, limits=limits),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
        )
        _stream(proc, limits, on_output, cancelled)
    finally:
        shutil.rmtree(context, ignore_errors=True)
    try:
        digest = check_image(tag, runtime=runtime)
    except BuildFailedError:
        remove_image(tag)
        raise
    return BuildOutcome(tag=tag, digest=digest)


def _stream(
    proc: "subprocess.Popen[bytes]",
    limits: BuildLimits,
    on_output: Callable[[str], None],
    cancelled: Callable[[], bool],
) -> None:
    chunks: list[bytes] = []
    lock = threading.Lock()

    def reader() -> None:
        assert proc.stdout is not None
        for line in iter(proc.stdout.readline, b""):
            with lock:
                chunks.append(line)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()

    def flush() -> None:
        with lock:
            text = b"".join(chunks).decode(errors="replace")
            chunks.clear()
        if text:
            on_output(text)

    deadline = time.monotonic() + limits.timeout_s
    reason: BaseException | None = None
    while proc.poll() is None:
        thread.join(0.5)
        flush()
        if cancelled():
            reason = BuildCancelledError("The build was cancelled.")
        elif time.monotonic() > deadline:
            reason = BuildFailedError(
                f"The build took longer than {limits.timeout_s:g} s (AG_IMAGE_BUILD_TIMEOUT) "
                "and was stopped."
            )
        if reason is not None:
            proc.kill()
            proc.wait()
            break
    thread.join(5)
    flush()
    if reason is not None:
        raise reason
    if proc.returncode != 0:
        raise BuildFailedError(f"docker build failed (exit status {proc.returncode}).")


def _docker(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # fixed argv, no shell
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def check_image(tag: str, *, runtime: str) -> str:
    """The image's id if the sandbox can run it: python3 present, the student user exists,
    and no ENTRYPOINT that would replace the runner. Otherwise BuildFailedError."""
    inspect = _docker("image", "inspect", "--format", "{{json .Config.Entrypoint}}|{{.Id}}", tag)
    if inspect.returncode != 0:
        raise BuildFailedError(f"The built image {tag} is missing: {inspect.stderr.strip()}")
    entrypoint, image_id = inspect.stdout.strip().split("|", 1)
    if entrypoint not in ("null", "[]", ""):
        raise BuildFailedError(
            f"The image sets ENTRYPOINT {entrypoint}; the sandbox starts its own runner, so "
            "remove the ENTRYPOINT line."
        )
    user = load_settings().user
    probe = _docker(
        "run",
        "--rm",
        "--network",
        "none",
        "--runtime",
        runtime,
        "--entrypoint",
        "",
        tag,
        "sh",
        "-c",
        f"command -v python3 >/dev/null || {{ echo 'python3 is missing'; exit 3; }}; "
        f"id -u {user} >/dev/null 2>&1 || {{ echo 'the user {user} is missing'; exit 4; }}",
    )
    if probe.returncode != 0:
        detail = (probe.stdout + probe.stderr).strip()
        raise BuildFailedError(
            f"The image can't run sandboxes: {detail}. Build FROM the default image "
            "(ag-sandbox-default:latest), which has python3 and the user."
        )
    return image_id


def remove_image(tag: str) -> None:
    _docker("image", "rm", "--force", tag)


def docker_runtimes() -> set[str]:
    """The OCI runtimes the local Docker daemon reports (e.g. runc, runsc)."""
    result = _docker("info", "--format", "{{json .Runtimes}}", timeout=30)
    if result.returncode != 0:
        return {"runc"}
    return set(json.loads(result.stdout or "{}")) or {"runc"}
