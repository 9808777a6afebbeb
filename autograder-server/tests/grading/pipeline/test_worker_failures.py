"""The worker's failure paths, with real worker and beat processes, RabbitMQ, PostgreSQL and
Docker: a sandbox that breaks mid-grade is retried on a fresh one, one that keeps breaking
is given up on after the maximum attempts, a worker that lost its lease mid-grade stores
nothing, and an internal error fails the submission with a message.

Sandboxes are broken for real: the test removes the container a command runs in through the
Docker API (as a dying Docker daemon or node would), so the worker's runner connection drops.
"""

import os
import re
import signal
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from docker.utils import kwargs_from_env
from rest_framework.test import APIClient

from autograder.accounts.models import User
from autograder.grading.pipeline.jobs import GRADING_FAILED_MESSAGE
from autograder.grading.pipeline.models import GradingJob, JobKind, JobState
from autograder.grading.results.models import (
    INLINE_OUTPUT_BYTES,
    AGTestCommandResult,
    AGTestSuiteResult,
)
from autograder.projects.models import Project
from autograder.sandbox.docker_backend import LABEL, LABEL_OWNER
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


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: None, django_db_blocker: Any
) -> Iterator[Live]:
    """One worker slot and beat (the reaper every second), with 3-second leases."""
    tmp = tmp_path_factory.mktemp("failures")
    prefix = f"fail{os.getpid()}-"
    with override_settings(
        MEDIA_ROOT=tmp / "media", QUEUE_PREFIX=prefix, GRADING_LEASE_SECONDS=3.0
    ):
        with django_db_blocker.unblock():
            state = Live(tmp, start_worker(tmp, concurrency=1), start_beat(tmp))
        try:
            yield state
        finally:
            state.worker.kill()
            state.beat.kill()
            delete_queues(prefix)


def _process_group(leader: LiveProcess) -> set[int]:
    """The pids of a worker: its main process and its pool children."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(b")", 1)[1].split()[2]) == leader.proc.pid:
            pids.add(int(entry.name))
    return pids


class SandboxBreaker:
    """Watches the sandboxes of the given workers for a command containing `marker`, notes
    each container it runs in, and removes the first `breaks` of them mid-command."""

    def __init__(self, marker: str, workers: list[LiveProcess], *, breaks: int) -> None:
        self.marker = marker
        self.workers = workers
        self.breaks = breaks
        self.seen: list[str] = []
        self.broken: list[str] = []
        self._api = docker.APIClient(**kwargs_from_env())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _ours(self) -> list[str]:
        pids = set().union(*(_process_group(w) for w in self.workers))
        found = []
        for container in self._api.containers(filters={"label": f"{LABEL}=1"}):
            owner_pid = container["Labels"].get(LABEL_OWNER, "").split(":")[1:2]
            if owner_pid and owner_pid[0].isdigit() and int(owner_pid[0]) in pids:
                found.append(str(container["Id"]))
        return found

    def _runs_marker(self, container_id: str) -> bool:
        try:
            processes = self._api.top(container_id)["Processes"] or []
        except docker.errors.APIError:  # gone or stopping meanwhile
            return False
        return any(self.marker in " ".join(process) for process in processes)

    def _watch(self) -> None:
        while not self._stop.wait(0.1):
            for container_id in self._ours():
                if container_id in self.seen or not self._runs_marker(container_id):
                    continue
                self.seen.append(container_id)
                if len(self.broken) < self.breaks:
                    self._api.remove_container(container_id, force=True)
                    self.broken.append(container_id)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._api.close()


@pytest.fixture
def marker() -> str:
    return f"agmark{uuid.uuid4().hex[:12]}"


def slow_project(marker: str, *, seconds: int = 3, deferred: bool = False) -> Project:
    """One suite whose command runs for `seconds` (long enough to be caught running) and
    earns 3 points for printing `done`; with `deferred`, a deferred suite as well."""
    project = h.project_with_catch_all()
    h.command(
        h.suite(project, name="main"),
        f": {marker}; sleep {seconds}; echo done",
        name="slow",
        expected_stdout_source="text",
        expected_stdout_text="done\n",
        points_for_correct_stdout=3,
    )
    if deferred:
        h.command(h.suite(project, name="later", deferred=True), "echo later", name="later")
    return project


def upload_as_student(project: Project) -> tuple[Submission, User]:
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
    return Submission.objects.get(pk=response.json()["id"]), student


def wait_final(submission: Submission, timeout: float = 120) -> Submission:
    def final() -> bool:
        submission.refresh_from_db()
        return submission.status in FINAL

    wait_for(final, timeout=timeout, what=f"submission {submission.pk} to finish")
    # A job's completion commits with its submission's final status (jobs.job_finish): a
    # final submission never has a job still running, which the reaper would hand on.
    assert not GradingJob.objects.filter(submission=submission, state=JobState.RUNNING).exists()
    return submission


def status_seen_by(user: User, submission: Submission) -> dict[str, Any]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/submissions/{submission.pk}/status/")
    assert response.status_code == 200, response.content
    data: dict[str, Any] = response.json()
    return data


def command_results(submission: Submission) -> list[AGTestCommandResult]:
    return list(
        AGTestCommandResult.objects.filter(case_result__suite_result__submission=submission)
    )


def test_a_broken_sandbox_is_retried_on_a_fresh_one(live: Live, marker: str) -> None:
    project = slow_project(marker)
    breaker = SandboxBreaker(marker, [live.worker], breaks=1)
    try:
        submission, student = upload_as_student(project)
        submission = wait_final(submission)
    finally:
        breaker.stop()

    assert submission.status == SubmissionStatus.FINISHED_GRADING
    job = GradingJob.objects.get(submission=submission, kind=JobKind.GRADE)
    assert (job.state, job.attempts, job.error_message) == (JobState.DONE, 2, "")
    assert len(breaker.broken) == 1 and len(breaker.seen) == 2, "the retry ran in a new sandbox"
    assert breaker.seen[0] == breaker.broken[0] != breaker.seen[1]
    assert f"Sandbox failed for job {job.pk}" in live.worker.log.read_text()
    assert AGTestSuiteResult.objects.filter(submission=submission).count() == 1
    [result] = command_results(submission)
    assert (result.stdout_correct, result.points_awarded) == (True, 3)
    seen = status_seen_by(student, submission)
    assert (seen["status"], seen["error_msg"]) == ("finished_grading", "")


def test_a_sandbox_that_keeps_breaking_is_given_up_after_the_maximum_attempts(
    live: Live, marker: str
) -> None:
    attempts = settings.GRADING_MAX_ATTEMPTS
    project = slow_project(marker)
    breaker = SandboxBreaker(marker, [live.worker], breaks=attempts + 1)
    try:
        submission, student = upload_as_student(project)
        submission = wait_final(submission)
    finally:
        breaker.stop()

    assert submission.status == SubmissionStatus.ERROR
    job = GradingJob.objects.get(submission=submission, kind=JobKind.GRADE)
    assert (job.state, job.attempts) == (JobState.FAILED, attempts)
    assert len(breaker.broken) == attempts, "one sandbox per attempt, and no more attempts"
    assert job.error_message.startswith(f"The sandbox failed {attempts} times: ")
    assert not AGTestSuiteResult.objects.filter(submission=submission).exists()
    seen = status_seen_by(student, submission)
    assert (seen["status"], seen["error_msg"], seen["error_detail"]) == (
        "error",
        GRADING_FAILED_MESSAGE,
        "",
    ), "students read a plain message, never the fault"
    staff_seen = status_seen_by(h.staff_of(project), submission)
    assert staff_seen["error_detail"] == job.error_message


def test_a_worker_that_lost_its_lease_mid_grade_stores_nothing(live: Live, marker: str) -> None:
    """A worker frozen mid-command (a long pause, a partitioned node) loses its lease; the
    reaper gives the job to another worker, which grades it. When the first one wakes up it
    must drop the job: not overwrite the results, not move the submission, not queue the
    deferred suites again."""
    project = slow_project(marker, deferred=True)
    stalled = live.worker
    watcher = SandboxBreaker(marker, [stalled], breaks=0)
    submission, _ = upload_as_student(project)
    try:
        wait_for(lambda: watcher.seen, timeout=60, what="the command to run")
    finally:
        watcher.stop()
    os.killpg(stalled.proc.pid, signal.SIGSTOP)
    try:
        other = start_worker(live.tmp, concurrency=1, name="other")
        try:
            submission = wait_final(submission)
            assert submission.status == SubmissionStatus.FINISHED_GRADING
            stored = {r.pk for r in command_results(submission)}
            finished_at = submission.finished_at
        finally:
            other.stop()
    finally:
        resumed_at = len(stalled.log.read_bytes())
        os.killpg(stalled.proc.pid, signal.SIGCONT)

    def since_resumed() -> str:
        return stalled.log.read_bytes()[resumed_at:].decode(errors="replace")

    wait_for(
        lambda: re.search(r"Task grading\.work\[[^]]+\] succeeded", since_resumed()),
        timeout=60,
        what="the stalled worker to finish its task",
    )
    job = GradingJob.objects.get(submission=submission, kind=JobKind.GRADE)
    submission.refresh_from_db()
    assert (submission.status, submission.finished_at) == (
        SubmissionStatus.FINISHED_GRADING,
        finished_at,
    )
    assert job.attempts == 2 and job.state == JobState.DONE
    assert GradingJob.objects.filter(submission=submission, kind=JobKind.DEFERRED).count() == 1
    assert {r.pk for r in command_results(submission)} == stored, "results stored once"
    assert AGTestSuiteResult.objects.filter(submission=submission).count() == 2
    assert f"Job {job.pk} was taken back by the reaper; dropping it" in since_resumed()


def test_an_internal_error_fails_the_submission_with_a_message(live: Live) -> None:
    """Output storage that cannot be written (here `outputs/` under the media folder is a
    file) is a fault of the grader, not of the sandbox: no retry, the submission gets
    `error`, students a plain message and staff the exception."""
    project = h.project_with_catch_all()
    big = INLINE_OUTPUT_BYTES + 1
    h.command(h.suite(project), f"head -c {big} /dev/zero", name="large output")
    outputs = Path(settings.MEDIA_ROOT) / "outputs"
    assert not outputs.exists()
    outputs.write_bytes(b"")
    try:
        submission, student = upload_as_student(project)
        submission = wait_final(submission)
    finally:
        outputs.unlink()

    assert submission.status == SubmissionStatus.ERROR
    job = GradingJob.objects.get(submission=submission, kind=JobKind.GRADE)
    assert (job.state, job.attempts) == (JobState.FAILED, 1)
    assert job.error_message == "Internal error while grading: NotADirectoryError."
    assert not AGTestSuiteResult.objects.filter(submission=submission).exists()
    seen = status_seen_by(student, submission)
    assert (seen["status"], seen["error_msg"], seen["error_detail"]) == (
        "error",
        GRADING_FAILED_MESSAGE,
        "",
    )
    assert status_seen_by(h.staff_of(project), submission)["error_detail"] == job.error_message
