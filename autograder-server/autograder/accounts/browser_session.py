"""Who a browser's request comes from, read straight from ASGI, outside Django's handler.

The web tier serves a few hot reads (live status streams, cached results) as plain ASGI
coroutines: no middleware chain, no per-request thread of Django's. They only serve browsers
that are logged in with a session cookie, and only their success path; anything else goes to
Django's handling of the same URL, so every refusal answers as the API documents it. This
module is the part they share: recognising such a request and reading its user as
`SessionMiddleware` and `AuthenticationMiddleware` would.
"""

from collections.abc import Awaitable, Callable
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.core.handlers.asgi import ASGIRequest
from django.utils.crypto import constant_time_compare
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from autograder.accounts.models import User
from autograder.common.joined_get import JoinedGet

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[Any]]
Send = Callable[[Any], Awaitable[None]]
AsgiApp = Callable[[Any, Any, Any], Awaitable[None]]


def scope_headers(scope: Scope) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in scope.get("headers", [])}


def is_browser_get(scope: Scope) -> bool:
    """A GET over HTTP carrying the session cookie and no API token."""
    if scope["type"] != "http" or scope.get("method") != "GET":
        return False
    headers = scope_headers(scope)
    cookie = headers.get(b"cookie", b"").decode("latin-1")
    return b"authorization" not in headers and f"{settings.SESSION_COOKIE_NAME}=" in cookie


_USER = JoinedGet(User, "")

_READ_BY_PK = {ModelBackend.get_user, OIDCAuthenticationBackend.get_user}
"""Backends' `get_user`s that read the user row by primary key and nothing else (single
sign-on's too); `ModelBackend`'s also refuses inactive users, as `session_user` does."""


def session_user(request: ASGIRequest) -> User | None:
    """The active user `request`'s session is logged in as, or None (also for a host
    `ALLOWED_HOSTS` refuses). Sets `request.session` and `request.user` as the middleware
    does."""
    try:
        request.get_host()  # ALLOWED_HOSTS, as Django checks it
    except Exception:  # DisallowedHost and its kin: Django answers them
        return None
    engine = import_module(settings.SESSION_ENGINE)
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    request.session = engine.SessionStore(key)
    user = _verified_user(request.session)
    if user is not None:
        request.user = user
    return user


def _verified_user(session: SessionBase) -> User | None:
    """`auth.get_user`'s answer in its plain case, else None (and Django's handler answers):
    a backend that reads users by primary key (`_READ_BY_PK`), an active user, and the session
    hash of their current password. Sessions `get_user` would change (a hash made with a
    fallback secret key, to be renewed; one to flush) are left to it, as are other backends.
    The user row is read with SQL written once (`JoinedGet`), the same row
    `ModelBackend.get_user` reads."""
    try:
        user_id = User._meta.pk.to_python(session[auth.SESSION_KEY])
        backend_path = session[auth.BACKEND_SESSION_KEY]
        session_hash = session[auth.HASH_SESSION_KEY]
    except (KeyError, ValidationError):
        return None
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    backend = auth.load_backend(backend_path)
    if not isinstance(backend, ModelBackend) or type(backend).get_user not in _READ_BY_PK:
        return None
    user = _USER.get(user_id)
    if user is None or not backend.user_can_authenticate(user):
        return None
    if not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None
    return user
