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
    """AG_IMAGE_BUILD_NPROC: the nproc ulimit of build steps (binds steps that run as a user;
    root, which most RUN lines are, is exempt from it)."""
    pids: int
    """AG_IMAGE_BUILD_PIDS: processes all build steps of a node may have together (the pids
    cgroup the steps run under; binds root too, so a fork bomb fails on it)."""
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
        pids=int(_env("AG_IMAGE_BUILD_PIDS", "1024")),
        timeout_s=float(_env("AG_IMAGE_BUILD_TIMEOUT", "900")),
        network=_env("AG_IMAGE_BUILD_NETWORK", "default"),
        tag_prefix=_env("AG_IMAGE_TAG_PREFIX", "ag-img"),
        max_log_bytes=int(_env("AG_IMAGE_BUILD_MAX_LOG", str(1_000_000))),
    )


@dataclass(frozen=True)
class GarbageSettings:
    retention_days: float
    """AG_IMAGE_GC_RETENTION_DAYS: builds this recent stay on every node (results that ran on
    them may be rerun on the same digest); older ones are removed unless a suite uses them."""
    interval_s: float
    """AG_IMAGE_GC_INTERVAL: seconds between collections (a beat task)."""
    min_age_s: float
    """AG_IMAGE_GC_MIN_AGE: images younger than this many seconds stay (a build that just
    finished and is not recorded yet)."""
    pin_days: float
    """AG_IMAGE_GC_PIN_DAYS: a course with a submission this recent is active, and the images
    its groups' final graded submissions ran on stay on every node (a rerun on the original
    image needs them)."""
    node_enabled: bool
    """AG_IMAGE_GC_NODE: whether this worker collects on its node; default: when it has the
    Docker socket."""


def gc_settings() -> GarbageSettings:
    docker_socket = os.path.exists("/var/run/docker.sock") or bool(os.environ.get("DOCKER_HOST"))
    node = _env("AG_IMAGE_GC_NODE", "true" if docker_socket else "false")
    return GarbageSettings(
        retention_days=float(_env("AG_IMAGE_GC_RETENTION_DAYS", "14")),
        interval_s=float(_env("AG_IMAGE_GC_INTERVAL", "3600")),
        min_age_s=float(_env("AG_IMAGE_GC_MIN_AGE", "3600")),
        pin_days=float(_env("AG_IMAGE_GC_PIN_DAYS", "180")),
        node_enabled=node.lower() in ("1", "true", "yes"),
    )
