"""The `llm` queue's task: thin, over `services.attempt_generate`."""

from typing import Any

from celery import shared_task
from django.conf import settings

from autograder.eipl import services
from autograder.grading.pipeline.queues import Queue

GENERATE_TASK = "eipl.generate"


def _queue() -> str:
    return f"{settings.QUEUE_PREFIX}{Queue.LLM.value}"


@shared_task(
    name=GENERATE_TASK,
    bind=True,
    acks_late=True,
    ignore_result=True,
    # Every generation may take the whole timeout; the rest is bookkeeping.
    soft_time_limit=int(settings.LLM_TIMEOUT_SECONDS * services.MAX_GENERATIONS) + 60,
    time_limit=int(settings.LLM_TIMEOUT_SECONDS * services.MAX_GENERATIONS) + 90,
)
def generate(self: Any, attempt_id: int) -> None:
    tries = self.request.retries + 1
    try:
        services.attempt_generate(attempt_id=attempt_id, last_try=tries >= settings.LLM_MAX_TRIES)
    except services.GenerationRetryError as retry:
        delay = settings.LLM_RETRY_DELAY_SECONDS * 2 ** (tries - 1)
        raise self.retry(
            exc=retry, countdown=delay, max_retries=settings.LLM_MAX_TRIES, queue=_queue()
        ) from retry


@shared_task(name="eipl.give_up_stale", ignore_result=True, time_limit=300)
def give_up_stale() -> None:
    services.attempts_give_up()


def generate_send(*, attempt_id: int) -> None:
    generate.apply_async(args=(attempt_id,), queue=_queue())
