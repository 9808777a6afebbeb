"""The live status stream served straight from ASGI, for browsers (session cookie).

Through Django's ASGI handler every request runs its middleware and view in a thread of its
own, kept until the response ends: an open stream would keep an idle thread for as long as it
is open (a thousand streams, a thousand threads). Here a stream is only a coroutine: the
session, the user and the permission check are read once in the event loop's shared thread
pool on a connection given back at once, then the stream waits on the process's one Redis
subscription (`events._Hub`).

Only the success path is served here. Whatever else (no session cookie, an API token, a
logged-out or inactive user, a missing submission, no permission, a disallowed host) goes to
Django's own handling of the same URL (`api.SubmissionEventsApi`), so every error answers
exactly as the API documents it.
"""

import asyncio
import contextlib
import functools
import io
import re

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import connection

from autograder.accounts.browser_session import (
    AsgiApp,
    Receive,
    Scope,
    Send,
    is_browser_get,
    scope_headers,
    session_user,
)
from autograder.grading.pipeline import events
from autograder.grading.pipeline.api import FINAL_STATUSES, _is_final, _read_and_release
from autograder.grading.pipeline.selectors import submission_status_snapshot
from autograder.submissions import selectors
from autograder.submissions.permissions import check_may_read_group

EVENTS_PATH = re.compile(r"^/api/submissions/(?P<id>[0-9]+)/events/$")
_FINAL = {status.value for status in FINAL_STATUSES}


def _browser_stream(scope: Scope) -> int | None:
    """The submission id when this is a browser's GET of a live status stream."""
    found = EVENTS_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
    if found is None or not is_browser_get(scope):
        return None
    return int(found["id"])


def _authorize(request: ASGIRequest, submission_id: int) -> tuple[bool, str | None]:
    """(whether the session's user is course staff, who see `error_detail`; what to do):
    "stream", "done" (resumed at the final state: 204) or None (Django's view answers)."""
    try:
        user = session_user(request)
        if user is None:
            return False, None
        submission = selectors.submission_get_for_check(submission_id=submission_id)
        roles = check_may_read_group(user, submission.group)
        last_event_id = request.headers.get("Last-Event-ID") or None
        if (last_event_id or "").split(".", 1)[0] in _FINAL:
            state = submission_status_snapshot(
                submission_id=submission_id, show_error_detail=roles.is_staff
            )
            if events.resumed_at_final(state, last_event_id, _is_final):
                return roles.is_staff, "done"
        return roles.is_staff, "stream"
    except Exception:  # any refusal or failure: Django's view answers it as documented
        return False, None
    finally:
        connection.close()  # back to the pool


async def _stream(
    scope: Scope, receive: Receive, send: Send, submission_id: int, is_staff: bool
) -> None:
    last_event_id = scope_headers(scope).get(b"last-event-id", b"").decode("latin-1") or None
    snapshot = functools.partial(
        submission_status_snapshot, submission_id=submission_id, show_error_detail=is_staff
    )
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/event-stream"),
                (b"cache-control", b"no-cache"),
                (b"x-accel-buffering", b"no"),
                (b"x-content-type-options", b"nosniff"),
            ],
        }
    )

    async def frames() -> None:
        async for frame in events.watch_submission(
            submission_id=submission_id,
            snapshot=_read_and_release(snapshot),
            is_final=_is_final,
            last_event_id=last_event_id,
        ):
            await send({"type": "http.response.body", "body": frame, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def disconnected() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    sending = asyncio.ensure_future(frames())
    listening = asyncio.ensure_future(disconnected())
    try:
        await asyncio.wait({sending, listening}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (sending, listening):
            task.cancel()
        for task in (sending, listening):
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await task
    if sending.done() and not sending.cancelled() and sending.exception() is not None:
        raise sending.exception()  # type: ignore[misc]  # checked just above


def with_browser_streams(django_app: AsgiApp) -> AsgiApp:
    """`django_app`, with browsers' live status streams served by `_stream`."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        submission_id = _browser_stream(scope)
        if submission_id is not None:
            request = ASGIRequest(scope, io.BytesIO())
            authorize = sync_to_async(_authorize, thread_sensitive=False)
            is_staff, outcome = await authorize(request, submission_id)
            if outcome == "stream":
                await _stream(scope, receive, send, submission_id, is_staff)
                return
            if outcome == "done":
                await send({"type": "http.response.start", "status": 204, "headers": []})
                await send({"type": "http.response.body", "body": b""})
                return
        await django_app(scope, receive, send)

    return app
