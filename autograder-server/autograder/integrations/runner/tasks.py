"""Celery tasks on the `small` queue: thin wrappers over services."""

from celery import shared_task

from autograder.common.enqueue import small_queue
from autograder.integrations.runner import services


@shared_task(name="runner.work_finished", time_limit=120)
def work_finished(submission_id: int) -> None:
    """Records the callback body and makes the first attempt at once (no second queue hop:
    the caller is waiting); later attempts are `deliver_callback` tasks."""
    work_id = services.work_finished(submission_id=submission_id)
    if work_id is not None:
        _attempt(work_id)


@shared_task(name="runner.deliver_callback", time_limit=60)
def deliver_callback(work_id: int) -> None:
    """One attempt; a failed one schedules the next with the webhooks' backoff."""
    _attempt(work_id)


def _attempt(work_id: int) -> None:
    delay = services.callback_attempt(work_id=work_id)
    if delay is not None:
        deliver_callback.apply_async(args=(work_id,), queue=small_queue(), countdown=delay)
