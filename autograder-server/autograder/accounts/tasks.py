"""Celery tasks for account email, on the `small` queue: thin wrappers over passwords.py.

SMTP failures (OSError covers smtplib's errors and refused connections) are retried with
exponential backoff (10 s doubling to 15 minutes, with jitter, 8 tries: about an hour), so a
mail server's short outage loses nothing. The passwords module is imported in the task body
because it enqueues these tasks.
"""

from celery import shared_task


@shared_task(
    name="accounts.send_invitation",
    autoretry_for=(OSError,),
    retry_backoff=10,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
    ignore_result=True,
    time_limit=120,
)
def send_invitation(user_id: int, course_name: str, role: str) -> None:
    from autograder.accounts import passwords

    passwords.invitation_mail_send(user_id=user_id, course_name=course_name, role=role)


@shared_task(
    name="accounts.send_password_reset",
    autoretry_for=(OSError,),
    retry_backoff=10,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
    ignore_result=True,
    time_limit=120,
)
def send_password_reset(email: str) -> None:
    from autograder.accounts import passwords

    passwords.password_reset_mail_send(email=email)
