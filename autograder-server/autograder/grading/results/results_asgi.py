"""A browser's read of a submission's results, served straight from ASGI.

Students open and reload their results page most at a deadline, and graded results are cached
as rendered JSON (`results_json`). Through Django's handler such a read still costs the
middleware chain, DRF's dispatch (authentication, content negotiation, rendering) and a hop to
a request thread, several times the cost of the read itself. Here it is one call on the event
loop's shared thread pool: the session's user, the permission check
(`feedback_category_for`, on every request, as the view does), the cached bytes; the
connection it took goes back to the pool at once.

Only the success path of a browser's plain JSON read is served here: a session cookie and no
API token, no query but a valid `feedback_category`, an `Accept` that makes DRF choose JSON
without options. Anything else (a refusal, a missing submission, a bad query, the browsable
API) goes to Django's handling of the same URL (`api.SubmissionResultsApi`), so it answers
exactly as the API documents it. The answer carries the headers Django's answer does: the
security middleware's own `process_response` adds them (tests compare the two).
"""

import io
import re
import urllib.parse
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.security import SecurityMiddleware
from django.utils.cache import patch_vary_headers

from autograder.accounts.browser_session import (
    AsgiApp,
    Receive,
    Scope,
    Send,
    is_browser_get,
    scope_headers,
    session_user,
)
from autograder.grading.results import feedback
from autograder.grading.results.results_json import results_json
from autograder.submissions.selectors import submission_get_for_check

RESULTS_PATH = re.compile(r"^/api/submissions/(?P<id>[0-9]+)/results/$")
JSON_ACCEPTS = {b"", b"*/*", b"application/json"}
"""`Accept` values for which DRF renders plain JSON (its first renderer, no indent)."""
_CATEGORIES = {category.value for category in feedback.REQUESTABLE_CATEGORIES}


def _unused(request: HttpRequest) -> HttpResponseBase:
    raise AssertionError("only process_response is called")


_RESPONSE_MIDDLEWARE: list[SecurityMiddleware | CommonMiddleware | XFrameOptionsMiddleware] = [
    SecurityMiddleware(_unused),
    CommonMiddleware(_unused),
    XFrameOptionsMiddleware(_unused),
]
"""The middleware (in `settings.MIDDLEWARE`) that adds headers to a 200 JSON answer."""


def _browser_results_read(scope: Scope) -> tuple[int, str | None] | None:
    """(submission id, requested category) when this is a read the fast path serves."""
    found = RESULTS_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
    if found is None or not is_browser_get(scope):
        return None
    if scope_headers(scope).get(b"accept", b"").strip() not in JSON_ACCEPTS:
        return None
    query = urllib.parse.parse_qs(
        scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True
    )
    if not query:
        return int(found["id"]), None
    if list(query) != ["feedback_category"] or len(query["feedback_category"]) != 1:
        return None
    (requested,) = query["feedback_category"]
    return (int(found["id"]), requested) if requested in _CATEGORIES else None


def _answer(request: ASGIRequest, submission_id: int, requested: str | None) -> HttpResponse | None:
    """The answer Django's view would give, or None where Django's view must answer."""
    try:
        user = session_user(request)
        if user is None:
            return None
        submission = submission_get_for_check(submission_id=submission_id)
        category = feedback.feedback_category_for(
            user=user, submission=submission, requested=requested
        )
        body = results_json(submission=submission, category=category)
    except Exception:  # any refusal or failure: Django's view answers it as documented
        return None
    finally:
        connection.close()  # back to the pool
    response = HttpResponse(body, content_type="application/json")
    response["Allow"] = "GET, HEAD, OPTIONS"  # as DRF's APIView adds them
    patch_vary_headers(response, ("Accept", "Cookie"))  # DRF's, then the session's
    for middleware in _RESPONSE_MIDDLEWARE:
        middleware.process_response(request, response)
    return response


async def _send(response: HttpResponse, send: Send) -> None:
    headers: list[tuple[bytes, bytes]] = [
        (name.encode("ascii"), value.encode("latin-1")) for name, value in response.items()
    ]
    start: dict[str, Any] = {
        "type": "http.response.start",
        "status": response.status_code,
        "headers": headers,
    }
    await send(start)
    await send({"type": "http.response.body", "body": response.content})


def with_cached_results(django_app: AsgiApp) -> AsgiApp:
    """`django_app`, with browsers' reads of results served by `_answer`."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        read = _browser_results_read(scope)
        if read is not None:
            request = ASGIRequest(scope, io.BytesIO())
            answer = sync_to_async(_answer, thread_sensitive=False)
            response = await answer(request, *read)
            if response is not None:
                await _send(response, send)
                return
        await django_app(scope, receive, send)

    return app
