"""The pipeline under failure, with real worker and beat processes, RabbitMQ, PostgreSQL and
Docker: killed workers, broken database connections, tests deleted mid-grade."""

import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from autograder.grading.config.models import AGTestSuite
from autograder.grading.pipeline.models import GradingJob, JobKind, JobState
from autograder.grading.results.models import AGTestCommandResult, AGTestSuiteResult
from autograder.projects.models import Project
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories
from tests.grading import pipeline_helpers as h
from tests.grading.live_worker import LiveProcess, delete_queues, start_beat, start_worker, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FINAL = {SubmissionStatus.FINISHED_GRADING, SubmissionStatus.ERROR, SubmissionStatus.REJECTED}


@dataclass
class Live:
    tmp: Path
    worker: LiveProcess
    beat: LiveProcess

    def restart_worker(self) -> None:
        self.worker.kill()
        self.worker = start_worker(self.tmp, name=f"w{time.monotonic_ns()}")


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: None, django_db_blocker: Any
) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("live")
    prefix = f"test{os.getpid()}-"
    with override_settings(
        MEDIA_ROOT=tmp / "media", QUEUE_PREFIX=prefix, GRADING_LEASE_SECONDS=3.0
    ):
        with django_db_blocker.unblock():
            state = Live(tmp, start_worker(tmp), start_beat(tmp))
        try:
            yield state
        finally:
            state.worker.kill()
            state.beat.kill()
            delete_queues(prefix)


def upload_as_student(project: Project) -> Submission:
    """Submits through the HTTP API, as the portal does."""
    student = factories.add_role(project.course, factories.make_user(), "student")
    group = factories.make_group(project, student)
    client = APIClient()
    client.force_authenticate(student)
    response = client.post(
        f"/api/groups/{group.pk}/submissions/",
        {"files": [SimpleUploadedFile("main.py", b"print('hi')\n")]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return Submission.objects.get(pk=response.json()["id"])


def wait_final(submission: Submission, timeout: float = 90) -> Submission:
    def final() -> bool:
        submission.refresh_from_db()
        return submission.status in FINAL

    wait_for(final, timeout=timeout, what=f"submission {submission.pk} to finish")
    # A job's completion commits with its submission's final status (jobs.job_finish): a
    # final submission never has a job still running, which the reaper would hand on.
    assert not GradingJob.objects.filter(submission=submission, state=JobState.RUNNING).exists()
    return submission


def wait_status(submission: Submission, status: str, timeout: float = 60) -> None:
    wait_for(
        lambda: Submission.objects.filter(pk=submission.pk, status=status).exists(),
        timeout=timeout,
        what=f"submission {submission.pk} to be {status}",
    )


def one_command_project(cmd: str, expected: str) -> Project:
    project = h.project_with_catch_all()
    h.command(
        h.suite(project, name="only"),
        cmd,
        name="cmd",
        expected_stdout_source="text",
        expected_stdout_text=expected,
        points_for_correct_stdout=3,
    )
    return project


def test_a_worker_grades_an_uploaded_submission(live: Live) -> None:
    project = one_command_project("python3 main.py", "hi\n")

    submission = wait_final(upload_as_student(project))

    assert submission.status == SubmissionStatus.FINISHED_GRADING
    result = AGTestCommandResult.objects.get(case_result__suite_result__submission=submission)
    assert (result.stdout_correct, result.points_awarded) == (True, 3)


def test_sigkilled_worker_mid_grade_still_finishes_once(live: Live) -> None:
    project = one_command_project("sleep 3; echo done", "done\n")
    submission = upload_as_student(project)
    wait_status(submission, SubmissionStatus.BEING_GRADED)
    time.sleep(1)

    live.restart_worker()
    submission = wait_final(submission)

    assert submission.status == SubmissionStatus.FINISHED_GRADING
    job = GradingJob.objects.get(submission=submission, kind=JobKind.GRADE)
    assert job.attempts == 2
    assert AGTestSuiteResult.objects.filter(submission=submission).count() == 1
    (result,) = AGTestCommandResult.objects.filter(case_result__suite_result__submission=submission)
    assert result.points_awarded == 3


def test_broken_database_connection_mid_grade_is_retried(live: Live) -> None:
    project = one_command_project("sleep 2; echo done", "done\n")
    submission = upload_as_student(project)
    wait_status(submission, SubmissionStatus.BEING_GRADED)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        (terminated,) = cursor.fetchone()
    assert terminated >= 1

    submission = wait_final(submission)
    assert submission.status == SubmissionStatus.FINISHED_GRADING
    assert AGTestCommandResult.objects.get(
        case_result__suite_result__submission=submission
    ).stdout_correct


def test_suite_deleted_while_grading_gets_a_clear_error(live: Live) -> None:
    project = h.project_with_catch_all()
    doomed = h.suite(project, name="doomed")
    h.command(doomed, "sleep 3", name="slow")
    h.command(h.suite(project, name="kept"), "echo ok", name="ok")
    submission = upload_as_student(project)
    wait_status(submission, SubmissionStatus.BEING_GRADED)
    time.sleep(0.5)

    AGTestSuite.objects.filter(pk=doomed.pk).delete()
    submission = wait_final(submission)

    assert submission.status == SubmissionStatus.FINISHED_GRADING
    results = {r.suite_name: r for r in AGTestSuiteResult.objects.filter(submission=submission)}
    assert "deleted" in results["doomed"].error_message and results["doomed"].suite is None
    assert results["kept"].error_message == ""


def test_rabbitmq_restart_loses_no_queued_submission(live: Live) -> None:
    if os.environ.get("AG_TEST_RESTART_RABBITMQ", "1") != "1" and os.environ.get("CI") != "true":
        pytest.skip("AG_TEST_RESTART_RABBITMQ=0: the broker is shared with other work")
    project = one_command_project("echo done", "done\n")
    live.worker.stop()
    submissions = [upload_as_student(project) for _ in range(3)]

    subprocess.run(["rabbitmqctl", "stop_app"], check=True, capture_output=True, timeout=120)
    subprocess.run(["rabbitmqctl", "start_app"], check=True, capture_output=True, timeout=120)
    subprocess.run(["rabbitmqctl", "await_startup"], check=True, capture_output=True, timeout=120)
    live.worker = start_worker(live.tmp, name="after-restart")

    for submission in submissions:
        assert wait_final(submission, timeout=120).status == SubmissionStatus.FINISHED_GRADING
