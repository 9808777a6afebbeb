"""Live status events.

Every status change of a submission is published on Redis (`ag:submission:<id>`), and every
claim from a queue on `ag:queue` (queue positions moved): see `common.live_events`. A watcher
holds one idle Redis subscription and no database connection while nothing happens, so an
idle watcher costs a socket and a coroutine. Messages are wake-ups only: on each one the
watcher re-reads the submission's state, so what it sends is always what the database holds.

With no Redis configured (the embedded quickstart), watchers poll the database once a second.

Either way a watcher reads the state some time after it changed, and a short stage (a quick
submission is `being_graded` for a fraction of a second) can come and go between two reads.
The submission's timestamps still say it happened, so before a new state the stream sends the
stages passed on the way (`stages_passed`): every watcher sees every stage, in order.
"""

import asyncio
import contextlib
import enum
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Protocol

import redis
import redis.asyncio as aioredis
from django.conf import settings

from autograder.common import live_events

HEARTBEAT_SECONDS = 15.0
POLL_SECONDS = 1.0
QUEUE_UPDATE_MIN_INTERVAL_SECONDS = 1.0

Snapshot = Callable[[], Awaitable[dict[str, Any]]]
IsFinal = Callable[[dict[str, Any]], bool]

_BEFORE_GRADING = {"received", "queued"}
_BEFORE_DEFERRED = _BEFORE_GRADING | {"being_graded"}


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


def sse_frame(event: str, payload: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(payload, default=str)}\n\n".encode()


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


class _AsyncRedisWakeups:
    def __init__(self, pubsub: Any) -> None:
        self.pubsub = pubsub

    async def next(self, timeout: float) -> Wake:
        message = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=timeout)
        return _wake_of(message)


class _AsyncPolling:
    async def next(self, timeout: float) -> Wake:
        slept = min(timeout, POLL_SECONDS)
        await asyncio.sleep(slept)
        return _poll_wake(slept)


async def _watch(
    wakeups: _AsyncWakeups, snapshot: Snapshot, is_final: IsFinal, heartbeat_s: float
) -> AsyncIterator[bytes]:
    state = await snapshot()
    yield sse_frame("status", state)
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
) -> AsyncIterator[bytes]:
    """Server-sent events for one submission: its state now, then each change, until it
    reaches a final state. A comment line every `heartbeat_s` keeps proxies from closing the
    connection and lets a dead client be noticed."""
    if not settings.REDIS_URL:
        async for frame in _watch(_AsyncPolling(), snapshot, is_final, heartbeat_s):
            yield frame
        return
    client = aioredis.Redis.from_url(settings.REDIS_URL)
    pubsub = client.pubsub()
    try:
        # Subscribe before the first read so no change can fall between the two.
        await pubsub.subscribe(
            live_events.submission_channel(submission_id), live_events.QUEUE_CHANNEL
        )
        async for frame in _watch(_AsyncRedisWakeups(pubsub), snapshot, is_final, heartbeat_s):
            yield frame
    finally:
        await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
        await client.aclose()


def watch_submission_blocking(
    *,
    submission_id: int,
    snapshot: Callable[[], dict[str, Any]],
    is_final: IsFinal,
    heartbeat_s: float = HEARTBEAT_SECONDS,
) -> Iterator[bytes]:
    """The same stream for WSGI servers, where each watcher holds a thread: the same
    decisions (`_Watch`), waiting on a Redis subscription or polling once a second."""
    pubsub = None
    if settings.REDIS_URL:
        with contextlib.suppress(redis.RedisError):
            pubsub = live_events.publisher(settings.REDIS_URL).pubsub()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
            pubsub.subscribe(
                live_events.submission_channel(submission_id), live_events.QUEUE_CHANNEL
            )

    def next_wake(timeout: float) -> Wake:
        if pubsub is None:
            slept = min(timeout, POLL_SECONDS)
            time.sleep(slept)
            return _poll_wake(slept)
        return _wake_of(pubsub.get_message(ignore_subscribe_messages=True, timeout=timeout))

    try:
        state = snapshot()
        yield sse_frame("status", state)
        watch = _Watch(state, heartbeat_s)
        while not is_final(watch.last_sent):
            if watch.should_read(next_wake(watch.timeout())):
                yield from watch.read(snapshot())
            yield from watch.keepalive()
    finally:
        if pubsub is not None:
            with contextlib.suppress(redis.RedisError):
                pubsub.close()
