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
from django.core.handlers.asgi import ASGIRequest

from autograder.accounts.models import User

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


def session_user(request: ASGIRequest) -> User | None:
    """The active user `request`'s session is logged in as, or None (also for a host
    `ALLOWED_HOSTS` refuses, and for a session the read would change, which only Django's
    handler saves). Sets `request.session` and `request.user` as the middleware does."""
    try:
        request.get_host()  # ALLOWED_HOSTS, as Django checks it
    except Exception:  # DisallowedHost and its kin: Django answers them
        return None
    engine = import_module(settings.SESSION_ENGINE)
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    request.session = engine.SessionStore(key)
    user = auth.get_user(request)
    request.user = user
    if request.session.modified or not isinstance(user, User) or not user.is_active:
        return None
    return user
