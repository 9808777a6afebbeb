"""How the pipeline hears of submissions entering and leaving the queue (the submissions app
sends these signals without knowing who listens; see `submissions.signals`)."""

from typing import Any

from celery import signals
from django.conf import settings
from django.db import close_old_connections
from django.dispatch import receiver

from autograder.grading.pipeline import jobs
from autograder.grading.pipeline.models import JobKind
from autograder.submissions.models import Submission
from autograder.submissions.signals import submission_queued, submission_removed_from_queue


@receiver(submission_queued)
def enqueue_grading(sender: Any, *, submission: Submission, **kwargs: Any) -> None:
    jobs.job_enqueue(submission=submission, kind=JobKind.GRADE)


@receiver(submission_removed_from_queue)
def cancel_grading(sender: Any, *, submission: Submission, **kwargs: Any) -> None:
    jobs.jobs_cancel_pending(submission=submission, kind=JobKind.GRADE)


@signals.worker_process_init.connect(weak=False, dispatch_uid="ag-worker-db-connection")
def keep_worker_db_connection(**kwargs: Any) -> None:
    """A worker process (prefork child) runs one task at a time on its main thread, so its
    database connection may outlive a task. Otherwise each job opened a new one (a new
    PostgreSQL backend process, about 20 ms of a job's wall time here). Runs before the
    child's first query. Celery's Django fixup force-closes only every
    `CELERY_DB_REUSE_MAX` tasks (autograder.celery); `close_stale_db_connection` replaces
    a connection that is older than AG_WORKER_DB_CONN_MAX_AGE or broke. Web processes
    keep their pool (settings.DB_POOL_SIZE)."""
    for database in settings.DATABASES.values():
        if not database.get("OPTIONS", {}).get("pool"):
            database["CONN_MAX_AGE"] = settings.WORKER_DB_CONN_MAX_AGE
    signals.task_prerun.connect(
        close_stale_db_connection, weak=False, dispatch_uid="ag-worker-stale-db-connection"
    )


def close_stale_db_connection(sender: Any = None, **kwargs: Any) -> None:
    """Before each task of a worker process, what Django does at the start of a web request:
    drop a connection that is too old or failed, so the task starts on a working one (not
    for a task run in place with `apply`, inside its caller's transaction)."""
    if sender is not None and getattr(sender.request, "is_eager", False):
        return
    close_old_connections()
