"""Celery tasks for notification email, on the `small` queue: thin wrappers over services.

SMTP failures are retried as for every mail task (`accounts.mail.MAIL_TASK_OPTIONS`);
SentNotice rows keep a retried task from mailing anyone twice.
"""

from celery import shared_task

from autograder.accounts.mail import MAIL_TASK_OPTIONS
from autograder.notifications import services


@shared_task(
    name="notifications.send_receipt",
    **MAIL_TASK_OPTIONS,
    time_limit=300,
)
def send_receipt(submission_id: int) -> None:
    services.receipt_mail_send(submission_id=submission_id)


@shared_task(
    name="notifications.send_grading_finished",
    **MAIL_TASK_OPTIONS,
    time_limit=120,
)
def send_grading_finished(submission_id: int) -> None:
    services.grading_finished_mail_send(submission_id=submission_id)


@shared_task(
    name="notifications.send_group_invitation",
    **MAIL_TASK_OPTIONS,
    time_limit=120,
)
def send_group_invitation(invitation_id: int) -> None:
    services.group_invitation_mail_send(invitation_id=invitation_id)
