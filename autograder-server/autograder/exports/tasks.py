"""Celery tasks of bulk downloads, on the `small` queue: thin wrappers over services."""

from celery import shared_task

from autograder.exports import services


@shared_task(
    name="exports.build",
    acks_late=True,
    ignore_result=True,
    time_limit=services.BUILD_TIME_LIMIT_SECONDS,
)
def build_export(task_id: int) -> None:
    services.export_build(task_id=task_id)


@shared_task(name="exports.remove_expired", ignore_result=True, time_limit=600)
def remove_expired_exports() -> None:
    services.exports_remove_expired()
