"""Sending one email, for every app that sends any (invitations, resets, notifications).

Mail goes through Django's email framework (SMTP, or files in the quickstart; settings.py
`AG_EMAIL_*`) and under the per-recipient limit in accounts/throttle.py. Callers run in Celery
tasks on the `small` queue, never inside a request: an SMTP server that is slow or down must
not slow a page, and a failed send is retried by the task.
"""

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage

from autograder.accounts import throttle

logger = logging.getLogger(__name__)


MAIL_TASK_OPTIONS: dict[str, Any] = {
    "autoretry_for": (OSError,),
    "retry_backoff": 10,
    "retry_backoff_max": 900,
    "retry_jitter": True,
    "max_retries": 8,
    "acks_late": True,
    "ignore_result": True,
}
"""Celery options of every task that sends mail: SMTP failures (OSError covers smtplib's
errors and refused connections) are retried with exponential backoff, 10 s doubling to 15
minutes with jitter, 8 tries (about an hour), so a mail server's short outage loses nothing."""


def mail_send(*, to: str, subject: str, body: str) -> bool:
    """Sends a plain-text message to `to`; False when the address is over its limit (the
    message is dropped and logged). SMTP failures raise, so the calling task retries."""
    if not throttle.mail_allowed(address=to):
        logger.warning("mail: not sending %r: its recipient is over the hourly limit", subject)
        return False
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()
    return True
