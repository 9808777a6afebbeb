"""The release fence: old code never grades.

Every image carries its release id (AG_RELEASE, baked in by deploy/build-images from VERSION
and a hash of the code). The `init` step records it in the database after migrating
(`manage.py record_release`). A worker slot asks `claim_fence()` right before it claims a job:
when this process runs another release than the recorded one, the wake-up goes back to the
broker unclaimed (a worker of the right release gets it) and this worker shuts down. That
catches workers that outlived their update: containers swarm lost track of, a node that came
back after a partition, a rollback half done.

An empty AG_RELEASE (development, tests) turns the fence off, and so does a database where no
release was ever recorded.
"""

import logging
import os
import signal

from celery.exceptions import Reject
from django.conf import settings

from autograder.monitor.models import DeployedRelease

logger = logging.getLogger(__name__)

_worker_main_pid: int | None = None
"""The Celery worker's main process, set when it starts (prefork children inherit it)."""


def remember_worker_main_process() -> None:
    global _worker_main_pid
    _worker_main_pid = os.getpid()


def running_release() -> str:
    return str(settings.RELEASE)


def deployed_release() -> str | None:
    """The release the init step recorded last, or None before the first one."""
    return DeployedRelease.objects.filter(pk=1).values_list("release", flat=True).first()


def release_record(*, release: str) -> None:
    DeployedRelease.objects.update_or_create(pk=1, defaults={"release": release})


def release_mismatch() -> str | None:
    """Why this process must not grade, or None when it may."""
    mine = running_release()
    if not mine:
        return None
    deployed = deployed_release()
    if deployed is None or deployed == mine:
        return None
    return f"this worker runs release {mine!r} but release {deployed!r} is deployed"


class ReleaseMismatchError(Reject):
    """The wake-up is handed back to the broker (requeued), never acknowledged."""


def claim_fence() -> None:
    """Called right before a worker slot claims a job. Raises (and stops this worker) when
    the slot belongs to another release than the deployed one."""
    problem = release_mismatch()
    if problem is None:
        return
    logger.error("Not claiming: %s. Stopping this worker.", problem)
    stop_this_worker()
    raise ReleaseMismatchError(problem, requeue=True)


def stop_this_worker() -> None:
    """Asks the Celery worker this process belongs to for a warm shutdown (running grading
    finishes, nothing new is taken). Outside a worker (tests, shell) it does nothing."""
    if _worker_main_pid is not None:
        os.kill(_worker_main_pid, signal.SIGTERM)
