"""Live-status wake-ups on Redis, published once the surrounding transaction commits.

Messages are wake-ups only: a watcher re-reads the database on each one (and on every
heartbeat), so a lost message delays an update and never loses a state. Without Redis (the
embedded quickstart) nothing is published and watchers poll.
"""

import contextlib
import functools
import json
import time
from typing import Any

import redis
from django.conf import settings
from django.db import transaction

QUEUE_CHANNEL = "ag:queue"
"""A job was claimed, enqueued or cancelled: queue positions moved."""


SUBMISSION_PATTERN = "ag:submission:*"
"""Every submission's channel: what a web process's one subscription listens to."""


def submission_channel(submission_id: int) -> str:
    return f"ag:submission:{submission_id}"


HANDGRADING_PATTERN = "ag:handgrading:*"
"""Every handgrading result's channel: a grader's change, for the others on the same group."""


def handgrading_channel(result_id: int) -> str:
    return f"ag:handgrading:{result_id}"


@functools.cache
def publisher(url: str) -> redis.Redis:
    """One client per process for publishing (and for blocking subscriptions)."""
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def _publish(channel: str, payload: dict[str, Any]) -> None:
    if not settings.REDIS_URL:
        return
    with contextlib.suppress(redis.RedisError):
        publisher(settings.REDIS_URL).publish(channel, json.dumps(payload))


def submission_status_published(*, submission_id: int, status: str) -> None:
    """Tells watchers of the submission that its status changed, after commit."""
    transaction.on_commit(
        lambda: _publish(submission_channel(submission_id), {"id": submission_id, "status": status})
    )


def queue_moved() -> None:
    """Tells watchers of queued submissions that positions may have moved, after commit."""
    transaction.on_commit(lambda: _publish(QUEUE_CHANNEL, {"moved": time.time()}))


def handgrading_result_changed(*, result_id: int) -> None:
    """Tells the graders watching the handgrading result that it changed, after commit."""
    transaction.on_commit(lambda: _publish(handgrading_channel(result_id), {"id": result_id}))
