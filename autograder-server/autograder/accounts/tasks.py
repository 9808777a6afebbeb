"""Celery tasks for account email, on the `small` queue: thin wrappers over passwords.py.

SMTP failures are retried (`mail.MAIL_TASK_OPTIONS`). The passwords module is imported in the
task body because it enqueues these tasks.
"""

from celery import shared_task

from autograder.accounts.mail import MAIL_TASK_OPTIONS


@shared_task(
    name="accounts.send_invitation",
    **MAIL_TASK_OPTIONS,
    time_limit=120,
)
def send_invitation(user_id: int, course_name: str, role: str) -> None:
    from autograder.accounts import passwords

    passwords.invitation_mail_send(user_id=user_id, course_name=course_name, role=role)


@shared_task(
    name="accounts.send_password_reset",
    **MAIL_TASK_OPTIONS,
    time_limit=120,
)
def send_password_reset(email: str) -> None:
    from autograder.accounts import passwords

    passwords.password_reset_mail_send(email=email)
