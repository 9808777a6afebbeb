"""Keeps Django's middleware chain in one thread per request under ASGI.

Django runs a middleware that can be either sync or async in the mode of what it wraps. The
innermost handler under ASGI is async, so every `MiddlewareMixin` middleware (sessions, auth,
CSRF, ...) ran async, and each of them called its sync `process_request`/`process_response`
through a thread hop (with a copy of the context each way): 32 hops for a results request.
This sync-only middleware, last in MIDDLEWARE, makes everything above it sync, so the chain
runs in the request's thread in one go: 12 hops.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class SyncMiddlewareChain:
    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)
