"""The status snapshot and the live event stream of a submission."""

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from autograder.submissions.models import Submission, SubmissionStatus
from autograder.submissions.status import submission_status_set
from tests.conftest import World
from tests.grading import pipeline_helpers as h
from tests.permission_matrix import Endpoint, assert_matrix
from tests.submissions.helpers import hidden_submission, submission_of


def roles(**statuses: int) -> dict[str, int]:
    return {"anonymous": 401, "other_course_student": 403} | statuses


READ = roles(student=403, group_member=200, handgrader=200, staff=200, admin=200, superuser=200)
HIDDEN_READ = READ | {"student": 404, "group_member": 404}


def finished(sub: Submission) -> Submission:
    Submission.objects.filter(pk=sub.pk).update(status=SubmissionStatus.FINISHED_GRADING)
    return sub


def url(suffix: str, hidden: bool = False) -> Callable[[World], str]:
    def build(w: World) -> str:
        sub = finished(hidden_submission(w) if hidden else submission_of(w))
        return f"/api/submissions/{sub.pk}/{suffix}"

    return build


ENDPOINTS = [
    Endpoint("GET", url("status/"), READ),
    Endpoint("GET", url("status/", hidden=True), HIDDEN_READ),
    Endpoint("GET", url("events/"), READ),
    Endpoint("GET", url("events/", hidden=True), HIDDEN_READ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "endpoint", ENDPOINTS, ids=[f"{e.method} {i}" for i, e in enumerate(ENDPOINTS)]
)
def test_permissions(endpoint: Endpoint) -> None:
    assert_matrix(endpoint)


@pytest.mark.django_db
def test_status_shows_queue_position_and_wait() -> None:
    project = h.project_with_catch_all()
    first, second = h.submit(project), h.submit(project)
    staff = h.staff_of(project)
    client = APIClient()
    client.force_authenticate(staff)

    data = client.get(f"/api/submissions/{second.pk}/status/").json()

    assert first.pk != second.pk
    assert data["status"] == "queued"
    assert data["queue_position"] == 2
    assert data["estimated_wait_s"] > 0


def _frames(raw: bytes) -> list[dict[str, Any]]:
    found = []
    for block in raw.split(b"\n\n"):
        lines = dict(
            line.split(": ", 1)
            for line in block.decode().splitlines()
            if ": " in line and not line.startswith(":")
        )
        if lines.get("event") == "status":
            found.append(json.loads(lines["data"]))
    return found


@pytest.mark.django_db(transaction=True)
def test_event_stream_delivers_each_change() -> None:
    """How soon a change arrives is measured by benchmarks/events_bench.py."""
    project = h.project_with_catch_all()
    submission = h.submit(project)
    client = APIClient()
    client.force_authenticate(h.staff_of(project))
    response = client.get(
        f"/api/submissions/{submission.pk}/events/", HTTP_ACCEPT="text/event-stream"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"

    received: list[dict[str, Any]] = []

    stream = cast(Iterator[bytes], response.streaming_content)  # type: ignore[attr-defined]  # set on streaming responses

    def read() -> None:
        buffer = b""
        try:
            for chunk in stream:
                buffer += chunk
                if buffer.endswith(b"\n\n"):
                    received.extend(_frames(buffer))
                    buffer = b""
        finally:
            connection.close()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    for status, stamp in (
        (SubmissionStatus.BEING_GRADED, "grading_started_at"),
        (SubmissionStatus.FINISHED_GRADING, "finished_at"),
    ):
        time.sleep(0.5)
        with transaction.atomic():  # as the grader changes it
            submission_status_set(
                submission_id=submission.pk,
                status=status,
                only_from=None,
                **{stamp: timezone.now()},
            )
    reader.join(timeout=10)

    assert not reader.is_alive(), "the stream ends once the submission is final"
    statuses = [frame["status"] for frame in received]
    assert statuses == ["queued", "being_graded", "finished_grading"]
    assert received[0]["queue_position"] == 1
