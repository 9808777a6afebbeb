"""Results, output, diffs and the gradebook. Every view that shows results asks
`feedback.feedback_category_for` first."""

import json
from typing import Any, ClassVar

from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.accounts.models import User
from autograder.common import versioned_cache
from autograder.common.errors import NotFoundError, PermissionDeniedError
from autograder.common.pagination import DefaultPagination
from autograder.courses.permissions import require_staff
from autograder.grading.config.feedback_settings import FeedbackCategory
from autograder.grading.config.scoring import DiffOptions
from autograder.grading.results import diffs, feedback, gradebook, statistics
from autograder.grading.results import selectors as results_selectors
from autograder.grading.results.output_storage import output_read
from autograder.grading.results.results_json import results_json
from autograder.grading.results.scores import submission_scores
from autograder.grading.results.serializers import (
    DIFF_SCHEMA,
    MAX_MAX_BYTES,
    GradebookRowOutput,
    OutputQueryInput,
    ProjectStatisticsOutput,
    ResultsQueryInput,
    SubmissionFeedbackSerializer,
    SubmissionScoreSerializer,
)
from autograder.groups.selectors import group_get, group_is_member
from autograder.projects.selectors import project_check_readable, project_get_readable
from autograder.submissions.models import Submission
from autograder.submissions.selectors import submission_get_for_check

TRUNCATED_HEADER = "X-Output-Truncated"
SIZE_HEADER = "X-Output-Size"

_CATEGORY_PARAM = OpenApiParameter(
    "feedback_category",
    str,
    enum=[c.value for c in feedback.REQUESTABLE_CATEGORIES],
    description="Default: the most the requester may see.",
)
_MAX_BYTES_PARAM = OpenApiParameter(
    "max_bytes",
    {"type": "integer", "minimum": 1, "maximum": MAX_MAX_BYTES},
    description="Return at most this many bytes (default 1 MiB).",
)


def _parse(serializer_class: type[ResultsQueryInput], request: Request) -> dict[str, Any]:
    data = serializer_class(data=request.query_params)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _category(request: Request, submission: Submission, params: dict[str, Any]) -> FeedbackCategory:
    return feedback.feedback_category_for(
        user=request.user, submission=submission, requested=params.get("feedback_category")
    )


def _read(result: Any, stream: Any, max_bytes: int) -> tuple[bytes, bool]:
    try:
        data = output_read(result, stream, max_bytes=max_bytes + 1)
    except FileNotFoundError as exc:
        raise NotFoundError("This output is missing from storage.") from exc
    return data[:max_bytes], len(data) > max_bytes


def _text_response(data: bytes, *, truncated: bool, size: int) -> HttpResponse:
    response = HttpResponse(data, content_type="text/plain; charset=utf-8")
    response[TRUNCATED_HEADER] = "true" if truncated else "false"
    response[SIZE_HEADER] = str(size)
    return response


class SubmissionResultsApi(APIView):
    @extend_schema(
        tags=["results"], parameters=[_CATEGORY_PARAM], responses=SubmissionFeedbackSerializer
    )
    def get(self, request: Request, submission_id: int) -> Response:
        params = _parse(ResultsQueryInput, request)
        submission = submission_get_for_check(submission_id=submission_id)
        category = _category(request, submission, params)  # checked on every request
        return Response(json.loads(results_json(submission=submission, category=category)))


class GroupScoresApi(APIView):
    @extend_schema(tags=["results"], responses=SubmissionScoreSerializer(many=True))
    def get(self, request: Request, group_id: int) -> Response:
        """The group's graded submissions, newest first, each with its total as the requester
        sees it on the results page (the category they get by default)."""
        group = group_get(group_id=group_id)
        roles = project_check_readable(user=request.user, project=group.project)
        user = request.user
        member = isinstance(user, User) and group_is_member(group=group, user=user)
        if not (roles.is_staff or roles.is_handgrader or member):
            raise PermissionDeniedError("You are not a member of this group.")
        scores = submission_scores(user=user, group=group)
        return Response(SubmissionScoreSerializer(scores, many=True).data)


_TEXT_RESPONSE: dict[Any, Any] = {(200, "text/plain"): OpenApiTypes.STR}


class CommandOutputApi(APIView):
    stream: ClassVar[feedback.CommandStream] = "stdout"

    @extend_schema(
        tags=["results"], parameters=[_CATEGORY_PARAM, _MAX_BYTES_PARAM], responses=_TEXT_RESPONSE
    )
    def get(self, request: Request, command_result_id: int) -> HttpResponse:
        params = _parse(OutputQueryInput, request)
        result = results_selectors.command_result_get(command_result_id=command_result_id)
        category = _category(request, result.case_result.suite_result.submission, params)
        feedback.command_stream_check(command_result=result, category=category, stream=self.stream)
        data, truncated = _read(result, self.stream, params["max_bytes"])
        return _text_response(
            data, truncated=truncated, size=getattr(result, f"{self.stream}_size")
        )


_DIFF_STREAMS: dict[diffs.Stream, feedback.CommandStream] = {
    "stdout": "stdout_diff",
    "stderr": "stderr_diff",
}


class CommandDiffApi(APIView):
    stream: ClassVar[diffs.Stream] = "stdout"

    @extend_schema(
        tags=["results"],
        parameters=[_CATEGORY_PARAM, _MAX_BYTES_PARAM],
        responses={200: DIFF_SCHEMA},
    )
    def get(self, request: Request, command_result_id: int) -> Response:
        params = _parse(OutputQueryInput, request)
        result = results_selectors.command_result_get(command_result_id=command_result_id)
        category = _category(request, result.case_result.suite_result.submission, params)
        feedback.command_stream_check(
            command_result=result, category=category, stream=_DIFF_STREAMS[self.stream]
        )
        if result.command is None:
            raise NotFoundError("This command no longer exists.")
        max_bytes = params["max_bytes"]
        expected = diffs.expected_output(
            command=result.command, stream=self.stream, max_bytes=max_bytes + 1
        )
        if expected is None:
            raise NotFoundError("The expected output of this command is no longer available.")
        actual, actual_cut = _read(result, self.stream, max_bytes)
        lines = diffs.output_diff(
            expected=expected[:max_bytes], actual=actual, options=DiffOptions.of(result.command)
        )
        response = Response([list(line) for line in lines])
        response[TRUNCATED_HEADER] = "true" if actual_cut or len(expected) > max_bytes else "false"
        return response


class SuiteSetupOutputApi(APIView):
    stream: ClassVar[feedback.SetupStream] = "setup_stdout"

    @extend_schema(
        tags=["results"], parameters=[_CATEGORY_PARAM, _MAX_BYTES_PARAM], responses=_TEXT_RESPONSE
    )
    def get(self, request: Request, suite_result_id: int) -> HttpResponse:
        params = _parse(OutputQueryInput, request)
        result = results_selectors.suite_result_get(suite_result_id=suite_result_id)
        category = _category(request, result.submission, params)
        feedback.suite_stream_check(suite_result=result, category=category, stream=self.stream)
        data, truncated = _read(result, self.stream, params["max_bytes"])
        return _text_response(
            data, truncated=truncated, size=getattr(result, f"{self.stream}_size")
        )


class ProjectGradebookApi(APIView):
    pagination_class = DefaultPagination

    @extend_schema(tags=["results"], responses=GradebookRowOutput(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        project, _ = project_get_readable(user=request.user, project_id=project_id)
        require_staff(request.user, project.course_id)

        def page() -> dict[str, Any]:
            paginator = DefaultPagination()
            all_entries = gradebook.gradebook_entries(project=project)
            # DRF pages any sequence; its stubs only name querysets.
            entries: list[gradebook.GradebookEntry] | None = paginator.paginate_queryset(
                all_entries,  # type: ignore[arg-type]
                request,
                view=self,
            )
            rows = gradebook.gradebook_page_rows(project=project, entries=list(entries or []))
            response = paginator.get_paginated_response(GradebookRowOutput(rows, many=True).data)
            return dict(response.data)

        # The page URL (number, size, host of its links) is part of the key; staff only (above).
        # Students without a group are rows too: the roster's version is part of the key.
        roster = gradebook.roster_version(project=project)
        return Response(
            versioned_cache.cached(
                f"gradebook:{project.pk}:{roster}:{request.build_absolute_uri()}",
                [versioned_cache.CONFIG, versioned_cache.project_scope(project.pk)],
                page,
            )
        )


class ProjectGradebookCsvApi(APIView):
    @extend_schema(
        tags=["results"],
        operation_id="projects_gradebook_csv",
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request: Request, project_id: int) -> StreamingHttpResponse:
        project, _ = project_get_readable(user=request.user, project_id=project_id)
        require_staff(request.user, project.course_id)
        rows = gradebook.gradebook_csv_rows(project=project)
        response = StreamingHttpResponse(
            gradebook.csv_lines(rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="gradebook-{project.pk}.csv"'
        return response


class ProjectStatisticsApi(APIView):
    @extend_schema(tags=["results"], responses=ProjectStatisticsOutput)
    def get(self, request: Request, project_id: int) -> Response:
        project, _ = project_get_readable(user=request.user, project_id=project_id)
        require_staff(request.user, project.course_id)
        found = statistics.project_statistics(project=project)
        return Response(ProjectStatisticsOutput(found).data)
