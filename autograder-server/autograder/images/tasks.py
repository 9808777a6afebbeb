"""Celery tasks of sandbox images: builds on the `images` queue, and garbage collection of
unused images on every node with Docker (a beat task sends the keep list to all of them at
once through a fanout exchange): thin wrappers over services."""

from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from kombu import Exchange

from autograder.images import garbage, services
from autograder.images.limits import build_limits, gc_settings


@shared_task(
    name="images.build",
    acks_late=True,
    ignore_result=True,
    time_limit=int(build_limits().timeout_s) + 300,
)
def build_image(build_id: int) -> None:
    services.build_run(build_id=build_id)


def gc_exchange() -> Exchange:
    """Every worker with Docker binds a queue of its own to it (see `_join_gc_broadcast`)."""
    return Exchange(f"{services.images_queue()}-gc", type="fanout", durable=False, auto_delete=True)


@shared_task(name="images.collect_garbage", ignore_result=True, acks_late=False)
def collect_garbage(keep: list[str]) -> dict[str, Any]:
    """On one node: removes the sandbox images none of `keep` names and nothing uses."""
    collected = garbage.collect(keep=keep, min_age_s=gc_settings().min_age_s)
    return {"removed": collected.removed, "kept_in_use": collected.kept_in_use}


@shared_task(name="images.collect_garbage_everywhere", ignore_result=True)
def collect_garbage_everywhere() -> None:
    """Beat's task: computes what must stay and tells every node with Docker."""
    keep = sorted(services.images_needed(retention_days=gc_settings().retention_days))
    exchange = gc_exchange()
    collect_garbage.apply_async(  # type: ignore[call-arg]  # celery's stubs omit these options
        args=(keep,),
        exchange=exchange,
        exchange_type="fanout",  # else Celery routes it to the default queue
        routing_key="gc",  # ignored by a fanout exchange, but an empty one also reroutes
        declare=[exchange],
        expires=600,
    )


@worker_ready.connect
def _join_gc_broadcast(sender: Any = None, **_: Any) -> None:
    """A worker that talks to a Docker daemon (graders, builders) listens for garbage
    collection with a queue of its own, deleted when the worker stops."""
    if sender is None or not gc_settings().node_enabled:
        return
    exchange = gc_exchange()
    sender.add_task_queue(
        f"{exchange.name}.{sender.hostname}",
        exchange=exchange.name,
        exchange_type="fanout",
        routing_key="",
        exchange_durable=exchange.durable,
        exchange_auto_delete=exchange.auto_delete,
        auto_delete=True,
        durable=False,
    )
