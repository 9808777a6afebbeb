"""Celery tasks on the `small` queue: thin wrappers over services."""

from celery import shared_task

from autograder.common.enqueue import small_queue
from autograder.integrations.callbacks import services


@shared_task(name="callbacks.submission_event", time_limit=120)
def submission_event(submission_id: int, event: str) -> None:
    for delivery_id in services.events_for_submission(submission_id=submission_id, event=event):
        deliver.apply_async(args=(delivery_id,), queue=small_queue())


@shared_task(name="callbacks.deliver", time_limit=60)
def deliver(delivery_id: int) -> None:
    """One attempt; a failed one schedules the next with backoff (`services.retry_delay_s`)."""
    delay = services.delivery_attempt(delivery_id=delivery_id)
    if delay is not None:
        deliver.apply_async(args=(delivery_id,), queue=small_queue(), countdown=delay)
