"""Celery tasks: thin wrappers over the pipeline's services."""

from celery import shared_task
from django.conf import settings

from autograder.grading.pipeline import dispatch, reaper, worker


@shared_task(
    name=dispatch.WAKEUP_TASK,
    acks_late=True,
    ignore_result=True,
    time_limit=settings.GRADING_TASK_TIME_LIMIT_SECONDS,
)
def work(queue: str) -> None:
    """A wake-up: grade the fairest pending job of `queue`, if any still waits."""
    worker.work_one(queue)


@shared_task(name="grading.reap", ignore_result=True, time_limit=300)
def reap() -> None:
    reaper.jobs_reap()
