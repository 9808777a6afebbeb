from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponseBase
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.accounts.current_user import request_user
from autograder.accounts.models import User
from autograder.common.downloads import stored_file_response
from autograder.common.errors import NotFoundError, PermissionDeniedError
from autograder.common.filenames import check_filename
from autograder.common.pagination import DefaultPagination
from autograder.courses.roles import CourseRoles
from autograder.grading.results.feedback import final_graded_shown_to_member
from autograder.grading.results.final_graded import (
    final_graded_submission,
    final_graded_submission_for_user,
)
from autograder.groups.models import Group
from autograder.groups.selectors import group_for_user, group_get, group_is_member
from autograder.projects.selectors import project_check_readable, project_get
from autograder.submissions import selectors, services
from autograder.submissions.models import Submission
from autograder.submissions.parsers import SubmissionMultiPartParser
from autograder.submissions.permissions import check_may_read_group
from autograder.submissions.serializers import (
    FileCheckInput,
    FileCheckOutput,
    SubmissionCreateInput,
    SubmissionLimitsOutput,
    SubmissionOutput,
    SubmittedFileOutput,
)


def _readable_submission(request: Request, submission_id: int) -> Submission:
    submission = selectors.submission_get(submission_id=submission_id)
    check_may_read_group(request.user, submission.group)
    return submission


def _final_graded_id(user: User | AnonymousUser, group: Group, roles: CourseRoles) -> int | None:
    """The submission marked final graded for this viewer: the group's for staff and
    handgraders; a member's own (as final graded feedback picks it) once that feedback is
    shown to them, else none."""
    if roles.is_staff or roles.is_handgrader:
        final = final_graded_submission(group=group)
    elif isinstance(user, User) and final_graded_shown_to_member(group=group, user=user):
        final = final_graded_submission_for_user(group=group, user=user)
    else:
        return None
    return final.pk if final is not None else None


_NEVER_FINAL_GRADED: dict[str, int | None] = {"final_graded_id": None}
"""Context for a submission that just arrived or left the queue: it hasn't finished grading,
so it can't be final graded."""


class GroupSubmissionsApi(APIView):
    pagination_class = DefaultPagination
    parser_classes = [SubmissionMultiPartParser]

    @extend_schema(tags=["submissions"], responses=SubmissionOutput(many=True))
    def get(self, request: Request, group_id: int) -> Response:
        group = group_get(group_id=group_id)
        roles = check_may_read_group(request.user, group)
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(
            selectors.submission_list_for_group(group=group), request, view=self
        )
        context = {
            "final_graded_id": _final_graded_id(request.user, group, roles),
            "show_error_detail": roles.is_staff,
        }
        return paginator.get_paginated_response(
            SubmissionOutput(page, many=True, context=context).data
        )

    @extend_schema(
        tags=["submissions"], request=SubmissionCreateInput, responses={201: SubmissionOutput}
    )
    def post(self, request: Request, group_id: int) -> Response:
        group = group_get(group_id=group_id)
        check_may_read_group(request.user, group)
        if not group_is_member(group=group, user=request_user(request)):
            raise PermissionDeniedError("Only members of this group may submit for it.")
        data = SubmissionCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        submission = services.submission_create(
            group=group,
            submitter=request_user(request),
            files=data.validated_data.get("files", []),
            honor_pledge_accepted=data.validated_data["honor_pledge_accepted"],
        )
        fresh = selectors.submission_get(submission_id=submission.pk)
        body = SubmissionOutput(fresh, context=_NEVER_FINAL_GRADED).data
        return Response(body, status=status.HTTP_201_CREATED)


class SubmissionDetailApi(APIView):
    @extend_schema(responses=SubmissionOutput)
    def get(self, request: Request, submission_id: int) -> Response:
        submission = selectors.submission_get(submission_id=submission_id)
        roles = check_may_read_group(request.user, submission.group)
        context = {
            "final_graded_id": _final_graded_id(request.user, submission.group, roles),
            "show_error_detail": roles.is_staff,
        }
        return Response(SubmissionOutput(submission, context=context).data)


class SubmissionRemoveFromQueueApi(APIView):
    @extend_schema(request=None, responses=SubmissionOutput)
    def post(self, request: Request, submission_id: int) -> Response:
        submission = _readable_submission(request, submission_id)
        roles = check_may_read_group(request.user, submission.group)
        if not (
            roles.is_staff or group_is_member(group=submission.group, user=request_user(request))
        ):
            raise PermissionDeniedError(
                "Only group members and staff may remove a submission from the queue."
            )
        services.submission_remove_from_queue(submission=submission)
        fresh = selectors.submission_get(submission_id=submission.pk)
        return Response(SubmissionOutput(fresh, context=_NEVER_FINAL_GRADED).data)


class SubmissionFilesApi(APIView):
    @extend_schema(responses=SubmittedFileOutput(many=True))
    def get(self, request: Request, submission_id: int) -> Response:
        submission = _readable_submission(request, submission_id)
        files: list[Any] = selectors.submission_file_list(submission=submission)
        return Response(SubmittedFileOutput(files, many=True).data)


class SubmissionFileContentApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("name", str, required=True, description="The file's name.")],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, submission_id: int) -> HttpResponseBase:
        submission = _readable_submission(request, submission_id)
        name = check_filename(request.query_params.get("name", ""), field="name")
        if name not in submission.submitted_filenames:
            raise NotFoundError(f"This submission has no file named {name!r}.")
        path = selectors.submission_file_path(submission=submission, name=name)
        return stored_file_response(path=path, filename=name)


# --- Before an upload: the project page asks, the upload then does the same -----------------


class MyLimitsApi(APIView):
    @extend_schema(tags=["submissions"], responses=SubmissionLimitsOutput)
    def get(self, request: Request, project_id: int) -> Response:
        """What the requesting user may still submit for this project now, with their group:
        submissions used and left today and in total, the next daily reset, bonus submissions,
        the deadline that applies, late days (theirs and their partners'), and whether an
        upload now would be refused, late or use a late day. The upload decides with the same
        code, so this is what it will do (until something changes)."""
        project = project_get(project_id=project_id)
        project_check_readable(user=request.user, project=project)
        plan = selectors.submission_limits(
            user=request_user(request), project=project, now=timezone.now()
        )
        return Response(SubmissionLimitsOutput(plan).data)


class FileCheckApi(APIView):
    @extend_schema(tags=["submissions"], request=FileCheckInput, responses=FileCheckOutput)
    def post(self, request: Request, project_id: int) -> Response:
        """A dry run of an upload's files (names, and sizes if given): which the expected
        patterns keep, which they leave out, which patterns still miss files, and every name or
        rule the upload would refuse. Stores and charges nothing."""
        project = project_get(project_id=project_id)
        project_check_readable(user=request.user, project=project)
        data = FileCheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        chosen = [
            selectors.ChosenFile(name=item["name"], size=item.get("size"))
            for item in data.validated_data["files"]
        ]
        check = selectors.file_check(project=project, files=chosen)
        return Response(FileCheckOutput(check).data)


class MySubmissionsApi(APIView):
    pagination_class = DefaultPagination

    @extend_schema(tags=["submissions"], responses=SubmissionOutput(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        """The requesting user's group's submissions for this project, newest first (an empty
        list without a group), so the project page needn't wait for the group first."""
        project = project_get(project_id=project_id)
        roles = project_check_readable(user=request.user, project=project)
        group = group_for_user(project=project, user=request_user(request))
        paginator = DefaultPagination()
        if group is None:
            paginator.paginate_queryset(Submission.objects.none(), request, view=self)
            return paginator.get_paginated_response([])
        group.project = project
        page = paginator.paginate_queryset(
            selectors.submission_list_for_group(group=group), request, view=self
        )
        context = {
            "final_graded_id": _final_graded_id(request.user, group, roles),
            "show_error_detail": roles.is_staff,
        }
        return paginator.get_paginated_response(
            SubmissionOutput(page, many=True, context=context).data
        )
