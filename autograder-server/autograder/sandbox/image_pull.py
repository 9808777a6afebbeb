"""Pulling a sandbox image a node lacks, once, however many pool slots ask for it at once.

A grader on a new node (or one that never ran a course's image) has no copy of an image that
a builder pushed to the stack's registry. The first `create` for it pulls it; every other
thread of the process that asks for the same image meanwhile waits on the same per-image lock
and then finds it present, and the other worker processes of the node wait on a per-image
file lock, so the node pulls each image once. A failed pull is a `SandboxUnavailableError`
naming the image and the registry's answer: the grading job is retried and in the end fails
with that message, never a crash.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import docker
import docker.errors
import requests.exceptions

from autograder.sandbox.config import SandboxSettings
from autograder.sandbox.errors import ImageMissingError, SandboxUnavailableError

logger = logging.getLogger(__name__)

_DOCKER_ERRORS = (docker.errors.DockerException, requests.exceptions.RequestException)


class ImagePuller:
    """Makes sure the local Docker daemon has an image before a container is made of it."""

    def __init__(
        self, api: docker.APIClient, settings: SandboxSettings, lock_dir: str | None = None
    ) -> None:
        self._api = api
        self._settings = settings
        self._lock_dir = lock_dir or os.path.join(tempfile.gettempdir(), "ag-image-pulls")
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._present: set[str] = set()
        self.pulls = 0
        """How many pulls this puller made (the single flight's witness in tests)."""

    def forget(self, image: str) -> None:
        """The daemon lost `image` (garbage collection, a manual rm): check again next time."""
        with self._guard:
            self._present.discard(image)

    def ensure(self, image: str) -> bool:
        """Pulls `image` unless the daemon has it; True when this call pulled it."""
        with self._guard:
            if image in self._present:
                return False
            lock = self._locks.setdefault(image, threading.Lock())
        with lock:
            if image in self._present:
                return False
            with self._node_lock(image):
                if self._has(image):
                    pulled = False
                else:
                    self._pull(image)
                    pulled = True
            with self._guard:
                self._present.add(image)
            return pulled

    def _has(self, image: str) -> bool:
        try:
            self._api.inspect_image(image)  # type: ignore[no-untyped-call]  # untyped in docker-py
            return True
        except docker.errors.ImageNotFound:
            return False
        except _DOCKER_ERRORS as e:
            raise SandboxUnavailableError(f"cannot reach Docker: {e}") from e

    def _pull(self, image: str) -> None:
        started = time.monotonic()
        logger.info("pulling sandbox image %s", image)
        try:
            auth = self._settings.registry_auth(image)
        except OSError as e:
            raise SandboxUnavailableError(
                f"cannot pull sandbox image {image}: the registry password "
                f"(AG_SANDBOX_REGISTRY_PASSWORD_FILE) is unreadable: {e}"
            ) from e
        try:
            messages: Iterator[dict[str, Any]] = self._api.pull(
                image, stream=True, decode=True, auth_config=auth
            )
            for message in messages:
                if message.get("error"):
                    error = _missing_or_unavailable(str(message["error"]))
                    raise error(f"cannot pull sandbox image {image}: {message['error']}")
        except docker.errors.NotFound as e:
            raise ImageMissingError(f"cannot pull sandbox image {image}: {e}") from e
        except _DOCKER_ERRORS as e:
            raise SandboxUnavailableError(f"cannot pull sandbox image {image}: {e}") from e
        if not self._has(image):
            raise SandboxUnavailableError(f"cannot pull sandbox image {image}: not found after")
        self.pulls += 1
        logger.info("pulled sandbox image %s in %.1f s", image, time.monotonic() - started)

    @contextmanager
    def _node_lock(self, image: str) -> Iterator[None]:
        """A lock file per image, shared by the worker processes of this node (container)."""
        os.makedirs(self._lock_dir, exist_ok=True)
        name = hashlib.sha256(image.encode()).hexdigest()[:24]
        deadline = time.monotonic() + self._settings.pull_timeout_s
        with open(os.path.join(self._lock_dir, f"{name}.lock"), "w") as file:
            while True:
                try:
                    fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise SandboxUnavailableError(
                            f"cannot pull sandbox image {image}: another worker's pull of it "
                            f"took longer than {self._settings.pull_timeout_s:g} s"
                        ) from None
                    time.sleep(0.1)
            try:
                yield
            finally:
                fcntl.flock(file, fcntl.LOCK_UN)


def _missing_or_unavailable(error: str) -> type[SandboxUnavailableError]:
    """A registry's "no such manifest" (the image is gone) apart from every other fault."""
    lowered = error.lower()
    if "manifest unknown" in lowered or "not found" in lowered:
        return ImageMissingError
    return SandboxUnavailableError
