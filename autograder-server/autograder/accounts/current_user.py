"""The user a request is authenticated as."""

from rest_framework.request import Request

from autograder.accounts.models import User


def request_user(request: Request) -> User:
    """The logged-in user of a view whose permission classes require one."""
    assert isinstance(request.user, User)
    return request.user
