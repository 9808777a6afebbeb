"""Small helpers every API module uses to parse a request."""

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request

from autograder.accounts.models import User


def request_user(request: Request) -> User:
    """The logged-in user of a view whose permission classes require one."""
    assert isinstance(request.user, User)
    return request.user


def validated(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    """The serializer's validated data, or a 400 naming each bad field."""
    serializer.is_valid(raise_exception=True)
    data: dict[str, Any] = serializer.validated_data
    return data
