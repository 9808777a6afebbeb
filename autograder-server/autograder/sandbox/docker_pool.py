"""The pool manager the grading pipeline uses: warm pools over the Docker backend, with the
reaper doing teardown in the background and sweeping lost containers."""

from __future__ import annotations

from collections.abc import Callable, Collection

from autograder.sandbox.config import SandboxSettings, load_settings
from autograder.sandbox.docker_backend import DockerBackend, DockerSandbox
from autograder.sandbox.interface import ContainerSpec, WarmSandbox
from autograder.sandbox.pool import PoolManager
from autograder.sandbox.reaper import Reaper


class DockerPoolManager(PoolManager):
    def __init__(
        self,
        backend: DockerBackend | None = None,
        *,
        settings: SandboxSettings | None = None,
        pool_size: int | None = None,
        sweep_interval_s: float | None = None,
        images_in_use: Callable[[], Collection[str]] | None = None,
        upkeep_interval_s: float | None = None,
    ) -> None:
        resolved = settings or (backend.settings if backend else load_settings())
        self.backend = backend or DockerBackend(resolved)
        self.reaper = Reaper(self.backend, sweep_interval_s=sweep_interval_s)
        super().__init__(
            self.backend,
            settings=resolved,
            teardown=self._remove_later,
            pool_size=pool_size,
            on_close=self._drain,
            images_in_use=images_in_use,
            upkeep_interval_s=upkeep_interval_s,
        )

    def acquire(self, image: str, spec: ContainerSpec) -> DockerSandbox:
        sandbox = super().acquire(image, spec)
        assert isinstance(sandbox, DockerSandbox)  # this manager's backend makes only these
        return sandbox

    def released_ids(self) -> set[str]:
        """Sandboxes released and waiting for teardown or a reset: live still, but serving
        nobody."""
        return self.reaper.queued_ids() | self.resetting_ids()

    def _remove_later(self, sandbox: WarmSandbox) -> None:
        self.reaper.remove_later(sandbox.id)

    def _drain(self) -> None:
        self.reaper.drain()
        self.reaper.close()
