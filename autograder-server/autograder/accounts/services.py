from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest

from autograder.accounts import throttle
from autograder.accounts.models import (
    TOKEN_PREFIX_LENGTH,
    ApiToken,
    User,
    hash_token_key,
    new_token_key,
)
from autograder.common.errors import ApplicationError, NotFoundError, RateLimitedError

MAX_TOKENS_PER_USER = 50


def login_locked_error(lockout: throttle.Lockout) -> RateLimitedError:
    """The 429 for a locked account or address, saying which and for how long."""
    return RateLimitedError(lockout.message("failed logins"), retry_after=lockout.seconds)


def user_authenticate(*, request: HttpRequest, username: str, password: str) -> User:
    """Checks a username and password, under the brute-force throttle (accounts/throttle.py).

    Every password login goes through here (the API and the Django admin's form), so guessing
    is limited the same way everywhere. While the account or the client's address is locked
    out, even the right password is refused. With AG_PASSWORD_LOGIN=false every password is
    refused: the site signs people in by single sign-on only.
    """
    if not settings.PASSWORD_LOGIN:
        raise ApplicationError(
            "Password login is switched off on this site; sign in with single sign-on.",
            code="password_login_disabled",
            status=403,
        )
    address = throttle.client_address(request)
    lockout = throttle.login_lockout(username=username, address=address)
    if lockout:
        raise login_locked_error(lockout)
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User) or not user.is_active:
        lockout = throttle.login_failure_record(username=username, address=address)
        if lockout:
            raise login_locked_error(lockout)
        raise ApplicationError(
            "Wrong username or password.", code="invalid_credentials", status=400
        )
    throttle.login_success_record(username=username)
    return user


def session_login(*, request: HttpRequest, username: str, password: str) -> User:
    user = user_authenticate(request=request, username=username, password=password)
    login(request, user)
    return user


def session_logout(*, request: HttpRequest) -> None:
    logout(request)


def api_token_create(
    *, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Returns the token row and its key; the key is shown once and never stored. A token
    with `expires_at` is refused from then on (a script's credential that is forgotten stops
    working by itself)."""
    if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_USER:
        raise ApplicationError(
            f"You already have {MAX_TOKENS_PER_USER} API tokens; revoke one first.",
            code="too_many_tokens",
            fields={"name": ["Too many tokens."]},
        )
    key = new_token_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:TOKEN_PREFIX_LENGTH],
        key_hash=hash_token_key(key),
        expires_at=expires_at,
    )
    return token, key


def api_token_revoke(*, user: User, token_id: int) -> None:
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise NotFoundError("No such API token.")


def user_set_can_create_courses(*, user: User, allowed: bool) -> User:
    user.can_create_courses = allowed
    user.save(update_fields=["can_create_courses"])
    return user


def user_update(
    *,
    actor: User,
    user: User,
    can_create_courses: bool | None = None,
    is_active: bool | None = None,
) -> User:
    """A superuser grants or takes the right to create courses, or deactivates or reactivates
    an account. A deactivated account can neither log in nor use its API tokens, and its
    open sessions stop working at their next request (Django's auth backend and our token
    check both read `is_active`); its courses, groups and submissions stay, so
    reactivating restores everything. Superusers cannot deactivate themselves (the site could
    be left with no one to undo it)."""
    changed: list[str] = []
    if can_create_courses is not None:
        user.can_create_courses = can_create_courses
        changed.append("can_create_courses")
    if is_active is not None and is_active != user.is_active:
        if not is_active and user.pk == actor.pk:
            raise ApplicationError(
                "You cannot deactivate your own account.",
                code="self_deactivation",
                fields={"is_active": ["You cannot deactivate your own account."]},
            )
        user.is_active = is_active
        changed.append("is_active")
    if changed:
        user.save(update_fields=changed)
    return user
