"""Celery tasks for notification email, on the `small` queue: thin wrappers over services.

Like the account mail tasks, SMTP failures (OSError) are retried with exponential backoff
(10 s doubling to 15 minutes, with jitter, 8 tries); SentNotice rows keep a retried task from
mailing anyone twice.
"""

from celery import shared_task

from autograder.notifications import services


@shared_task(
    name="notifications.send_receipt",
    autoretry_for=(OSError,),
    retry_backoff=10,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
    ignore_result=True,
    time_limit=300,
)
def send_receipt(submission_id: int) -> None:
    services.receipt_mail_send(submission_id=submission_id)


@shared_task(
    name="notifications.send_grading_finished",
    autoretry_for=(OSError,),
    retry_backoff=10,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
    ignore_result=True,
    time_limit=120,
)
def send_grading_finished(submission_id: int) -> None:
    services.grading_finished_mail_send(submission_id=submission_id)


@shared_task(
    name="notifications.send_group_invitation",
    autoretry_for=(OSError,),
    retry_backoff=10,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
    ignore_result=True,
    time_limit=120,
)
def send_group_invitation(invitation_id: int) -> None:
    services.group_invitation_mail_send(invitation_id=invitation_id)
