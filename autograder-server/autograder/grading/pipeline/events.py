"""Live status events.

Every status change of a submission is published on Redis (`ag:submission:<id>`), and every
claim from a queue on `ag:queue` (queue positions moved): see `common.live_events`. Under ASGI
each web process holds ONE Redis subscription (`_Hub`: a pattern on every submission's channel
and the queue channel) and fans its messages out to the watchers of that process; a watcher is
a coroutine with an `asyncio.Event`, and holds no database connection and no thread while
nothing happens (each re-read borrows a connection and gives it back at once). Messages are
wake-ups only: on each one the watcher re-reads the submission's state, so what it sends is
always what the database holds.

With no Redis configured (the embedded quickstart), or while Redis is unreachable, watchers
poll the database once a second.

Either way a watcher reads the state some time after it changed, and a short stage (a quick
submission is `being_graded` for a fraction of a second) can come and go between two reads.
The submission's timestamps still say it happened, so before a new state the stream sends the
stages passed on the way (`stages_passed`): every watcher sees every stage, in order.

Each frame carries an id (`event_id`: the status and a digest of the snapshot). A client that
reconnects with `Last-Event-ID` gets only what changed since: the stages passed after the
status it had, and nothing at all if nothing changed (and, for a final state, 204: stop).
"""

import asyncio
import contextlib
import enum
import hashlib
import json
import logging
import random
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Protocol

import redis
import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection

from autograder.common import live_events

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
HUB_READY_WAIT_SECONDS = 2.0
"""How long a new watcher waits for its process's subscription before polling instead."""
RETRY_MS = (3000, 10000)
"""The reconnection delay told to clients (`retry:`), spread so that a restart of the web tier
isn't followed by every browser reconnecting in the same second."""
POLL_SECONDS = 1.0
QUEUE_UPDATE_MIN_INTERVAL_SECONDS = 1.0

Snapshot = Callable[[], Awaitable[dict[str, Any]]]
IsFinal = Callable[[dict[str, Any]], bool]

_BEFORE_GRADING = {"received", "queued"}
_BEFORE_DEFERRED = _BEFORE_GRADING | {"being_graded"}


def snapshot_reader(read: Callable[[], dict[str, Any]]) -> Snapshot:
    """`read` as a coroutine: run in the event loop's thread pool (not a thread of the
    request's own, kept for the whole stream) on a connection given back right after (unless
    a transaction is open on it: a test's)."""

    def read_once() -> dict[str, Any]:
        try:
            return read()
        finally:
            if not connection.in_atomic_block:
                connection.close()

    read_async = sync_to_async(read_once, thread_sensitive=False)

    async def current() -> dict[str, Any]:
        state: dict[str, Any] = await read_async()
        return state

    return current


def stages_passed(previous: dict[str, Any], current: dict[str, Any]) -> list[dict[str, Any]]:
    """The stages a submission went through between two reads of its status snapshot, as
    snapshots of those moments (fields that were not set yet are empty).

    `grading_started_at` is set when grading starts (`being_graded`), and a submission that
    waited for deferred suites finished its non-deferred ones (`non_deferred_finished_at`)
    before it finished (`finished_at`); without deferred suites the two are the same moment.
    """
    before, now = previous.get("status"), current.get("status")
    if before == now:
        return []
    passed: list[dict[str, Any]] = []
    idle: dict[str, Any] = {key: "" for key in ("error_msg", "error_detail") if key in current}
    idle |= {"queue_position": None, "estimated_wait_s": None}
    if (
        before in _BEFORE_GRADING
        and now not in _BEFORE_DEFERRED
        and current.get("grading_started_at")
    ):
        passed.append(
            current
            | idle
            | {"status": "being_graded", "non_deferred_finished_at": None, "finished_at": None}
        )
    waited = current.get("non_deferred_finished_at")
    if (
        before in _BEFORE_DEFERRED
        and now in {"finished_grading", "error"}
        and waited
        and current.get("finished_at") not in {None, waited}
    ):
        passed.append(current | idle | {"status": "waiting_for_deferred", "finished_at": None})
    return passed


def _status_frames(previous: dict[str, Any], current: dict[str, Any]) -> list[bytes]:
    """Frames for a state that differs from the last one sent: the stages passed, then it."""
    return [sse_frame("status", s) for s in (*stages_passed(previous, current), current)]


def event_id(payload: dict[str, Any]) -> str:
    """The id of a status frame: its status (what a resumed stream continues from) and a
    digest of the whole snapshot (whether anything changed since)."""
    digest = hashlib.sha256(json.dumps(payload, default=str, sort_keys=True).encode())
    return f"{payload.get('status', '')}.{digest.hexdigest()[:16]}"


def sse_frame(event: str, payload: dict[str, Any]) -> bytes:
    data = json.dumps(payload, default=str)
    return f"id: {event_id(payload)}\nevent: {event}\ndata: {data}\n\n".encode()


def first_frames(state: dict[str, Any], last_event_id: str | None) -> list[bytes]:
    """What a stream starts with: a retry hint, then the state now, or, for a client resuming
    after `last_event_id`, the stages passed since it and the state (nothing if unchanged)."""
    retry = f"retry: {random.randint(*RETRY_MS)}\n\n".encode()
    if not last_event_id:
        return [retry, sse_frame("status", state)]
    if last_event_id == event_id(state):
        return [retry]
    had = {"status": last_event_id.split(".", 1)[0]}
    return [retry, *_status_frames(had, state)]


def resumed_at_final(state: dict[str, Any], last_event_id: str | None, is_final: IsFinal) -> bool:
    """Whether a resuming client already has this final state: it should stop (HTTP 204)."""
    return bool(last_event_id) and is_final(state) and last_event_id == event_id(state)


KEEPALIVE = b": keepalive\n\n"


class Wake(enum.Enum):
    """Why a watcher woke up."""

    STATUS = "status"
    """The submission's status changed (or, polling, it is time to look)."""
    QUEUE = "queue"
    """Some job was claimed, enqueued or cancelled: queue positions may have moved."""
    TIMEOUT = "timeout"


class _Watch:
    """What every watcher decides, whatever it waits on (a Redis subscription or a clock,
    in a coroutine or a thread): when to re-read the submission, what to send, when to send
    a keepalive. Status changes are read at once; queue movements at most once a second,
    and only while the submission waits; a keepalive (and a re-read, in case a message was
    lost) after `heartbeat_s` of silence."""

    def __init__(self, first: dict[str, Any], heartbeat_s: float) -> None:
        self.last_sent = first
        self.heartbeat_s = heartbeat_s
        self.last_sent_at = self.last_read_at = time.monotonic()
        self.queue_moved_unread = False

    def timeout(self) -> float:
        """How long to wait for the next wake-up."""
        now = time.monotonic()
        wait = self.heartbeat_s - (now - self.last_sent_at)
        if self.queue_moved_unread:
            wait = min(wait, QUEUE_UPDATE_MIN_INTERVAL_SECONDS - (now - self.last_read_at))
        return max(0.0, wait)

    def should_read(self, wake: Wake) -> bool:
        now = time.monotonic()
        queue_read_due = now - self.last_read_at >= QUEUE_UPDATE_MIN_INTERVAL_SECONDS
        if wake is Wake.STATUS:
            return True
        if wake is Wake.QUEUE:
            if self.last_sent.get("status") not in _BEFORE_GRADING:
                return False
            self.queue_moved_unread = True
            return queue_read_due
        heartbeat_due = now - self.last_sent_at >= self.heartbeat_s
        return heartbeat_due or (self.queue_moved_unread and queue_read_due)

    def read(self, state: dict[str, Any]) -> list[bytes]:
        """Frames for a state just read: none if nothing changed."""
        self.queue_moved_unread = False
        self.last_read_at = time.monotonic()
        if state == self.last_sent:
            return []
        frames = _status_frames(self.last_sent, state)
        self.last_sent, self.last_sent_at = state, time.monotonic()
        return frames

    def keepalive(self) -> list[bytes]:
        if time.monotonic() - self.last_sent_at < self.heartbeat_s:
            return []
        self.last_sent_at = time.monotonic()
        return [KEEPALIVE]


def _wake_of(message: dict[str, Any] | None) -> Wake:
    if message is None:
        return Wake.TIMEOUT
    return Wake.QUEUE if message["channel"] == live_events.QUEUE_CHANNEL.encode() else Wake.STATUS


def _poll_wake(slept: float) -> Wake:
    return Wake.STATUS if slept >= POLL_SECONDS else Wake.TIMEOUT


class _AsyncWakeups(Protocol):
    async def next(self, timeout: float) -> Wake: ...


class _Hub:
    """The one Redis subscription of a process (of its event loop): every submission's channel
    (a pattern) and the queue channel, fanned out to the watchers registered here. It
    reconnects by itself; while it is down its watchers poll, and when it is back they all
    re-read once (a message may have been lost)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.by_channel: dict[bytes, set[_HubWakeups]] = {}
        self.everyone: set[_HubWakeups] = set()
        self.ready = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def add(self, channel_name: str, watcher: "_HubWakeups") -> None:
        channel = channel_name.encode()
        self.by_channel.setdefault(channel, set()).add(watcher)
        self.everyone.add(watcher)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())

    def remove(self, channel_name: str, watcher: "_HubWakeups") -> None:
        channel = channel_name.encode()
        watchers = self.by_channel.get(channel, set())
        watchers.discard(watcher)
        if not watchers:
            self.by_channel.pop(channel, None)
        self.everyone.discard(watcher)

    async def wait_ready(self, timeout: float) -> bool:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self.ready.wait()
        return self.ready.is_set()

    def _dispatch(self, message: dict[str, Any]) -> None:
        wake = _wake_of(message)
        targets = self.everyone if wake is Wake.QUEUE else self.by_channel.get(message["channel"])
        for watcher in list(targets or ()):
            watcher.wake(wake)

    async def _run(self) -> None:
        while self.everyone:
            client = aioredis.Redis.from_url(self.url, socket_connect_timeout=2)
            pubsub = client.pubsub()
            try:
                await pubsub.psubscribe(
                    live_events.SUBMISSION_PATTERN, live_events.HANDGRADING_PATTERN
                )
                await pubsub.subscribe(live_events.QUEUE_CHANNEL)
                self.ready.set()
                while self.everyone:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5.0)
                    if message is not None:
                        self._dispatch(message)
            except (redis.RedisError, OSError) as error:
                logger.warning("live status subscription lost (%s); watchers poll meanwhile", error)
            finally:
                was_ready = self.ready.is_set()
                self.ready.clear()
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
                    await client.aclose()
            if not self.everyone:
                return
            if was_ready:
                for watcher in list(self.everyone):
                    watcher.wake(Wake.STATUS)
            await asyncio.sleep(1.0)


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _Hub]]" = (
    weakref.WeakKeyDictionary()
)


def _hub(url: str) -> _Hub:
    loop_hubs = _hubs.setdefault(asyncio.get_running_loop(), {})
    if url not in loop_hubs:
        loop_hubs[url] = _Hub(url)
    return loop_hubs[url]


class _HubWakeups:
    """A watcher's wake-ups from its process's `_Hub`: an event, set by the hub's reader."""

    def __init__(self, hub: _Hub) -> None:
        self.hub = hub
        self.event = asyncio.Event()
        self.pending: set[Wake] = set()

    def wake(self, wake: Wake) -> None:
        self.pending.add(wake)
        self.event.set()

    async def next(self, timeout: float) -> Wake:
        if not self.hub.ready.is_set() and not self.pending:
            return await _AsyncPolling().next(timeout)
        if not self.pending:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self.event.wait()
        self.event.clear()
        if not self.pending:
            return Wake.TIMEOUT
        wake = Wake.STATUS if Wake.STATUS in self.pending else Wake.QUEUE
        self.pending.clear()
        return wake


class _AsyncPolling:
    async def next(self, timeout: float) -> Wake:
        slept = min(timeout, POLL_SECONDS)
        await asyncio.sleep(slept)
        return _poll_wake(slept)


async def _watch(
    wakeups: _AsyncWakeups,
    snapshot: Snapshot,
    is_final: IsFinal,
    heartbeat_s: float,
    last_event_id: str | None,
) -> AsyncIterator[bytes]:
    state = await snapshot()
    for frame in first_frames(state, last_event_id):
        yield frame
    watch = _Watch(state, heartbeat_s)
    while not is_final(watch.last_sent):
        if watch.should_read(await wakeups.next(watch.timeout())):
            for frame in watch.read(await snapshot()):
                yield frame
        for frame in watch.keepalive():
            yield frame


async def watch_submission(
    *,
    submission_id: int,
    snapshot: Snapshot,
    is_final: IsFinal,
    heartbeat_s: float = HEARTBEAT_SECONDS,
    last_event_id: str | None = None,
) -> AsyncIterator[bytes]:
    """Server-sent events for one submission: its state now (or what changed since
    `last_event_id`), then each change, until it reaches a final state. A comment line every
    `heartbeat_s` keeps proxies from closing the connection and lets a dead client be
    noticed. `snapshot` must give its database connection back after each read."""
    async for frame in watch_channel(
        channel=live_events.submission_channel(submission_id),
        snapshot=snapshot,
        is_final=is_final,
        heartbeat_s=heartbeat_s,
        last_event_id=last_event_id,
    ):
        yield frame


async def watch_channel(
    *,
    channel: str,
    snapshot: Snapshot,
    is_final: IsFinal,
    heartbeat_s: float = HEARTBEAT_SECONDS,
    last_event_id: str | None = None,
) -> AsyncIterator[bytes]:
    """The stream of `watch_submission` for any channel the process's subscription covers
    (`live_events`: submissions and handgrading results): the snapshot now, then again on
    each message on `channel` (or each second without Redis) when it changed."""
    if not settings.REDIS_URL:
        async for frame in _watch(_AsyncPolling(), snapshot, is_final, heartbeat_s, last_event_id):
            yield frame
        return
    hub = _hub(settings.REDIS_URL)
    wakeups = _HubWakeups(hub)
    hub.add(channel, wakeups)
    try:
        # Subscribed before the first read, so no change can fall between the two.
        await hub.wait_ready(HUB_READY_WAIT_SECONDS)
        async for frame in _watch(wakeups, snapshot, is_final, heartbeat_s, last_event_id):
            yield frame
    finally:
        hub.remove(channel, wakeups)


def watch_submission_blocking(
    *,
    submission_id: int,
    snapshot: Callable[[], dict[str, Any]],
    is_final: IsFinal,
    heartbeat_s: float = HEARTBEAT_SECONDS,
    last_event_id: str | None = None,
) -> Iterator[bytes]:
    """The same stream for WSGI servers, where each watcher holds a thread: the same
    decisions (`_Watch`), waiting on a Redis subscription or polling once a second."""
    return watch_channel_blocking(
        channel=live_events.submission_channel(submission_id),
        snapshot=snapshot,
        is_final=is_final,
        heartbeat_s=heartbeat_s,
        last_event_id=last_event_id,
    )


def watch_channel_blocking(
    *,
    channel: str,
    snapshot: Callable[[], dict[str, Any]],
    is_final: IsFinal,
    heartbeat_s: float = HEARTBEAT_SECONDS,
    last_event_id: str | None = None,
) -> Iterator[bytes]:
    """`watch_channel` for WSGI servers (a thread per watcher)."""
    pubsub = None
    if settings.REDIS_URL:
        with contextlib.suppress(redis.RedisError):
            pubsub = live_events.publisher(settings.REDIS_URL).pubsub()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
            pubsub.subscribe(channel, live_events.QUEUE_CHANNEL)

    def next_wake(timeout: float) -> Wake:
        if pubsub is None:
            slept = min(timeout, POLL_SECONDS)
            time.sleep(slept)
            return _poll_wake(slept)
        return _wake_of(pubsub.get_message(ignore_subscribe_messages=True, timeout=timeout))

    try:
        state = snapshot()
        yield from first_frames(state, last_event_id)
        watch = _Watch(state, heartbeat_s)
        while not is_final(watch.last_sent):
            if watch.should_read(next_wake(watch.timeout())):
                yield from watch.read(snapshot())
            yield from watch.keepalive()
    finally:
        if pubsub is not None:
            with contextlib.suppress(redis.RedisError):
                pubsub.close()
