from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest

from autograder.accounts.models import (
    TOKEN_PREFIX_LENGTH,
    ApiToken,
    User,
    hash_token_key,
    new_token_key,
)
from autograder.common.errors import ApplicationError, NotFoundError

MAX_TOKENS_PER_USER = 50


def session_login(*, request: HttpRequest, username: str, password: str) -> User:
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User) or not user.is_active:
        raise ApplicationError(
            "Wrong username or password.", code="invalid_credentials", status=400
        )
    login(request, user)
    return user


def session_logout(*, request: HttpRequest) -> None:
    logout(request)


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and its key; the key is shown once and never stored."""
    if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_USER:
        raise ApplicationError(
            f"You already have {MAX_TOKENS_PER_USER} API tokens; revoke one first.",
            code="too_many_tokens",
            fields={"name": ["Too many tokens."]},
        )
    key = new_token_key()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:TOKEN_PREFIX_LENGTH], key_hash=hash_token_key(key)
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
