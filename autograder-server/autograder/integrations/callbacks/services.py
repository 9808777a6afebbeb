"""Registering webhooks, and delivering events to them: signed, retried, logged.

An event creates one `Delivery` per webhook of the project that listens to it; `tasks.deliver`
makes the attempts (the first at once, then with backoff) on the `small` queue.
"""

import json
import secrets
import time
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from autograder.accounts.models import User
from autograder.common.errors import ApplicationError, field_error
from autograder.grading.results.final_graded import final_graded_submission
from autograder.grading.results.selectors import submission_scores
from autograder.integrations.callbacks import safe_http, signing
from autograder.integrations.callbacks.models import (
    SUBSCRIBABLE_EVENTS,
    Delivery,
    DeliveryState,
    FinalGradedSeen,
    Webhook,
    WebhookEvent,
)
from autograder.projects.models import Project
from autograder.submissions.models import Submission

MAX_ATTEMPTS = 6
"""Attempts per delivery: at once, then after 10 s, 40 s, 160 s, 640 s and 2560 s."""
MAX_WEBHOOKS_PER_PROJECT = 20


def retry_delay_s(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed attempt."""
    return int(10 * 4 ** (attempts - 1))


def webhook_create(
    *, project: Project, url: str, events: Sequence[str], created_by: User
) -> Webhook:
    try:
        safe_http.check_url(url)
    except safe_http.CallbackRefusedError as e:
        raise field_error("url", str(e)) from None
    allowed = [e.value for e in SUBSCRIBABLE_EVENTS]
    if not events or set(events) - set(allowed):
        raise field_error("events", f"Choose one or more of {', '.join(allowed)}.")
    with transaction.atomic():
        Project.objects.select_for_update().get(pk=project.pk)
        if Webhook.objects.filter(project=project).count() >= MAX_WEBHOOKS_PER_PROJECT:
            raise ApplicationError(
                f"A project has at most {MAX_WEBHOOKS_PER_PROJECT} webhooks.", code="too_many"
            )
        return Webhook.objects.create(
            project=project,
            url=url,
            events=sorted(set(events)),
            secret=secrets.token_hex(32),
            created_by=created_by,
        )


def webhook_delete(*, webhook: Webhook) -> None:
    webhook.delete()


def webhook_ping(*, webhook: Webhook) -> Delivery:
    """A test delivery, so staff can check the receiver and its signature check."""
    payload = {"event": WebhookEvent.PING.value, "project_id": webhook.project_id}
    return Delivery.objects.create(
        project_id=webhook.project_id,
        webhook=webhook,
        event=WebhookEvent.PING,
        url=webhook.url,
        payload=payload,
    )


def deliveries_create(*, project_id: int, event: str, payload: dict[str, Any]) -> list[int]:
    """One pending delivery per webhook of the project that listens to `event`."""
    body = {"event": event, "project_id": project_id, **payload}
    return [
        Delivery.objects.create(
            project_id=project_id, webhook=hook, event=event, url=hook.url, payload=body
        ).pk
        for hook in Webhook.objects.filter(project_id=project_id)
        if event in hook.events
    ]


def _submission_payload(submission: Submission) -> dict[str, Any]:
    score = submission_scores(submission_ids=[submission.pk])[submission.pk]
    return {
        "submission_id": submission.pk,
        "group_id": submission.group_id,
        "status": submission.status,
        # JSON numbers (a mutation suite's points may have two decimals).
        "points_awarded": float(score.awarded),
        "points_possible": float(score.possible),
    }


def _final_graded_changed(submission: Submission) -> list[int]:
    final = final_graded_submission(group=submission.group)
    final_id = final.pk if final else None
    with transaction.atomic():
        seen, created = FinalGradedSeen.objects.select_for_update().get_or_create(
            group_id=submission.group_id, defaults={"submission_id": final_id}
        )
        if not created and seen.submission_id == final_id:
            return []
        seen.submission_id = final_id
        seen.save(update_fields=["submission_id"])
        payload = {"group_id": submission.group_id, "submission_id": final_id}
        return deliveries_create(
            project_id=submission.project_id,
            event=WebhookEvent.FINAL_GRADED_CHANGED,
            payload=payload,
        )


def events_for_submission(*, submission_id: int, event: str) -> list[int]:
    """Deliveries for `event` (grading or rerun finished) of a submission, and for its group's
    final graded submission if that changed; returns their ids."""
    submission = Submission.objects.select_related("group__project").get(pk=submission_id)
    if not Webhook.objects.filter(project_id=submission.project_id).exists():
        return []
    ids = deliveries_create(
        project_id=submission.project_id, event=event, payload=_submission_payload(submission)
    )
    return ids + _final_graded_changed(submission)


def delivery_attempt(*, delivery_id: int) -> int | None:
    """One attempt; the seconds to wait before the next one, or None when it's over."""
    delivery = Delivery.objects.select_related("webhook").get(pk=delivery_id)
    if delivery.state != DeliveryState.PENDING:
        return None
    return post_signed(
        delivery,
        url=delivery.url,
        secret=delivery.webhook.secret,
        event=delivery.event,
        delivery_header=str(delivery.pk),
    )


def post_signed(
    record: Any, *, url: str, secret: str, event: str, delivery_header: str
) -> int | None:
    """One signed POST of `record.payload` to `url`, recorded on `record` (a webhook
    delivery or a runner work: `attempts`, `state`, `error`, `response_status`,
    `finished_at`), then saved. Returns the seconds to wait before the next attempt, or None
    when delivery is over (delivered, refused, or out of attempts)."""
    body = json.dumps(record.payload, sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        signing.HEADER: signing.signature(secret, int(time.time()), body),
        "X-Autograder-Event": event,
        "X-Autograder-Delivery": delivery_header,
    }
    record.attempts += 1
    retry = False
    try:
        status = safe_http.post(url, body, headers)
    except safe_http.CallbackRefusedError as e:
        record.state, record.error = DeliveryState.FAILED, str(e)
    except OSError as e:
        record.error = f"attempt {record.attempts}: {e}"[:2000]
        retry = True
    else:
        record.response_status = status
        if 200 <= status < 300:
            record.state, record.error = DeliveryState.DELIVERED, ""
        else:
            record.error = f"attempt {record.attempts}: the receiver answered {status}"
            retry = True
    if retry and record.attempts >= MAX_ATTEMPTS:
        record.state, retry = DeliveryState.FAILED, False
    if record.state != DeliveryState.PENDING:
        record.finished_at = timezone.now()
    record.save()
    return retry_delay_s(record.attempts) if retry else None
