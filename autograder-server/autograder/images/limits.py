"""Limits of image builds, read from `AG_IMAGE_BUILD_*` environment variables (see
deploy/README.md, "Sandbox image builds")."""

import os
from dataclasses import dataclass


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "")
    return value if value else default


@dataclass(frozen=True)
class BuildLimits:
    memory: str
    """AG_IMAGE_BUILD_MEMORY: memory (and memory + swap) of each build step's container."""
    cpus: float
    """AG_IMAGE_BUILD_CPUS: CPU quota of each build step, in cores."""
    nproc: int
    """AG_IMAGE_BUILD_NPROC: the nproc ulimit of build steps (a fork bomb fails on it)."""
    timeout_s: float
    """AG_IMAGE_BUILD_TIMEOUT: seconds before a build is killed and marked failed."""
    network: str
    """AG_IMAGE_BUILD_NETWORK: "default" (installing Debian packages needs it) or "none"."""
    tag_prefix: str
    """AG_IMAGE_TAG_PREFIX: repository name prefix of built images."""
    max_log_bytes: int
    """AG_IMAGE_BUILD_MAX_LOG: the stored log keeps at most this many bytes (the tail)."""


def build_limits() -> BuildLimits:
    return BuildLimits(
        memory=_env("AG_IMAGE_BUILD_MEMORY", "2g"),
        cpus=float(_env("AG_IMAGE_BUILD_CPUS", "1")),
        nproc=int(_env("AG_IMAGE_BUILD_NPROC", "2048")),
        timeout_s=float(_env("AG_IMAGE_BUILD_TIMEOUT", "900")),
        network=_env("AG_IMAGE_BUILD_NETWORK", "default"),
        tag_prefix=_env("AG_IMAGE_TAG_PREFIX", "ag-img"),
        max_log_bytes=int(_env("AG_IMAGE_BUILD_MAX_LOG", str(1_000_000))),
    )
