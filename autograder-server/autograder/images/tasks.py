"""The Celery task of image builds, on the `images` queue: a thin wrapper over services."""

from celery import shared_task

from autograder.images import services
from autograder.images.limits import build_limits


@shared_task(
    name="images.build",
    acks_late=True,
    ignore_result=True,
    time_limit=int(build_limits().timeout_s) + 300,
)
def build_image(build_id: int) -> None:
    services.build_run(build_id=build_id)
