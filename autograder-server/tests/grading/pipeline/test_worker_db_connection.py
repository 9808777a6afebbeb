"""A grading worker process keeps its database connection from one job to the next."""

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from celery import signals
from celery.fixups.django import DjangoWorkerFixup  # type: ignore[attr-defined]  # missing from the stubs
from django.conf import settings
from django.db import OperationalError, connection

from autograder.celery import app
from autograder.grading.pipeline import receivers, tasks


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


class _Request:
    is_eager = False


@pytest.fixture
def worker_process() -> Iterator[DjangoWorkerFixup]:
    """This process as a prefork child after `worker_process_init`, with Celery's own
    Django fixup closing connections around tasks."""
    saved = {alias: dict(db) for alias, db in settings.DATABASES.items()}
    fixup = DjangoWorkerFixup(app)
    receivers.keep_worker_db_connection()
    connection.close()
    yield fixup
    signals.task_prerun.disconnect(dispatch_uid="ag-worker-stale-db-connection")
    connection.close()
    for alias, db in saved.items():
        settings.DATABASES[alias].clear()
        settings.DATABASES[alias].update(db)


def run_task(fixup: DjangoWorkerFixup) -> int:
    task: Any = tasks.work
    task.request_stack.push(_Request())
    try:
        receivers.close_stale_db_connection()
        fixup.on_task_prerun(sender=task)
        pid = backend_pid()
        fixup.on_task_postrun(sender=task)
    finally:
        task.request_stack.pop()
    return pid


@pytest.mark.django_db(transaction=True)
def test_jobs_share_one_connection(worker_process: DjangoWorkerFixup) -> None:
    assert app.conf.get("CELERY_DB_REUSE_MAX")
    pids = {run_task(worker_process) for _ in range(3)}
    assert len(pids) == 1


@pytest.mark.django_db(transaction=True)
def test_a_broken_connection_is_replaced_before_the_next_job(
    worker_process: DjangoWorkerFixup,
) -> None:
    first = run_task(worker_process)
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=True
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [first])  # as a server restart would
    with pytest.raises(OperationalError):
        backend_pid()  # what the job that found it broken saw
    assert run_task(worker_process) != first


@pytest.mark.django_db(transaction=True)
def test_an_old_connection_is_replaced(
    worker_process: DjangoWorkerFixup, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run_task(worker_process)
    monkeypatch.setattr(connection, "close_at", 0.0)  # past AG_WORKER_DB_CONN_MAX_AGE
    assert run_task(worker_process) != first
