"""Which images suites may use (AG_SANDBOX_IMAGE + AG_SANDBOX_IMAGES), image reference syntax,
and pools that stop warming images no suite uses any more."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from autograder.sandbox.config import image_reference_problem, load_settings
from autograder.sandbox.docker_backend import DockerBackend, DockerSandbox
from autograder.sandbox.docker_pool import DockerPoolManager
from autograder.sandbox.interface import ContainerSpec

MISSING_A = "ag-h2-test-missing-a:none"
MISSING_B = "ag-h2-test-missing-b:none"


@pytest.mark.parametrize(
    "reference",
    [
        "ag-sandbox-default:latest",
        "ubuntu",
        "ghcr.io/eecs-course/ag-java:21",
        "localhost:5000/course/img:v1.2",
        "registry.example.edu/a/b/c",
        "python@sha256:" + "a" * 64,
    ],
)
def test_image_references_docker_accepts_are_valid(reference: str) -> None:
    assert image_reference_problem(reference) is None


@pytest.mark.parametrize(
    "reference",
    [
        "",
        "../../etc/passwd",
        "/etc/passwd",
        "Ubuntu:22.04",
        "a b",
        "-rm",
        "img:" + "t" * 129,
        "img:tag:again",
        "img@sha256:short",
        "x" * 256,
    ],
)
def test_other_text_is_not_an_image_reference(reference: str) -> None:
    assert image_reference_problem(reference) is not None


def test_the_default_image_is_always_allowed_and_comes_first() -> None:
    settings = load_settings(
        {"AG_SANDBOX_IMAGE": "base:1", "AG_SANDBOX_IMAGES": " java:21 ,base:1,, node:22 "}
    )
    assert settings.allowed_images == ("base:1", "java:21", "node:22")
    assert load_settings({}).allowed_images == ("ag-sandbox-default:latest",)


def test_a_malformed_allowed_image_is_a_startup_error() -> None:
    with pytest.raises(ValueError, match="AG_SANDBOX_IMAGES"):
        load_settings({"AG_SANDBOX_IMAGES": "java:21,../../etc/passwd"})


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


class _CountingBackend(DockerBackend):
    """Counts container creations per image (the images here don't exist, so each one fails
    at once and no container is ever started)."""

    def __init__(self) -> None:
        super().__init__()
        self.attempts: dict[str, int] = {}
        self._count_lock = threading.Lock()

    def create(
        self,
        image: str,
        spec: ContainerSpec,
        on_release: Callable[[DockerSandbox], None] | None = None,
    ) -> DockerSandbox:
        with self._count_lock:
            self.attempts[image] = self.attempts.get(image, 0) + 1
        return super().create(image, spec, on_release)


def test_pools_of_images_no_suite_uses_stop_warming() -> None:
    backend = _CountingBackend()
    wanted = {MISSING_A}
    manager = DockerPoolManager(
        backend,
        pool_size=1,
        sweep_interval_s=0,
        images_in_use=lambda: set(wanted),
        upkeep_interval_s=0.05,
    )
    try:
        manager.pool(MISSING_A, ContainerSpec())
        manager.pool(MISSING_B, ContainerSpec())
        _wait_for(lambda: manager.images == {MISSING_A}, "the unused image's pool to close")
        tried_b = backend.attempts.get(MISSING_B, 0)
        _wait_for(lambda: backend.attempts.get(MISSING_A, 0) >= 2, "the used image to be retried")
        assert backend.attempts.get(MISSING_B, 0) == tried_b

        wanted.clear()  # the last suite on MISSING_A changed back to the default
        _wait_for(lambda: manager.images == set(), "the now unused image's pool to close")
    finally:
        manager.close()


def test_an_image_asked_for_again_gets_a_new_pool() -> None:
    manager = DockerPoolManager(pool_size=0, sweep_interval_s=0)
    try:
        first = manager.pool(MISSING_A, ContainerSpec())
        assert manager.retain(set()) == [MISSING_A]
        assert manager.images == set()
        assert manager.pool(MISSING_A, ContainerSpec()) is not first
    finally:
        manager.close()


def test_retain_spares_pools_started_after_the_list_was_read() -> None:
    manager = DockerPoolManager(pool_size=0, sweep_interval_s=0)
    try:
        asked_at = time.monotonic()
        manager.pool(MISSING_A, ContainerSpec())
        assert manager.retain(set(), created_before=asked_at) == []
        assert manager.images == {MISSING_A}
    finally:
        manager.close()
