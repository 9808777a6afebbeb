"""Set-password links: invitations for accounts made without a password, and password resets.

A link carries the account's id and a token from Django's `default_token_generator`: it works
until `AG_PASSWORD_LINK_SECONDS` have passed, and only once, because the token hashes the
account's current password, which setting a new one changes. Nothing is stored per link.

The reset form never says whether an address has an account: the request only enqueues a
task (the same work and the same answer for any address), and the task looks the address up.
"""

from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from autograder.accounts import tasks, throttle
from autograder.accounts.mail import mail_send
from autograder.accounts.models import User
from autograder.common.enqueue import enqueue_small_on_commit
from autograder.common.errors import ApplicationError

INVALID_LINK = (
    "This link has expired or was already used. Ask for a new one on the “Forgot password” page."
)


def password_link(*, user: User) -> str:
    """The website's set-password page for `user`, with a fresh single-use token."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return f"{settings.SITE_URL.rstrip('/')}/set-password/{quote(uid)}/{quote(token)}"


def _link_lifetime() -> str:
    hours = round(settings.PASSWORD_RESET_TIMEOUT / 3600)
    return f"{hours // 24} days" if hours >= 48 else f"{max(hours, 1)} hours"


def account_invitation_send(*, user: User, course_name: str, role: str) -> None:
    """Emails `user` a set-password link (after the current transaction commits), if they
    have no password yet, have an address, and invitations and password login are on. Called
    when someone is added to a roster; re-adding them later sends a fresh link (under the mail
    limit)."""
    if not (settings.EMAIL_INVITATIONS and settings.PASSWORD_LOGIN):
        return
    if not user.email or user.has_usable_password():
        return
    enqueue_small_on_commit(tasks.send_invitation, user.pk, course_name, role)


def invitation_mail_send(*, user_id: int, course_name: str, role: str) -> bool:
    """Sends the invitation (from the task). Nothing when the account has meanwhile got a
    password or been deactivated."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or user.has_usable_password():
        return False
    body = (
        f"Hello {user.get_full_name() or user.username},\n\n"
        f"You were added to {course_name} as {role} on the autograder.\n"
        f"Your username is {user.username}. Choose a password here to log in:\n\n"
        f"{password_link(user=user)}\n\n"
        f"The link works once, for {_link_lifetime()}. Afterwards, ask for a new one with "
        "“Forgot password” on the login page.\n"
    )
    return mail_send(to=user.email, subject=f"You were added to {course_name}", body=body)


def password_reset_request(*, email: str) -> None:
    """Queues a reset link for every active account with this address. Says nothing about
    whether there is one: the lookup happens in the task. With password login off
    (`AG_PASSWORD_LOGIN=false`) a password would be of no use, so nothing is sent."""
    if settings.PASSWORD_LOGIN:
        enqueue_small_on_commit(tasks.send_password_reset, email.strip())


def password_reset_mail_send(*, email: str) -> int:
    """Sends each active account with this address its link (from the task); returns how many."""
    sent = 0
    for user in User.objects.filter(email__iexact=email, is_active=True):
        body = (
            f"Hello {user.get_full_name() or user.username},\n\n"
            f"Someone asked to reset the autograder password of {user.username}. "
            "To choose a new password, open:\n\n"
            f"{password_link(user=user)}\n\n"
            f"The link works once, for {_link_lifetime()}. If you did not ask, ignore this "
            "message: your password stays as it is.\n"
        )
        sent += mail_send(to=user.email, subject="Reset your autograder password", body=body)
    return sent


def _user_of_link(*, uid: str, token: str) -> User:
    try:
        pk = int(urlsafe_base64_decode(uid).decode())
    except (ValueError, UnicodeDecodeError):
        pk = None
    user = User.objects.filter(pk=pk, is_active=True).first() if pk is not None else None
    if user is None or not default_token_generator.check_token(user, token):
        raise ApplicationError(INVALID_LINK, code="invalid_link", fields={"token": [INVALID_LINK]})
    return user


def password_link_check(*, uid: str, token: str) -> User:
    """The account a link is for, or a 400 when it has expired or was used."""
    return _user_of_link(uid=uid, token=token)


def password_set_from_link(*, uid: str, token: str, password: str) -> User:
    """Sets the password a link allows, which uses the link up; clears the account's failed
    logins, since its owner has just shown they hold its mailbox."""
    with transaction.atomic():
        user = _user_of_link(uid=uid, token=token)
        user = User.objects.select_for_update().get(pk=user.pk)
        if not default_token_generator.check_token(user, token):  # used meanwhile
            raise ApplicationError(
                INVALID_LINK, code="invalid_link", fields={"token": [INVALID_LINK]}
            )
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ApplicationError(
                exc.messages[0], code="invalid_password", fields={"password": exc.messages}
            ) from exc
        user.set_password(password)
        user.save(update_fields=["password"])
    throttle.lockout_lift(username=user.username)
    return user
