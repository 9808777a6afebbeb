"""One worker slot's turn: claim a job, keep its lease alive, grade it, finish it."""

import functools
import logging
import os
import socket
import threading
import uuid

from django.conf import settings
from django.db import close_old_connections, connection

from autograder.grading.config import selectors as config_selectors
from autograder.grading.pipeline import jobs
from autograder.grading.pipeline.grader import job_run, with_db_retry
from autograder.grading.pipeline.models import GradingJob
from autograder.grading.pipeline.suite_runner import LeaseLostError
from autograder.monitor import metrics, release
from autograder.sandbox import SandboxError, SandboxProvider
from autograder.sandbox.docker_pool import DockerPoolManager

logger = logging.getLogger(__name__)


def sandbox_images_in_use() -> set[str]:
    """Asked by the pool manager's upkeep thread, which has its own database connection."""
    try:
        return config_selectors.sandbox_images_in_use()
    finally:
        connection.close()


@functools.cache
def sandbox_provider() -> SandboxProvider:
    """One warm pool manager per worker process; it warms only images some suite uses."""
    return DockerPoolManager(images_in_use=sandbox_images_in_use)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class LeaseKeeper:
    """Renews a job's lease from a background thread until stopped; notices when the lease
    was lost (the reaper gave the job to someone else)."""

    def __init__(self, job: GradingJob) -> None:
        self.job = job
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, name=f"lease-{job.pk}", daemon=True)

    def __enter__(self) -> "LeaseKeeper":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _renew(self) -> None:
        interval = max(0.5, settings.GRADING_LEASE_SECONDS / 3)
        try:
            while not self._stop.wait(interval):
                try:
                    if not jobs.job_renew_lease(job_id=self.job.pk, owner=self.job.lease_owner):
                        self.lost.set()
                        return
                except Exception:  # a dropped connection: reconnect next round
                    logger.warning("Could not renew lease of job %s", self.job.pk, exc_info=True)
                    connection.close()
        finally:
            close_old_connections()


def work_one(queue: str, *, provider: SandboxProvider | None = None) -> GradingJob | None:
    """Claims and grades the next job of `queue`; returns it (None when nothing waited)."""
    owner = worker_id()
    with_db_retry(release.claim_fence)  # a worker of another release claims nothing
    job = with_db_retry(lambda: jobs.job_claim_next(queue=queue, owner=owner))
    if job is None:
        return None
    provider = provider or sandbox_provider()
    with LeaseKeeper(job) as lease:
        try:
            outcome = job_run(job=job, provider=provider, lease_lost=lease.lost.is_set)
        except LeaseLostError:
            _dropped(job)
            return job
        except SandboxError as error:
            if not _sandbox_failed(job, error):
                _dropped(job)
            return job
        except Exception as error:
            logger.exception("Grading job %s failed", job.pk)
            message = f"Internal error while grading: {type(error).__name__}."
            if not with_db_retry(lambda: jobs.job_fail(job=job, message=message)):
                _dropped(job)
            return job
    finished = with_db_retry(
        lambda: jobs.job_finish(job=job, state=outcome.state, final_write=outcome.final_write)
    )
    if not finished:
        _dropped(job)
        return job
    metrics.grading_finished(
        queue=job.queue, enqueued_at=job.enqueued_at, claimed_at=job.claimed_at
    )
    return job


def _dropped(job: GradingJob) -> None:
    """This worker's lease ran out (it stalled, or lost its node for a while) and the reaper
    gave the job to another worker: nothing this worker did is kept."""
    logger.warning("Job %s was taken back by the reaper; dropping it", job.pk)


def _sandbox_failed(job: GradingJob, error: SandboxError) -> bool:
    """The sandbox itself broke (not the student's code): try again elsewhere, up to the
    attempt limit. False when the job was no longer this worker's."""
    logger.warning("Sandbox failed for job %s: %s", job.pk, error)
    metrics.sandbox_fault(queue=job.queue)
    if job.attempts >= settings.GRADING_MAX_ATTEMPTS:
        message = f"The sandbox failed {job.attempts} times: {error}"
        return with_db_retry(lambda: jobs.job_fail(job=job, message=message))
    return with_db_retry(lambda: jobs.job_requeue(job=job))
