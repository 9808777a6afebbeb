"""The live monitor with a real worker, real sandbox containers, Redis and PostgreSQL: while a
submission grades, its sandbox shows up with the memory its program holds, the worker shows a
busy slot running the job, the queue counts it, the node lists its images, and the hour's
history gains points. Course staff see their own course's sandbox, and nobody else's."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from autograder.courses.models import Role
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories
from tests.grading import pipeline_helpers as h
from tests.grading.live_worker import LiveProcess, delete_queues, start_worker, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MiB = 1024 * 1024

# Holds 80 MiB of memory and a 4 MiB file in /tmp for a few seconds, then passes.
HOLD = (
    "python3 -c \"import time; data = bytearray(80 << 20); data[::4096] = b'x' * len(data[::4096]);"
    " open('/tmp/blob', 'wb').write(b'y' * (4 << 20)); time.sleep(12); print('done')\""
)


@pytest.fixture
def worker(tmp_path: Path, _own_cache_keys: str) -> Iterator[LiveProcess]:
    """A worker with one slot that samples twice a second, on this test's cache keys."""
    prefix = f"test{os.getpid()}-"
    env = {
        "AG_MONITOR_SAMPLE_SECONDS": "0.5",
        "AG_WORKER_HEARTBEAT_SECONDS": "1",
        "AG_CACHE_KEY_PREFIX": _own_cache_keys,
    }
    with override_settings(MEDIA_ROOT=tmp_path / "media", QUEUE_PREFIX=prefix):
        process = start_worker(tmp_path, concurrency=1, name="monitor", env=env)
        try:
            yield process
        finally:
            process.kill()
            delete_queues(prefix)


def client_of(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def sandbox_of(body: dict[str, Any], submission: Submission) -> dict[str, Any] | None:
    for sandbox in body["sandboxes"]:
        job = sandbox["job"]
        if (
            job
            and job["submission_id"] == submission.pk
            and sandbox["memory_bytes"] > 60 * MiB
            and sandbox["disk_bytes"] >= 4 * MiB
        ):
            return dict(sandbox)
    return None


def test_a_grading_sandbox_shows_up_with_its_memory(worker: LiveProcess) -> None:
    project = h.project_with_catch_all()
    h.command(h.suite(project, name="holds memory"), HOLD, name="hold")
    other_course = factories.make_course(name="Other course")
    other_staff = factories.add_role(other_course, factories.make_user(), Role.STAFF)
    root = client_of(factories.make_user(is_superuser=True, is_staff=True))
    staff = client_of(h.staff_of(project))

    submission = h.submit(project)

    def seen() -> dict[str, Any] | None:
        response = root.get("/api/monitor/")
        assert response.status_code == 200, response.content
        body = response.json()
        return body if sandbox_of(body, submission) else None

    body = wait_for(seen, timeout=90, what="the submission's sandbox on the monitor")
    sandbox = sandbox_of(body, submission)
    assert sandbox is not None
    assert sandbox["state"] == "in_use"
    assert sandbox["disk_bytes"] >= 4 * MiB
    assert sandbox["memory_limit_bytes"] > sandbox["memory_bytes"]
    assert sandbox["job"]["course_name"] == project.course.name
    assert sandbox["image"]
    (ours,) = [w for w in body["workers"] if w["name"].startswith(f"monitor-{os.getpid()}@")]
    assert ours["alive"] and ours["slots"] == 1 and ours["busy_slots"] == 1
    assert [job["submission_id"] for job in ours["jobs"]] == [submission.pk]
    assert sandbox["worker"] == ours["name"]
    running = {q["queue"]: q["running"] for q in body["queues"]}
    assert sum(running.values()) >= 1
    assert any(
        tag.startswith("ag-sandbox-default")
        for node in body["nodes"]
        for image in node["images"]
        for tag in image["tags"]
    )

    # The course's staff see the same sandbox; another course's staff see none of it.
    mine = staff.get(f"/api/courses/{project.course.pk}/monitor/").json()
    assert sandbox_of(mine, submission) is not None
    assert mine["nodes"] == []
    theirs = client_of(other_staff).get(f"/api/courses/{other_course.pk}/monitor/").json()
    assert theirs["sandboxes"] == []
    assert all(worker["jobs"] == [] for worker in theirs["workers"])
    assert project.course.name not in str(theirs)

    def finished() -> bool:
        submission.refresh_from_db()
        return submission.status == SubmissionStatus.FINISHED_GRADING

    wait_for(finished, timeout=60, what="the submission to finish")
    history = root.get("/api/monitor/history/").json()
    assert history["step_seconds"] == 10
    assert max(point["memory_bytes"] for point in history["points"]) > 60 * MiB
    course_history = staff.get(f"/api/courses/{project.course.pk}/monitor/history/").json()
    assert max(point["sandboxes"] for point in course_history["points"]) >= 1
    other_history = (
        client_of(other_staff).get(f"/api/courses/{other_course.pk}/monitor/history/").json()
    )
    assert all(point["sandboxes"] == 0 for point in other_history["points"])

    def gone() -> bool:
        return sandbox_of(root.get("/api/monitor/").json(), submission) is None

    wait_for(gone, timeout=30, what="the released sandbox to leave the monitor")
