"""Project webhooks: staff register a URL, events reach a real receiver on 127.0.0.1 signed
with the webhook's secret, failed attempts are retried and logged, and URLs of the platform's
own network are refused unless AG_CALLBACK_ALLOW_PRIVATE allows them."""

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from autograder.celery import app
from autograder.integrations.callbacks import services, signing
from autograder.integrations.callbacks.models import Delivery, DeliveryState, Webhook
from autograder.submissions.models import SubmissionStatus
from autograder.submissions.status import submission_status_set
from tests.conftest import World
from tests.integrations.callbacks.receiver import Receiver, receiver
from tests.notifications.test_mail import stored_submission

__all__ = ["receiver"]
pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]


@pytest.fixture(autouse=True)
def _eager_tasks(settings: Any) -> Iterator[None]:
    """Tasks run in this process (retries too, without their countdown)."""
    settings.AG_CALLBACK_ALLOW_PRIVATE = True
    eager, propagates = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = eager, propagates


def register(world: World, url: str, events: list[str]) -> dict[str, Any]:
    response = world.client("staff").post(
        f"/api/projects/{world.project.pk}/webhooks/", {"url": url, "events": events}, format="json"
    )
    assert response.status_code == 201, response.data
    return dict(response.data)


def deliveries(world: World) -> list[dict[str, Any]]:
    response = world.client("staff").get(f"/api/projects/{world.project.pk}/webhook-deliveries/")
    assert response.status_code == 200
    return list(response.data)


def test_grading_finished_reaches_the_receiver_signed(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Capture
) -> None:
    hook = register(world, receiver.url, ["grading_finished", "final_graded_changed"])
    submission = stored_submission(world, status=SubmissionStatus.BEING_GRADED)

    with django_capture_on_commit_callbacks(execute=True):
        submission_status_set(submission_id=submission.pk, status=SubmissionStatus.FINISHED_GRADING)

    events = {r.headers["X-Autograder-Event"]: r for r in receiver.requests}
    assert set(events) == {"grading_finished", "final_graded_changed"}
    finished = events["grading_finished"]
    assert finished.path == "/hook"
    assert json.loads(finished.body) == {
        "event": "grading_finished",
        "project_id": world.project.pk,
        "submission_id": submission.pk,
        "group_id": world.group.pk,
        "status": "finished_grading",
        "points_awarded": 0,
        "points_possible": 0,
    }
    header = finished.headers[signing.HEADER]
    assert signing.verify(hook["secret"], header, finished.body, now=int(time.time()))
    assert not signing.verify("wrong secret", header, finished.body, now=int(time.time()))
    assert json.loads(events["final_graded_changed"].body)["submission_id"] == submission.pk
    log = deliveries(world)
    assert {(d["event"], d["state"], d["response_status"]) for d in log} == {
        ("grading_finished", "delivered", 200),
        ("final_graded_changed", "delivered", 200),
    }
    assert (
        "secret"
        not in world.client("staff").get(f"/api/projects/{world.project.pk}/webhooks/").data[0]
    )


def test_the_final_graded_change_is_sent_once(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Capture
) -> None:
    register(world, receiver.url, ["final_graded_changed"])
    submission = stored_submission(world, status=SubmissionStatus.BEING_GRADED)
    submission_status_set(submission_id=submission.pk, status=SubmissionStatus.FINISHED_GRADING)

    services.events_for_submission(submission_id=submission.pk, event="grading_finished")
    services.events_for_submission(submission_id=submission.pk, event="rerun_finished")

    assert Delivery.objects.filter(event="final_graded_changed").count() == 1


def test_a_failed_attempt_is_retried_with_backoff_and_logged(
    world: World, receiver: Receiver
) -> None:
    hook = Webhook.objects.get(pk=register(world, receiver.url, ["grading_finished"])["id"])
    receiver.statuses = [503]
    delivery = services.webhook_ping(webhook=hook)

    assert services.delivery_attempt(delivery_id=delivery.pk) == services.retry_delay_s(1) == 10
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.response_status) == ("pending", 1, 503)
    assert delivery.error == "attempt 1: the receiver answered 503"

    assert services.delivery_attempt(delivery_id=delivery.pk) is None
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.error) == ("delivered", 2, "")
    assert len(receiver.requests) == 2


def test_a_receiver_that_never_answers_well_fails_after_the_last_attempt(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Capture
) -> None:
    hook = register(world, receiver.url, ["grading_finished"])
    receiver.statuses = [500] * 10

    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("staff").post(f"/api/webhooks/{hook['id']}/ping/")

    assert response.status_code == 201
    delivery = Delivery.objects.get(pk=response.data["id"])
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == services.MAX_ATTEMPTS == len(receiver.requests)


def test_private_addresses_are_refused_without_the_setting(
    world: World, receiver: Receiver, settings: Any
) -> None:
    hook = Webhook.objects.get(pk=register(world, receiver.url, ["grading_finished"])["id"])
    settings.AG_CALLBACK_ALLOW_PRIVATE = False
    refused = [services.webhook_ping(webhook=hook)]
    for url in ("http://localhost:9/x", "http://169.254.169.254/latest", "http://10.0.0.1/"):
        refused.append(services.webhook_ping(webhook=hook))
        Delivery.objects.filter(pk=refused[-1].pk).update(url=url)

    for delivery in refused:
        assert services.delivery_attempt(delivery_id=delivery.pk) is None
        delivery.refresh_from_db()
        assert delivery.state == DeliveryState.FAILED
        assert "non-public address" in delivery.error
    assert receiver.requests == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.org/x", "events": ["grading_finished"]}, "url"),
        ({"url": "http://example.org/x", "events": []}, "events"),
        ({"url": "http://example.org/x", "events": ["ping"]}, "events"),
        ({"url": "http://user:pw@example.org/x", "events": ["grading_finished"]}, "url"),
    ],
)
def test_bad_registrations_name_the_field(world: World, body: dict[str, Any], field: str) -> None:
    response = world.client("staff").post(
        f"/api/projects/{world.project.pk}/webhooks/", body, format="json"
    )
    assert response.status_code == 400
    assert field in str(response.data)
    assert not Webhook.objects.exists()


def test_deleting_a_webhook_stops_its_deliveries(world: World, receiver: Receiver) -> None:
    hook = register(world, receiver.url, ["grading_finished"])
    assert world.client("staff").delete(f"/api/webhooks/{hook['id']}/").status_code == 204
    submission = stored_submission(world, status=SubmissionStatus.FINISHED_GRADING)

    assert services.events_for_submission(submission_id=submission.pk, event="x") == []
    assert deliveries(world) == []
