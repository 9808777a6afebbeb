"""Django's ASGI handler, with each request's sync work in one hop on a reused thread.

Django's own `ASGIHandler` runs a request's sync code (signals, middleware, the view, closing
the response) in a thread of its own, thread-sensitive, so the database connection a view
opens is the one that `request_finished` gives back. It starts that thread for every request
(and, from asgiref 3.10, a second thread to join it afterwards), and it runs the middleware
chain in async mode, which for our sync-only middleware and DRF views means hopping between
that thread and the event loop several times per request (`sync_middleware`).

This handler keeps Django's request handling (`ASGIHandler.handle`: body, signals, disconnect
handling, response sending) and changes two things:

- the middleware chain and the view run as Django's sync handler does under WSGI, in one call
  (`BaseHandler.get_response`) on the request's thread;
- the request's thread comes from a free list of single-thread executors, handed to asgiref's
  `ThreadSensitiveContext(executor=...)` (which leaves it running), and goes back to the list
  when the request is over. Concurrency is unchanged (a request never waits for another's
  thread: the list grows when all threads are busy); up to `IDLE_THREADS` idle ones are kept.

A reused thread is what every WSGI server does: Django keeps nothing per thread across
requests except database connections, which `request_finished` closes (gives back to the
pool) at the end of each request, in that same thread, as before.
"""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.http import HttpRequest, HttpResponseBase

IDLE_THREADS = 64
"""Idle request threads kept per process; more are started when more requests run at once."""


class PooledThreadASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)
        self._idle: list[ThreadPoolExecutor] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        # Only the event loop's thread touches the list: no lock needed.
        executor = self._idle.pop() if self._idle else self._new_thread()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            # handle() returns once every sync call it made has returned (asgiref waits for
            # a cancelled call's thread), so the thread is free for the next request.
            if len(self._idle) < IDLE_THREADS:
                self._idle.append(executor)
            else:
                executor.shutdown(wait=False)

    @staticmethod
    def _new_thread() -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="request")

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        """The sync middleware chain and view in one call on the request's thread."""
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
