"""Settings of the sandbox library, read from `AG_SANDBOX_*` environment variables.

Plain `os.environ`, no Django: the library is also used by benchmarks and scripts.
Sizes accept a plain number of bytes or a suffix k/m/g (powers of 1024).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

_SUFFIXES = {"k": 1024, "m": 1024**2, "g": 1024**3}


def parse_size(text: str) -> int:
    """Parse "512m", "2g", "1048576" into bytes."""
    value = text.strip().lower().removesuffix("b").removesuffix("i")
    if value and value[-1] in _SUFFIXES:
        return int(float(value[:-1]) * _SUFFIXES[value[-1]])
    return int(value)


@dataclass(frozen=True)
class SandboxSettings:
    image: str = "ag-sandbox-default:latest"
    """AG_SANDBOX_IMAGE: image used when a caller names none."""
    extra_images: tuple[str, ...] = ()
    """AG_SANDBOX_IMAGES: comma-separated images suites may choose besides `image`."""
    stock_images: tuple[tuple[str, str], ...] = ()
    """AG_SANDBOX_STOCK_IMAGES: the stock images (scripts/build-stock-images.sh) as
    comma-separated `name=tag` pairs, e.g. `ag-sandbox-java=ag-sandbox-java:0cdedd1a4568`.
    Suites choose one by its name, which stays the same when a rebuild changes the tag."""
    memory_bytes: int = 2 * 1024**3
    """AG_SANDBOX_MEMORY: container memory (= memory + swap), tmpfs included."""
    pids: int = 512
    """AG_SANDBOX_PIDS: processes and threads per container."""
    cpus: float = 1.0
    """AG_SANDBOX_CPUS: CPU quota per container, in cores."""
    runtime: str | None = None
    """AG_SANDBOX_RUNTIME: OCI runtime (empty for Docker's default, or "runsc")."""
    workdir_bytes: int = 256 * 1024**2
    """AG_SANDBOX_WORKDIR_SIZE: tmpfs for $HOME and the working directory."""
    tmp_bytes: int = 64 * 1024**2
    """AG_SANDBOX_TMP_SIZE: tmpfs for /tmp."""
    shm_bytes: int = 16 * 1024**2
    """AG_SANDBOX_SHM_SIZE: /dev/shm."""
    inodes: int = 16384
    """AG_SANDBOX_INODES: inodes per tmpfs."""
    nofile: int = 1024
    """AG_SANDBOX_NOFILE: open files per process (container ulimit and default per command)."""
    fsize_bytes: int = 128 * 1024**2
    """AG_SANDBOX_FSIZE: largest file a process may write (container ulimit and default)."""
    user: str = "autograder"
    """AG_SANDBOX_USER: the image's unprivileged user that runs student commands."""
    home: str = "/home/autograder"
    """AG_SANDBOX_HOME: its home directory (a tmpfs)."""
    workdir: str = "/home/autograder/working_dir"
    """AG_SANDBOX_WORKDIR: where commands run and relative paths point."""
    python: str = "python3"
    """AG_SANDBOX_PYTHON: interpreter in the image that runs the runner."""
    pool_size: int = 2
    """AG_SANDBOX_POOL_SIZE: containers kept per (image, spec), warm or in use and coming
    back after a reset."""
    reuse_limit: int = 50
    """AG_SANDBOX_REUSE: acquires one container serves, each after a verified reset
    (`DockerSandbox.recycled`); 1 gives every acquire a new container."""
    reuse_max_age_s: float = 1800.0
    """AG_SANDBOX_REUSE_MAX_AGE: a container older than this (seconds) is removed when
    released instead of being reset for another acquire."""
    sweep_interval_s: float = 60.0
    """AG_SANDBOX_SWEEP_INTERVAL: seconds between sweeps for lost containers."""
    upkeep_interval_s: float = 60.0
    """AG_SANDBOX_POOL_UPKEEP: seconds between checks of which images suites still use (the
    warm pools of other images are closed)."""
    max_age_s: float = 6 * 3600.0
    """AG_SANDBOX_MAX_AGE: containers older than this are swept whoever owns them."""
    start_timeout_s: float = 30.0
    """AG_SANDBOX_START_TIMEOUT: creating and starting one container."""
    grace_s: float = 5.0
    """AG_SANDBOX_GRACE: how long past a command's timeout the host waits for the runner."""
    log_max_size: str = "1m"
    """AG_SANDBOX_LOG_MAX_SIZE: cap of the container log (the runner's own stderr)."""
    registry: str = ""
    """AG_SANDBOX_REGISTRY: host:port of the stack's sandbox image registry (builders push
    there, graders pull from it); empty: images stay on the node that built them."""
    registry_password_file: str = ""
    """AG_SANDBOX_REGISTRY_PASSWORD_FILE: the registry's password (user "ag"), when it asks."""
    stack_registry: str = ""
    """AG_SANDBOX_STACK_REGISTRY: host:port of the registry of the stack's own images
    (deploy/start-registry), where build-images puts the default sandbox image on several
    nodes. It asks for the same password as the sandbox registry."""
    pull_timeout_s: float = 900.0
    """AG_SANDBOX_PULL_TIMEOUT: how long a grader waits for one image pull."""

    def registry_auth(self, image: str) -> dict[str, str] | None:
        """The login for pulling or pushing `image`, when it lives in the sandbox registry (or
        the stack's image registry) and that asks for a password."""
        if not self.registry_password_file:
            return None
        hosts = [host for host in (self.registry, self.stack_registry) if host]
        if not any(image.startswith(host + "/") for host in hosts):
            return None
        with open(self.registry_password_file) as file:
            return {"username": "ag", "password": file.read().strip()}

    @property
    def allowed_images(self) -> tuple[str, ...]:
        """The images a suite may run on: the default first, then AG_SANDBOX_IMAGES."""
        return tuple(dict.fromkeys((self.image, *self.extra_images)))

    @property
    def images_to_pull(self) -> tuple[str, ...]:
        """What every grader node needs: the allowed images and the stock images' tags."""
        return tuple(dict.fromkeys((*self.allowed_images, *(t for _, t in self.stock_images))))


# The grammar of Docker image references (github.com/distribution/reference), without IPv6
# registry hosts: [host[:port]/]path[:tag][@digest], lowercase path components.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_HOST = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"{_HOST}(?:\.{_HOST})*(?::[0-9]+)?"
_REFERENCE = re.compile(
    rf"(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*"
    r"(?::[\w][\w.-]{0,127})?"
    r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?"
)
MAX_REFERENCE_LENGTH = 255


def image_reference_problem(reference: str) -> str | None:
    """Why `reference` is not a Docker image reference (`name[:tag][@digest]`), or None."""
    if not reference:
        return "An image reference may not be empty."
    if len(reference) > MAX_REFERENCE_LENGTH:
        return f"Image references may be at most {MAX_REFERENCE_LENGTH} characters long."
    if not _REFERENCE.fullmatch(reference):
        return (
            f"{reference!r} is not a Docker image reference: expected "
            "[registry/]name[:tag][@digest], with a lowercase name such as "
            "'ag-sandbox-java:latest'."
        )
    return None


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(f"AG_SANDBOX_{name}")
    return value if value not in (None, "") else None


def load_settings(env: Mapping[str, str] | None = None) -> SandboxSettings:
    """Build settings from the environment, keeping the defaults for unset variables."""
    env = os.environ if env is None else env
    sizes = {
        "memory_bytes": "MEMORY",
        "workdir_bytes": "WORKDIR_SIZE",
        "tmp_bytes": "TMP_SIZE",
        "shm_bytes": "SHM_SIZE",
        "fsize_bytes": "FSIZE",
    }
    ints = {
        "pids": "PIDS",
        "inodes": "INODES",
        "nofile": "NOFILE",
        "pool_size": "POOL_SIZE",
        "reuse_limit": "REUSE",
    }
    floats = {
        "cpus": "CPUS",
        "sweep_interval_s": "SWEEP_INTERVAL",
        "upkeep_interval_s": "POOL_UPKEEP",
        "max_age_s": "MAX_AGE",
        "reuse_max_age_s": "REUSE_MAX_AGE",
        "start_timeout_s": "START_TIMEOUT",
        "grace_s": "GRACE",
        "pull_timeout_s": "PULL_TIMEOUT",
    }
    strings = {
        "image": "IMAGE",
        "runtime": "RUNTIME",
        "user": "USER",
        "home": "HOME",
        "workdir": "WORKDIR",
        "python": "PYTHON",
        "log_max_size": "LOG_MAX_SIZE",
        "registry": "REGISTRY",
        "registry_password_file": "REGISTRY_PASSWORD_FILE",
        "stack_registry": "STACK_REGISTRY",
    }
    values: dict[str, Any] = {}
    for field_name, var in sizes.items():
        if (raw := _get(env, var)) is not None:
            values[field_name] = parse_size(raw)
    for field_name, var in ints.items():
        if (raw := _get(env, var)) is not None:
            values[field_name] = int(raw)
    for field_name, var in floats.items():
        if (raw := _get(env, var)) is not None:
            values[field_name] = float(raw)
    for field_name, var in strings.items():
        if (raw := _get(env, var)) is not None:
            values[field_name] = raw
    if (raw := _get(env, "IMAGES")) is not None:
        values["extra_images"] = tuple(name.strip() for name in raw.split(",") if name.strip())
    if (raw := _get(env, "STOCK_IMAGES")) is not None:
        values["stock_images"] = _stock_images(raw)
    loaded = replace(SandboxSettings(), **values)
    if loaded.reuse_limit < 1:
        raise ValueError("AG_SANDBOX_REUSE must be at least 1 (1: a new container every time)")
    for image in loaded.allowed_images:
        if problem := image_reference_problem(image):
            raise ValueError(f"AG_SANDBOX_IMAGE / AG_SANDBOX_IMAGES: {problem}")
    return loaded


def _stock_images(raw: str) -> tuple[tuple[str, str], ...]:
    pairs: dict[str, str] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        name, sep, tag = (side.strip() for side in item.partition("="))
        if not sep:
            raise ValueError(f"AG_SANDBOX_STOCK_IMAGES: {item!r} is not name=tag.")
        for reference in (name, tag):
            if problem := image_reference_problem(reference):
                raise ValueError(f"AG_SANDBOX_STOCK_IMAGES: {problem}")
        pairs[name] = tag
    return tuple(pairs.items())
