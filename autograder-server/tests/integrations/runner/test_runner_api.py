"""The runner API in one process: what it accepts and refuses, how works become submissions of
machine principals, and how their results reach a real callback receiver on 127.0.0.1 (signed,
retried with backoff, logged for staff). Grading itself is in test_live.py."""

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from autograder.celery import app
from autograder.courses.roles import course_roles
from autograder.integrations.callbacks import signing
from autograder.integrations.runner import services
from autograder.integrations.runner.models import RunnerLane, RunnerWork
from autograder.submissions.models import Submission, SubmissionStatus
from autograder.submissions.status import submission_status_set
from tests import factories
from tests.conftest import World
from tests.integrations.callbacks.receiver import Receiver, receiver
from tests.integrations.runner.helpers import make_key, post_work

__all__ = ["receiver"]
pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]


@pytest.fixture(autouse=True)
def _setup(settings: Any, tmp_path: Path) -> Iterator[None]:
    """Tasks run in this process (retries too, without their countdown); files in tmp."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AG_CALLBACK_ALLOW_PRIVATE = True
    eager, propagates = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = eager, propagates


@pytest.fixture
def keyed(world: World) -> tuple[World, str]:
    factories.make_expected_file(world.project, "*.py", 1, 1)
    return world, make_key(world.course, world.project)[1]


def test_a_work_becomes_a_queued_submission_of_a_machine_principal(
    keyed: tuple[World, str],
) -> None:
    world, secret = keyed
    answer = post_work(secret, assignment=world.project.pk, params=["LEVEL=2"])

    assert answer.status_code == 200, answer.json()
    assert answer.json()["success"] is True
    work = RunnerWork.objects.get()
    assert (work.work_id, work.params, work.callback) == (
        "w-1",
        {"LEVEL": "2"},
        "https://example.org/cb",
    )
    assert work.submission.status == SubmissionStatus.QUEUED
    assert work.submission.submitted_filenames == ["main.py"]
    machine = work.submission.submitter
    assert not machine.is_active and not machine.has_usable_password()
    assert course_roles(machine, world.course).is_staff
    assert work.key.last_used_at is not None


def test_works_in_progress_at_once_use_separate_lanes_then_reuse_them(
    keyed: tuple[World, str], settings: Any
) -> None:
    world, secret = keyed
    settings.AG_RUNNER_MAX_PARALLEL = 2
    assert post_work(secret, assignment=world.project.pk).status_code == 200
    assert post_work(secret, assignment=world.project.pk).status_code == 200
    full = post_work(secret, assignment=world.project.pk)
    assert full.status_code == 429
    assert full.json()["success"] is False and "AG_RUNNER_MAX_PARALLEL" in full.json()["message"]

    first = Submission.objects.order_by("pk").first()
    assert first is not None
    submission_status_set(submission_id=first.pk, status=SubmissionStatus.FINISHED_GRADING)
    assert post_work(secret, assignment=world.project.pk).status_code == 200
    assert RunnerLane.objects.count() == 2
    assert Submission.objects.filter(group=first.group).count() == 2


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"assignment": "abc"}, "assignment", "valid integer"),
        ({"callback": "ftp://example.org/"}, "callback", "Only http:// and https://"),
        ({"callback": "not a url"}, "callback", "valid URL"),
        ({"callback": "http://user:pw@example.org/"}, "callback", "user name or password"),
        ({"params": ["PATH=/tmp"]}, "param", "sandbox's own environment"),
        ({"params": ["HOME=/tmp"]}, "param", "sandbox's own environment"),
        ({"params": ["no equals"]}, "param", "is not NAME=VALUE"),
        ({"name": "notes.txt"}, "file", "Missing required files: *.py"),
        ({"work_id": "x" * 201}, "work_id", "200 characters"),
        ({"image": "correctomatic/python"}, "image", "Unknown field"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    keyed: tuple[World, str], change: dict[str, Any], field: str, reason: str
) -> None:
    world, secret = keyed
    answer = post_work(secret, **{"assignment": world.project.pk, **change})

    assert answer.status_code == 400, answer.json()
    body = answer.json()
    assert body["success"] is False
    assert body["message"].startswith(f"{field}: ")
    assert field in body["fields"]
    assert reason.lower() in body["message"].lower(), body["message"]
    assert not Submission.objects.exists() and not RunnerWork.objects.exists()


def test_missing_fields_are_named(keyed: tuple[World, str]) -> None:
    _, secret = keyed
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    answer = client.post("/api/runner/grade/", {"work_id": "1"}, format="multipart")

    assert answer.status_code == 400
    assert set(answer.json()["fields"]) == {"file", "assignment", "callback"}


def test_a_callback_to_the_platforms_own_network_is_refused_without_the_setting(
    keyed: tuple[World, str], settings: Any
) -> None:
    world, secret = keyed
    settings.AG_CALLBACK_ALLOW_PRIVATE = False
    assert (
        post_work(secret, assignment=world.project.pk, callback="http://127.0.0.1:9/").status_code
        == 200
    )
    work = RunnerWork.objects.get()
    submission_status_set(submission_id=work.submission_id, status=SubmissionStatus.ERROR)
    services.work_finished(submission_id=work.submission_id)

    assert services.callback_attempt(work_id=work.pk) is None
    work.refresh_from_db()
    assert work.state == "failed" and "non-public address" in work.error
    assert work.attempts == 1


def finish(work: RunnerWork, status: SubmissionStatus, capture: Capture, **fields: Any) -> None:
    with capture(execute=True):
        submission_status_set(submission_id=work.submission_id, status=status, **fields)


def test_a_receiver_failing_twice_gets_the_result_on_the_third_attempt_signed(
    keyed: tuple[World, str], receiver: Receiver, django_capture_on_commit_callbacks: Capture
) -> None:
    world, secret = keyed
    receiver.statuses = [500, 503]
    post_work(secret, assignment=world.project.pk, callback=receiver.url)
    work = RunnerWork.objects.select_related("key").get()

    finish(work, SubmissionStatus.FINISHED_GRADING, django_capture_on_commit_callbacks)

    assert len(receiver.requests) == 3
    last = receiver.requests[-1]
    body = json.loads(last.body)
    assert body == {"success": True, "work_id": "w-1", "grade": 0.0, "comments": []}
    assert signing.verify(
        work.key.signing_secret, last.headers[signing.HEADER], last.body, now=int(time.time())
    )
    assert last.headers["X-Autograder-Event"] == "runner_result"
    log = world.client("staff").get(f"/api/projects/{world.project.pk}/runner-works/").data
    assert [(w["state"], w["attempts"], w["response_status"], w["error"]) for w in log] == [
        ("delivered", 3, 200, "")
    ]
    assert log[0]["payload"] == body


def test_the_retry_schedule_is_the_webhooks_backoff(
    keyed: tuple[World, str], receiver: Receiver
) -> None:
    world, secret = keyed
    receiver.statuses = [502]
    post_work(secret, assignment=world.project.pk, callback=receiver.url)
    work = RunnerWork.objects.get()
    submission_status_set(
        submission_id=work.submission_id, status=SubmissionStatus.FINISHED_GRADING
    )
    services.work_finished(submission_id=work.submission_id)

    assert services.callback_attempt(work_id=work.pk) == 10
    work.refresh_from_db()
    assert (work.state, work.error) == ("pending", "attempt 1: the receiver answered 502")
    assert services.callback_attempt(work_id=work.pk) is None
    work.refresh_from_db()
    assert work.state == "delivered"


def test_an_errored_submission_sends_success_false_with_its_message(
    keyed: tuple[World, str], receiver: Receiver, django_capture_on_commit_callbacks: Capture
) -> None:
    world, secret = keyed
    post_work(secret, assignment=world.project.pk, callback=receiver.url)
    work = RunnerWork.objects.get()

    finish(
        work,
        SubmissionStatus.ERROR,
        django_capture_on_commit_callbacks,
        error_msg="The grader could not run.",
    )

    assert json.loads(receiver.requests[0].body) == {
        "success": False,
        "work_id": "w-1",
        "error": "The grader could not run.",
    }


def test_other_submissions_send_no_callback(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Capture
) -> None:
    submission = Submission.objects.create(
        group=world.group, project=world.project, submitter=world.users["group_member"],  # type: ignore[misc]  # a User in this world
        status=SubmissionStatus.BEING_GRADED, submitted_filenames=[],
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        submission_status_set(submission_id=submission.pk, status=SubmissionStatus.FINISHED_GRADING)
    assert receiver.requests == []
