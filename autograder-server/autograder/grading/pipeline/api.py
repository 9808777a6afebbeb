"""Where a submission stands in the pipeline: a status snapshot and a live event stream."""

import functools
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.common.api import EventStreamRenderer
from autograder.grading.pipeline import events
from autograder.grading.pipeline.selectors import submission_status_snapshot
from autograder.grading.pipeline.serializers import SubmissionStatusOutput
from autograder.submissions import selectors
from autograder.submissions.models import Submission, SubmissionStatus
from autograder.submissions.permissions import check_may_read_group

FINAL_STATUSES = {
    SubmissionStatus.FINISHED_GRADING,
    SubmissionStatus.REMOVED_FROM_QUEUE,
    SubmissionStatus.REJECTED,
    SubmissionStatus.ERROR,
}


def _is_final(state: dict[str, Any]) -> bool:
    return state["status"] in FINAL_STATUSES


def _readable(request: Request, submission_id: int) -> tuple[Submission, bool]:
    """The submission, and whether the viewer is course staff (sees `error_detail`)."""
    submission = selectors.submission_get(submission_id=submission_id)
    roles = check_may_read_group(request.user, submission.group)
    return submission, roles.is_staff


class SubmissionStatusApi(APIView):
    @extend_schema(responses=SubmissionStatusOutput, summary="Where the submission stands now")
    def get(self, request: Request, submission_id: int) -> Response:
        submission, is_staff = _readable(request, submission_id)
        return Response(
            submission_status_snapshot(submission_id=submission.pk, show_error_detail=is_staff)
        )


_STATUS_EVENT = {
    "type": "object",
    "description": "One server-sent event (OpenAPI 3.0 describes each event of a stream).",
    "properties": {
        "event": {"type": "string", "enum": ["status"]},
        "data": {
            "type": "string",
            "description": "A SubmissionStatusOutput as JSON (what `status/` returns).",
        },
    },
    "required": ["event", "data"],
}


class SubmissionEventsApi(APIView):
    """Server-sent events: the status snapshot now and after every change, until the
    submission reaches a final status. Served by an ASGI server, an idle watcher costs one
    Redis subscription and no database connection."""

    renderer_classes = [JSONRenderer, EventStreamRenderer]

    @extend_schema(
        responses={
            (200, "text/event-stream"): _STATUS_EVENT,
            204: OpenApiResponse(description="Resumed (Last-Event-ID) at the final state."),
        },
        summary="Watch the submission's status live (server-sent events)",
    )
    def get(self, request: Request, submission_id: int) -> HttpResponseBase:
        submission, is_staff = _readable(request, submission_id)
        snapshot = functools.partial(
            submission_status_snapshot, submission_id=submission.pk, show_error_detail=is_staff
        )
        last_event_id = request.headers.get("Last-Event-ID") or None
        resumed_status = (last_event_id or "").split(".", 1)[0]
        resumes_final = resumed_status in {status.value for status in FINAL_STATUSES}
        if resumes_final and events.resumed_at_final(snapshot(), last_event_id, _is_final):
            return HttpResponse(status=204)  # the client has the final state: stop
        stream: Iterator[bytes] | AsyncIterator[bytes]
        if isinstance(request._request, ASGIRequest):
            # Give the request's connection back now (to the pool, under ASGI): a watcher
            # waits on Redis, and borrows a connection only for each re-read.
            _release_connection()
            stream = events.watch_submission(
                submission_id=submission.pk,
                snapshot=_read_and_release(snapshot),
                is_final=_is_final,
                last_event_id=last_event_id,
            )
        else:
            stream = events.watch_submission_blocking(
                submission_id=submission.pk,
                snapshot=snapshot,
                is_final=_is_final,
                last_event_id=last_event_id,
            )
        response = StreamingHttpResponse(stream, content_type="text/event-stream")
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"
        return response


def _release_connection() -> None:
    """Closes this thread's database connection (a pooled one goes back to the pool), unless
    a transaction is open on it (a test's)."""
    if not connection.in_atomic_block:
        connection.close()


def _read_and_release(read: Callable[[], dict[str, Any]]) -> events.Snapshot:
    """`read` as a coroutine on a connection given back after each read (`events`)."""
    return events.snapshot_reader(read)
