"""Enqueueing a Celery task on the `small` queue once the surrounding transaction commits."""

from typing import Any

from celery import Task
from django.conf import settings
from django.db import transaction


def small_queue() -> str:
    """The broker's name for the `small` queue (mail, exports, housekeeping)."""
    return f"{settings.QUEUE_PREFIX}small"


def enqueue_small_on_commit(task: Task[Any, Any], *args: Any) -> None:
    """Runs `task(*args)` on a worker after the current transaction commits (at once outside
    one), so the worker never reads rows that are not committed yet, and a rolled-back request
    sends nothing."""
    transaction.on_commit(lambda: task.apply_async(args=args, queue=small_queue()))
