"""Live status events.

Every status change of a submission is published on Redis (`ag:submission:<id>`), and every
claim from a queue on `ag:queue` (queue positions moved). A watcher holds one idle Redis
subscription and no database connection while nothing happens, so an idle watcher costs a
socket and a coroutine. Messages are wake-ups only: on each one the watcher re-reads the
submission's state, so what it sends is always what the database holds.

With no Redis configured (the embedded quickstart), watchers poll the database once a second.

Either way a watcher reads the state some time after it changed, and a short stage (a quick
submission is `being_graded` for a fraction of a second) can come and go between two reads.
The submission's timestamps still say it happened, so before a new state the stream sends the
stages passed on the way (`stages_passed`): every watcher sees every stage, in order.
"""

import asyncio
import contextlib
import functools
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import redis
import redis.asyncio as aioredis
from django.conf import settings
from django.db import transaction

QUEUE_CHANNEL = "ag:queue"
HEARTBEAT_SECONDS = 15.0
POLL_SECONDS = 1.0
QUEUE_UPDATE_MIN_INTERVAL_SECONDS = 1.0


def submission_channel(submission_id: int) -> str:
    return f"ag:submission:{submission_id}"


@functools.cache
def _publisher(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def _publish(channel: str, payload: dict[str, Any]) -> None:
    if not settings.REDIS_URL:
        return
    # Watchers also re-read the database on every heartbeat, so a lost event delays an
    # update by at most HEARTBEAT_SECONDS; it never loses a state.
    with contextlib.suppress(redis.RedisError):
        _publisher(settings.REDIS_URL).publish(channel, json.dumps(payload))


def submission_status_changed(*, submission_id: int, status: str) -> None:
    """Publishes once the surrounding transaction commits (watchers then read the new row)."""
    transaction.on_commit(
        lambda: _publish(submission_channel(submission_id), {"id": submission_id, "status": status})
    )


def queue_moved() -> None:
    transaction.on_commit(lambda: _publish(QUEUE_CHANNEL, {"moved": time.time()}))


Snapshot = Callable[[], Awaitable[dict[str, Any]]]

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


async def watch_submission(
    *,
    submission_id: int,
    snapshot: Snapshot,
    is_final: Callable[[dict[str, Any]], bool],
    heartbeat_s: float = HEARTBEAT_SECONDS,
) -> AsyncIterator[bytes]:
    """Server-sent events for one submission: its state now, then each change, until it
    reaches a final state. A comment line every `heartbeat_s` keeps proxies from closing the
    connection and lets a dead client be noticed."""
    if settings.REDIS_URL:
        stream = _watch_with_redis(submission_id, snapshot, is_final, heartbeat_s)
    else:
        stream = _watch_by_polling(snapshot, is_final, heartbeat_s)
    async for frame in stream:
        yield frame


async def _watch_with_redis(
    submission_id: int,
    snapshot: Snapshot,
    is_final: Callable[[dict[str, Any]], bool],
    heartbeat_s: float,
) -> AsyncIterator[bytes]:
    client = aioredis.Redis.from_url(settings.REDIS_URL)
    pubsub = client.pubsub()
    try:
        # Subscribe before the first read so no change can fall between the two.
        await pubsub.subscribe(submission_channel(submission_id), QUEUE_CHANNEL)
        state = await snapshot()
        yield sse_frame("status", state)
        last_sent = state
        last_sent_at = last_read_at = time.monotonic()
        queue_moved_unread = False
        while not is_final(last_sent):
            # Wait for a message, but no longer than the next keepalive or a queue update
            # held back by the rate limit; a status change is read at once, never queued
            # behind that limit.
            wait = heartbeat_s - (time.monotonic() - last_sent_at)
            if queue_moved_unread:
                wait = min(
                    wait, QUEUE_UPDATE_MIN_INTERVAL_SECONDS - (time.monotonic() - last_read_at)
                )
            message = await pubsub.get_message(
                ignore_subscribe_messages=True, timeout=max(0.0, wait)
            )
            queue_read_due = time.monotonic() - last_read_at >= QUEUE_UPDATE_MIN_INTERVAL_SECONDS
            if message is None:
                # A keepalive is due (re-read too, in case an event was lost) or a held-back
                # queue update is.
                heartbeat_due = time.monotonic() - last_sent_at >= heartbeat_s
                read_now = heartbeat_due or (queue_moved_unread and queue_read_due)
            elif message["channel"] != QUEUE_CHANNEL.encode():
                read_now = True
            elif last_sent.get("status") in _BEFORE_GRADING:
                queue_moved_unread = True
                read_now = queue_read_due
            else:
                read_now = False
            if read_now:
                queue_moved_unread = False
                last_read_at = time.monotonic()
                state = await snapshot()
                if state != last_sent:
                    for frame in _status_frames(last_sent, state):
                        yield frame
                    last_sent, last_sent_at = state, time.monotonic()
            if time.monotonic() - last_sent_at >= heartbeat_s:
                yield b": keepalive\n\n"
                last_sent_at = time.monotonic()
    finally:
        await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
        await client.aclose()


async def _watch_by_polling(
    snapshot: Snapshot, is_final: Callable[[dict[str, Any]], bool], heartbeat_s: float
) -> AsyncIterator[bytes]:
    state = await snapshot()
    yield sse_frame("status", state)
    quiet_since = time.monotonic()
    while not is_final(state):
        await asyncio.sleep(POLL_SECONDS)
        new_state = await snapshot()
        if new_state != state:
            for frame in _status_frames(state, new_state):
                yield frame
            state = new_state
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= heartbeat_s:
            yield b": keepalive\n\n"
            quiet_since = time.monotonic()


def watch_submission_blocking(
    *,
    submission_id: int,
    snapshot: Callable[[], dict[str, Any]],
    is_final: Callable[[dict[str, Any]], bool],
    heartbeat_s: float = HEARTBEAT_SECONDS,
) -> Iterator[bytes]:
    """The same stream for WSGI servers, where each watcher holds a thread: it waits on a
    Redis subscription (or polls once a second without Redis). Queue movements re-read the
    state at most once a second; status changes are read at once."""
    pubsub = None
    if settings.REDIS_URL:
        with contextlib.suppress(redis.RedisError):
            pubsub = _publisher(settings.REDIS_URL).pubsub()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
            pubsub.subscribe(submission_channel(submission_id), QUEUE_CHANNEL)
    try:
        state = snapshot()
        yield sse_frame("status", state)
        last_sent_at = last_read_at = time.monotonic()
        queue_moved_unread = False
        while not is_final(state):
            read_now = pubsub is None
            if pubsub is None:
                time.sleep(POLL_SECONDS)
            else:
                message = pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if message is None:
                    read_now = queue_moved_unread
                elif message["channel"] != QUEUE_CHANNEL.encode():
                    read_now = True
                elif state.get("status") in {"received", "queued"}:
                    queue_moved_unread = True
                    read_now = time.monotonic() - last_read_at >= QUEUE_UPDATE_MIN_INTERVAL_SECONDS
            if read_now:
                queue_moved_unread = False
                last_read_at = time.monotonic()
                new_state = snapshot()
                if new_state != state:
                    yield from _status_frames(state, new_state)
                    state = new_state
                    last_sent_at = time.monotonic()
            if time.monotonic() - last_sent_at >= heartbeat_s:
                yield b": keepalive\n\n"
                last_sent_at = time.monotonic()
    finally:
        if pubsub is not None:
            with contextlib.suppress(redis.RedisError):
                pubsub.close()
