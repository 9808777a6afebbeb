"""Warm pools of started sandboxes, one per (image, resolved spec).

Starting a container costs a few hundred milliseconds of CPU (dockerd, containerd, runc);
taking one from a pool costs one round trip to check its runner is alive. A background
thread per pool keeps `size` sandboxes warm.

A released sandbox is either removed or, while it has served fewer than `reuse_limit`
acquires and is younger than `reuse_max_age_s`, reset by its runner (every process killed,
every scratch file and IPC object removed) and checked; only a sandbox whose reset found
nothing left goes back to the pool, under a new handle (the released one stays dead). A
sandbox with network access, or whose runner failed, is always removed.

Threads do not survive fork(): create pools in the process that uses them (for a
prefork worker, after the fork).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Collection

from autograder.sandbox.config import SandboxSettings
from autograder.sandbox.errors import SandboxError, SandboxResetError
from autograder.sandbox.interface import ContainerSpec, SandboxBackend, WarmSandbox

logger = logging.getLogger(__name__)

MAX_BACKOFF_S = 30.0


class PoolClosedError(SandboxError):
    """The pool was closed (the manager stopped, or no suite uses its image any more)."""


class SandboxPool:
    """Keeps `size` sandboxes for one image and spec: warm ones, and those in use that
    will come back after a reset."""

    def __init__(
        self,
        backend: SandboxBackend,
        teardown: Callable[[WarmSandbox], None],
        image: str,
        spec: ContainerSpec,
        size: int,
        *,
        reuse_limit: int = 1,
        reuse_max_age_s: float = 0.0,
    ) -> None:
        self.image = image
        self.spec = spec
        self.size = size
        self.reuse_limit = 1 if spec.network else reuse_limit
        self.reuse_max_age_s = reuse_max_age_s
        self.created_at = time.monotonic()
        self._backend = backend
        self._teardown = teardown
        self._idle: deque[WarmSandbox] = deque()
        self._creating = 0
        self._uses: dict[str, int] = {}
        """Acquires each live sandbox of this pool has served."""
        self._born: dict[str, float] = {}
        self._coming_back: set[str] = set()
        """In use (or being reset), to come back after a reset: the filler counts them."""
        self._to_reset: deque[WarmSandbox] = deque()
        self._resetting = 0
        self._resetting_ids: set[str] = set()
        self._closed = False
        self._cond = threading.Condition()
        self.last_error: BaseException | None = None
        self.resets = 0
        """Sandboxes handed back to the pool after a reset (for tests and the benchmark)."""
        self._filler = threading.Thread(target=self._fill_loop, name="sandbox-pool", daemon=True)
        self._filler.start()

    @property
    def idle(self) -> int:
        with self._cond:
            return len(self._idle)

    def idle_ids(self) -> set[str]:
        """The warm sandboxes waiting to be handed out (not serving anyone yet)."""
        with self._cond:
            return {sandbox.id for sandbox in self._idle}

    def acquire(self) -> WarmSandbox:
        """A sandbox nobody used, or one reset since: a warm one if any is ready, else one
        started now."""
        while True:
            with self._cond:
                if self._closed:
                    raise PoolClosedError("pool is closed")
                sandbox = self._idle.popleft() if self._idle else None
                self._cond.notify_all()  # the filler replaces it, unless it comes back
            if sandbox is None:
                sandbox = self._backend.create(self.image, self.spec, self._release)
                self._hand_out(sandbox, born=time.monotonic())
                return sandbox
            try:
                sandbox.ping()
            except SandboxError:
                logger.warning("warm sandbox %s died while idle", sandbox.id[:12])
                sandbox.release()
                continue
            self._hand_out(sandbox)
            return sandbox

    def _hand_out(self, sandbox: WarmSandbox, born: float | None = None) -> None:
        now = time.monotonic()
        with self._cond:
            if born is not None:
                self._born[sandbox.id] = born
            uses = self._uses.get(sandbox.id, 0) + 1
            self._uses[sandbox.id] = uses
            young = now - self._born.get(sandbox.id, now) < self.reuse_max_age_s
            if uses < self.reuse_limit and young:
                self._coming_back.add(sandbox.id)

    def wait_warm(self, timeout: float = 60.0) -> bool:
        """Wait until the pool holds all it keeps, `size` sandboxes idle or in use and coming
        back, with none being created or reset; False on timeout. (With nothing in use:
        `size` idle ones. The filler counts a sandbox in use that will come back, so while
        one is, fewer than `size` are ever idle.)"""
        deadline = time.monotonic() + timeout
        with self._cond:
            while (
                len(self._idle) + len(self._coming_back) < self.size
                or self._creating
                or self._to_reset
                or self._resetting
            ):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    def resetting_ids(self) -> set[str]:
        """Released sandboxes waiting for, or in, their reset (serving nobody)."""
        with self._cond:
            return set(self._resetting_ids)

    def wait_resets(self, timeout: float = 60.0) -> bool:
        """Wait until no released sandbox waits for, or is in, its reset; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._to_reset or self._resetting:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    def _release(self, sandbox: WarmSandbox) -> None:
        with self._cond:
            if sandbox.id in self._coming_back and not self._closed and not sandbox.broken:
                self._to_reset.append(sandbox)
                self._resetting_ids.add(sandbox.id)
                self._cond.notify_all()
                return
        self._remove(sandbox)

    def _remove(self, sandbox: WarmSandbox) -> None:
        with self._cond:
            self._coming_back.discard(sandbox.id)
            self._resetting_ids.discard(sandbox.id)
            self._uses.pop(sandbox.id, None)
            self._born.pop(sandbox.id, None)
            self._cond.notify_all()
        sandbox.hang_up()
        self._teardown(sandbox)

    def _reset(self, released: WarmSandbox) -> None:
        if not released.image_id or released.image_id != self._backend.image_digest(self.image):
            # The image name now stands for another build (or can't be looked up): the
            # next acquire must get a container of what it names now.
            logger.info("sandbox %s is removed: %s was rebuilt", released.id[:12], self.image)
            self._remove(released)
            return
        try:
            sandbox = released.recycled()
        except SandboxResetError as e:
            if e.uncheckable:
                logger.info("%s: containers of this runtime are not reused: %s", self.image, e)
                self.reuse_limit = 1
            else:
                logger.warning("sandbox %s is removed: %s", released.id[:12], e)
            self._remove(released)
            return
        except Exception as e:
            logger.warning("sandbox %s is removed: its reset failed: %s", released.id[:12], e)
            self._remove(released)
            return
        with self._cond:
            self._coming_back.discard(sandbox.id)
            self._resetting_ids.discard(sandbox.id)
            if not self._closed:
                self._idle.append(sandbox)
                self.resets += 1
                self._cond.notify_all()
                return
        self._remove(sandbox)

    def _fill_loop(self) -> None:
        backoff = 0.0
        while True:
            with self._cond:
                while (
                    not self._closed
                    and not self._to_reset
                    and len(self._idle) + self._creating + len(self._coming_back) >= self.size
                ):
                    self._cond.wait()
                released = self._to_reset.popleft() if self._to_reset else None
                if released is not None:
                    self._resetting += 1
                else:
                    if self._closed:
                        return
                    self._creating += 1
            if released is not None:
                try:
                    self._reset(released)
                finally:
                    with self._cond:
                        self._resetting -= 1
                        self._cond.notify_all()
                continue
            try:
                sandbox = self._backend.create(self.image, self.spec, self._release)
            except Exception as e:
                # Docker down or a bad image: keep trying, slower each time; callers
                # still get an error from their own cold start meanwhile.
                self.last_error = e
                logger.warning("could not warm a sandbox for %s: %s", self.image, e)
                backoff = min(max(backoff * 2, 0.5), MAX_BACKOFF_S)
                with self._cond:
                    self._creating -= 1
                    self._cond.wait(backoff)
                continue
            backoff = 0.0
            with self._cond:
                self._creating -= 1
                self._born[sandbox.id] = time.monotonic()
                if self._closed:
                    sandbox.release()
                    return
                self._idle.append(sandbox)
                self._cond.notify_all()

    def close(self) -> None:
        """Stop refilling and remove the idle sandboxes (and those waiting for a reset)."""
        with self._cond:
            self._closed = True
            idle = list(self._idle) + list(self._to_reset)
            self._idle.clear()
            self._to_reset.clear()
            self._cond.notify_all()
        for sandbox in idle:
            self._remove(sandbox)
        self._filler.join(timeout=60)


class PoolManager:
    """A `SandboxProvider` over any `SandboxBackend`: a pool per (image, resolved spec).

    `teardown` is handed every released sandbox and must return at once (teardown happens
    off the caller's path); `on_close` runs last in `close()`. `DockerPoolManager` wires the
    Docker backend and its reaper.

    With `images_in_use`, a background thread asks it every `upkeep_interval_s` seconds
    (AG_SANDBOX_POOL_UPKEEP) which images are still wanted and closes the pools of every
    other image, so an image no suite uses any more (or one that doesn't exist) stops being
    warmed. A later acquire for it simply starts a new pool.
    """

    def __init__(
        self,
        backend: SandboxBackend,
        *,
        settings: SandboxSettings,
        teardown: Callable[[WarmSandbox], None],
        pool_size: int | None = None,
        on_close: Callable[[], None] = lambda: None,
        images_in_use: Callable[[], Collection[str]] | None = None,
        upkeep_interval_s: float | None = None,
    ) -> None:
        self.settings = settings
        self._backend = backend
        self._teardown = teardown
        self._on_close = on_close
        self.pool_size = self.settings.pool_size if pool_size is None else pool_size
        self._pools: dict[tuple[str, ContainerSpec], SandboxPool] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._upkeep: threading.Thread | None = None
        if images_in_use is not None:
            interval = (
                self.settings.upkeep_interval_s if upkeep_interval_s is None else upkeep_interval_s
            )
            self._upkeep = threading.Thread(
                target=self._upkeep_loop,
                args=(images_in_use, interval),
                name="sandbox-pool-upkeep",
                daemon=True,
            )
            self._upkeep.start()

    @property
    def images(self) -> set[str]:
        """The images that have a pool now."""
        with self._lock:
            return {image for image, _ in self._pools}

    def retain(self, images: Collection[str], *, created_before: float | None = None) -> list[str]:
        """Closes the pools of images not in `images` (only those created before
        `created_before`, a `time.monotonic()` value, if given: a pool started after the
        caller read `images` may serve an image that list doesn't know yet). Returns the
        images whose pools were closed."""
        with self._lock:
            doomed = {
                key: pool
                for key, pool in self._pools.items()
                if key[0] not in images
                and (created_before is None or pool.created_at < created_before)
            }
            for key in doomed:
                del self._pools[key]
        for pool in doomed.values():
            logger.info("no suite uses %s any more: its warm pool is closed", pool.image)
            pool.close()
        return sorted({image for image, _ in doomed})

    def _upkeep_loop(self, images_in_use: Callable[[], Collection[str]], interval_s: float) -> None:
        while not self._stopped.wait(interval_s):
            asked_at = time.monotonic()
            try:
                wanted = images_in_use()
            except Exception:  # the database is away: keep every pool until it answers
                logger.warning("could not tell which sandbox images are in use", exc_info=True)
                continue
            self.retain(wanted, created_before=asked_at)

    def pool(self, image: str, spec: ContainerSpec) -> SandboxPool:
        """The pool for image and spec, created (and starting to warm) on first use."""
        key = (image, spec.resolved(self.settings))
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                pool = SandboxPool(
                    self._backend,
                    self._teardown,
                    key[0],
                    key[1],
                    self.pool_size,
                    reuse_limit=self.settings.reuse_limit,
                    reuse_max_age_s=self.settings.reuse_max_age_s,
                )
                self._pools[key] = pool
            return pool

    def acquire(self, image: str, spec: ContainerSpec) -> WarmSandbox:
        while True:
            try:
                return self.pool(image, spec).acquire()
            except PoolClosedError:
                if self._stopped.is_set():
                    raise
                # The upkeep closed it between our lookup and our acquire: take a new one.

    def image_digest(self, image: str) -> str:
        return self._backend.image_digest(image)

    def resetting_ids(self) -> set[str]:
        """Released sandboxes of every pool waiting for, or in, their reset."""
        with self._lock:
            pools = list(self._pools.values())
        return set().union(*(pool.resetting_ids() for pool in pools))

    def wait_resets(self, timeout: float = 60.0) -> bool:
        """Wait until every released sandbox was reset (back in its pool) or removed."""
        deadline = time.monotonic() + timeout
        with self._lock:
            pools = list(self._pools.values())
        return all(pool.wait_resets(max(0.0, deadline - time.monotonic())) for pool in pools)

    def idle_ids(self) -> set[str]:
        """The warm sandboxes of every pool that nobody has acquired yet."""
        with self._lock:
            pools = list(self._pools.values())
        return set().union(*(pool.idle_ids() for pool in pools))

    def close(self) -> None:
        """Stop the upkeep, release every idle sandbox, then run `on_close` (e.g. wait for
        teardown)."""
        self._stopped.set()
        if self._upkeep is not None:
            self._upkeep.join(timeout=60)
        with self._lock:
            pools = list(self._pools.values())
            self._pools.clear()
        for pool in pools:
            pool.close()
        self._on_close()
