"""Live status events.

Every status change of a submission is published on Redis (`ag:submission:<id>`), and every
claim from a queue on `ag:queue` (queue positions moved). A watcher holds one idle Redis
subscription and no database connection while nothing happens, so an idle watcher costs a
socket and a coroutine. Messages are wake-ups only: on each one the watcher re-reads the
submission's state, so what it sends is always what the database holds.

With no Redis configured (the embedded quickstart), watchers poll the database once a second.
"""

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import redis
import redis.asyncio as aioredis
from django.conf import settings

from autograder.common import live_events

HEARTBEAT_SECONDS = 15.0
POLL_SECONDS = 1.0
QUEUE_UPDATE_MIN_INTERVAL_SECONDS = 1.0


Snapshot = Callable[[], Awaitable[dict[str, Any]]]


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
        await pubsub.subscribe(
            live_events.submission_channel(submission_id), live_events.QUEUE_CHANNEL
        )
        state = await snapshot()
        yield sse_frame("status", state)
        last_sent = state
        last_queue_read = 0.0
        while not is_final(last_sent):
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=heartbeat_s)
            if message is None:
                yield b": keepalive\n\n"
            elif message["channel"] == live_events.QUEUE_CHANNEL.encode():
                if last_sent.get("status") not in {"received", "queued"}:
                    continue
                wait = QUEUE_UPDATE_MIN_INTERVAL_SECONDS - (time.monotonic() - last_queue_read)
                if wait > 0:
                    await asyncio.sleep(wait)
                last_queue_read = time.monotonic()
            state = await snapshot()
            if state != last_sent:
                yield sse_frame("status", state)
                last_sent = state
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
            state = new_state
            yield sse_frame("status", state)
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
            pubsub = live_events.publisher(settings.REDIS_URL).pubsub()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
            pubsub.subscribe(
                live_events.submission_channel(submission_id), live_events.QUEUE_CHANNEL
            )
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
                elif message["channel"] != live_events.QUEUE_CHANNEL.encode():
                    read_now = True
                elif state.get("status") in {"received", "queued"}:
                    queue_moved_unread = True
                    read_now = time.monotonic() - last_read_at >= QUEUE_UPDATE_MIN_INTERVAL_SECONDS
            if read_now:
                queue_moved_unread = False
                last_read_at = time.monotonic()
                new_state = snapshot()
                if new_state != state:
                    state = new_state
                    yield sse_frame("status", state)
                    last_sent_at = time.monotonic()
            if time.monotonic() - last_sent_at >= heartbeat_s:
                yield b": keepalive\n\n"
                last_sent_at = time.monotonic()
    finally:
        if pubsub is not None:
            with contextlib.suppress(redis.RedisError):
                pubsub.close()
