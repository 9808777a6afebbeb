"""The release fence: a worker of another release than the deployed one claims nothing."""

import io
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from autograder.grading.pipeline import worker
from autograder.grading.pipeline.models import GradingJob, JobState
from autograder.monitor import release
from autograder.monitor.models import DeployedRelease
from autograder.submissions.models import SubmissionStatus
from tests.grading import pipeline_helpers as h
from tests.grading.live_worker import (
    LiveProcess,
    delete_queues,
    launch_worker,
    start_worker,
    wait_for,
)


@pytest.mark.django_db
def test_record_release_command_records_the_running_release() -> None:
    out = io.StringIO()
    with override_settings(RELEASE="0.2.0+abc"):
        call_command("record_release", stdout=out)
    assert DeployedRelease.objects.get(pk=1).release == "0.2.0+abc"
    call_command("record_release", "--release", "0.2.1+def", stdout=out)
    assert release.deployed_release() == "0.2.1+def"
    assert "was: 0.2.0+abc" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("running", "deployed", "may_grade"),
    [
        ("", "0.2.0+abc", True),  # development image: no fence
        ("0.2.0+abc", None, True),  # nothing recorded yet
        ("0.2.0+abc", "0.2.0+abc", True),
        ("0.1.0+old", "0.2.0+abc", False),
    ],
)
def test_mismatch_only_when_both_releases_are_known_and_differ(
    running: str, deployed: str | None, may_grade: bool
) -> None:
    if deployed:
        release.release_record(release=deployed)
    with override_settings(RELEASE=running):
        assert (release.release_mismatch() is None) is may_grade


@pytest.mark.django_db
def test_a_slot_of_an_old_release_hands_the_wake_up_back_without_claiming(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    submission = h.submit(h.project_with_catch_all())
    job = GradingJob.objects.get(submission=submission)
    release.release_record(release="0.2.0+new")
    signals: list[tuple[int, int]] = []
    monkeypatch.setattr(release, "_worker_main_pid", 4242)
    monkeypatch.setattr("os.kill", lambda pid, sig: signals.append((pid, sig)))

    with (
        override_settings(RELEASE="0.1.0+old"),
        pytest.raises(release.ReleaseMismatchError) as raised,
    ):
        worker.work_one(job.queue)

    assert raised.value.requeue is True  # type: ignore[attr-defined]  # celery-types omits it
    assert signals == [(4242, signal.SIGTERM)]
    job.refresh_from_db()
    assert (job.state, job.attempts, job.lease_owner) == (JobState.PENDING, 0, "")


@pytest.fixture
def own_queues(tmp_path: Path, settings: Any) -> Iterator[str]:
    """Queues of this test alone (live workers consume them), deleted afterwards."""

    prefix = f"h8rel{os.getpid()}{tmp_path.name[-4:]}-"
    settings.QUEUE_PREFIX = prefix
    settings.MEDIA_ROOT = tmp_path / "media"
    yield prefix
    delete_queues(prefix)


def _start_release_worker(tmp: Path, name: str, release_id: str, **env: str) -> LiveProcess:
    return start_worker(tmp, name=name, concurrency=1, env={"AG_RELEASE": release_id, **env})


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_old_release_worker_exits_unclaimed_and_the_deployed_release_grades(
    tmp_path: Path, own_queues: str
) -> None:
    release.release_record(release="0.2.0+new")
    project = h.project_with_catch_all()
    h.command(
        h.suite(project),
        "echo graded",
        expected_stdout_source="text",
        expected_stdout_text="graded\n",
        points_for_correct_stdout=1,
    )

    # Heartbeats off: the claim fence alone must turn the old worker away.
    old = _start_release_worker(tmp_path, "old", "0.1.0+old", AG_WORKER_HEARTBEAT_SECONDS="0")
    try:
        submission = h.submit(project)
        assert old.proc.wait(timeout=60) == 0, old.log.read_text()[-2000:]
    finally:
        old.kill()
    job = GradingJob.objects.get(submission=submission)
    assert (job.state, job.attempts) == (JobState.PENDING, 0)
    assert "this worker runs release '0.1.0+old' but release '0.2.0+new'" in old.log.read_text()

    new = _start_release_worker(tmp_path, "new", "0.2.0+new")
    try:
        wait_for(
            lambda: GradingJob.objects.filter(pk=job.pk, state=JobState.DONE).exists(),
            timeout=90,
            what="the deployed release's worker to grade the job",
        )
    finally:
        new.kill()
    submission.refresh_from_db()
    job.refresh_from_db()
    assert submission.status == SubmissionStatus.FINISHED_GRADING
    assert job.attempts == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_idle_old_release_worker_stops_at_its_heartbeat(tmp_path: Path, own_queues: str) -> None:
    release.release_record(release="0.2.0+new")
    health = tmp_path / "health.json"
    env = {"AG_RELEASE": "0.1.0+old", "AG_WORKER_HEARTBEAT_SECONDS": "1"}
    old = launch_worker(
        tmp_path, name="idle-old", concurrency=1, env=env | {"AG_WORKER_HEALTH_FILE": str(health)}
    )
    try:
        assert old.proc.wait(timeout=60) == 0
    finally:
        old.kill()
    assert "release '0.2.0+new' is deployed" in health.read_text()


@pytest.mark.django_db
def test_deploy_init_migrates_then_records_the_release() -> None:
    out = io.StringIO()
    with override_settings(RELEASE="0.2.0+init"):
        call_command("deploy_init", stdout=out)
    assert release.deployed_release() == "0.2.0+init"
    assert "No migrations to apply" in out.getvalue()
