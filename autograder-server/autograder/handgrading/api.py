"""The handgrading API: thin views (parse, check who may, call one service, serialize).

Graders are staff and handgraders; handgraders never see test configuration here (the rubric
and the submission's files are all this API serves), and may comment or adjust points only
where the rubric lets them.
"""

import functools
from collections.abc import AsyncIterator, Iterator
from typing import Any

from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpResponseBase, StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.accounts.current_user import request_user
from autograder.accounts.models import User
from autograder.common import live_events
from autograder.common.api import EventStreamRenderer, validated
from autograder.common.errors import NotFoundError, PermissionDeniedError, field_error
from autograder.courses.models import Role
from autograder.courses.roles import course_roles
from autograder.grading.pipeline import events
from autograder.groups.models import Group
from autograder.groups.selectors import group_for_user, group_get
from autograder.handgrading import selectors, services
from autograder.handgrading.models import (
    Annotation,
    Criterion,
    HandgradingResult,
    HandgradingRubric,
    HandgradingStatus,
)
from autograder.handgrading.permissions import is_member, require_grader, require_grader_of
from autograder.handgrading.serializers import (
    AnnotationApplyInput,
    AnnotationInput,
    AnnotationOutput,
    AppliedAnnotationOutput,
    AssignInput,
    AssignOutput,
    CommentInput,
    CommentOutput,
    CommentUpdateInput,
    CriterionInput,
    CriterionOutput,
    CriterionResultOutput,
    CriterionSelectInput,
    HandgradingResultOutput,
    MyHandgradingOutput,
    ProgressOutput,
    ProgressQueryInput,
    ResultUpdateInput,
    RubricImportInput,
    RubricInput,
    RubricOrderInput,
    RubricOrderOutput,
    RubricOutput,
)
from autograder.handgrading.services import RubricItem
from autograder.projects.models import Project
from autograder.projects.permissions import require_project_staff
from autograder.projects.selectors import project_check_readable, project_get


def _rubric_of(project: Project) -> HandgradingRubric:
    rubric = selectors.rubric_for_project(project=project)
    if rubric is None:
        raise NotFoundError("This project has no handgrading rubric.")
    return rubric


def _rubric_body(rubric: HandgradingRubric) -> dict[str, Any]:
    return dict(RubricOutput(selectors.rubric_get(rubric_id=rubric.pk)).data)


def _result_body(result: HandgradingResult, *, for_student: bool = False) -> dict[str, Any]:
    fresh = selectors.result_get(result_id=result.pk)
    rubric = _rubric_of(fresh.group.project)
    view = selectors.result_view(result=fresh, rubric=rubric, for_student=for_student)
    return dict(HandgradingResultOutput(view).data)


# --- Rubric ---------------------------------------------------------------------------------


class ProjectRubricApi(APIView):
    @extend_schema(tags=["handgrading"], responses=RubricOutput)
    def get(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        require_grader(request.user, project)
        return Response(_rubric_body(_rubric_of(project)))

    @extend_schema(tags=["handgrading"], request=RubricInput, responses={201: RubricOutput})
    def post(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        require_project_staff(request.user, project)
        data = validated(RubricInput(data=request.data))
        rubric = services.rubric_create(project=project, **data)
        return Response(_rubric_body(rubric), status=status.HTTP_201_CREATED)

    @extend_schema(tags=["handgrading"], request=RubricInput, responses=RubricOutput)
    def patch(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        require_project_staff(request.user, project)
        data = validated(RubricInput(data=request.data))
        rubric = services.rubric_update(rubric=_rubric_of(project), **data)
        return Response(_rubric_body(rubric))

    @extend_schema(tags=["handgrading"], responses={204: None})
    def delete(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        require_project_staff(request.user, project)
        services.rubric_delete(rubric=_rubric_of(project))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RubricImportApi(APIView):
    @extend_schema(tags=["handgrading"], request=RubricImportInput, responses={201: RubricOutput})
    def post(self, request: Request, project_id: int) -> Response:
        """Replaces this project's rubric with a copy of another project's (staff of both)."""
        project = project_get(project_id=project_id)
        require_project_staff(request.user, project)
        data = validated(RubricImportInput(data=request.data))
        source = Project.objects.filter(pk=data["project"]).first()
        if source is None or not course_roles(request.user, source.course_id).is_staff:
            raise field_error("project", "No such project among the courses you are staff of.")
        rubric = services.copy_rubric(src_project=source, dst_project=project)
        return Response(_rubric_body(rubric), status=status.HTTP_201_CREATED)


class RubricCriteriaApi(APIView):
    @extend_schema(tags=["handgrading"], request=CriterionInput, responses={201: CriterionOutput})
    def post(self, request: Request, rubric_id: int) -> Response:
        rubric = selectors.rubric_get(rubric_id=rubric_id)
        require_project_staff(request.user, rubric.project)
        data = validated(CriterionInput(data=request.data))
        criterion = services.criterion_create(rubric=rubric, **data)
        return Response(CriterionOutput(criterion).data, status=status.HTTP_201_CREATED)


def _reorder(request: Request, rubric_id: int, model: type[RubricItem]) -> Response:
    rubric = selectors.rubric_get(rubric_id=rubric_id)
    require_project_staff(request.user, rubric.project)
    ids = validated(RubricOrderInput(data=request.data))["ids"]
    return Response({"ids": services.rubric_items_reorder(rubric=rubric, model=model, ids=ids)})


class CriterionOrderApi(APIView):
    @extend_schema(tags=["handgrading"], request=RubricOrderInput, responses=RubricOrderOutput)
    def put(self, request: Request, rubric_id: int) -> Response:
        """Reorders the rubric's criteria: `ids` lists each of them once, in the new order."""
        return _reorder(request, rubric_id, Criterion)


class AnnotationOrderApi(APIView):
    @extend_schema(tags=["handgrading"], request=RubricOrderInput, responses=RubricOrderOutput)
    def put(self, request: Request, rubric_id: int) -> Response:
        """Reorders the rubric's annotations: `ids` lists each of them once, in the new order."""
        return _reorder(request, rubric_id, Annotation)


class CriterionDetailApi(APIView):
    @extend_schema(tags=["handgrading"], request=CriterionInput, responses=CriterionOutput)
    def patch(self, request: Request, criterion_id: int) -> Response:
        criterion = selectors.criterion_get(criterion_id=criterion_id)
        require_project_staff(request.user, criterion.rubric.project)
        data = validated(CriterionInput(data=request.data, partial=True))
        criterion = services.criterion_update(criterion=criterion, **data)
        return Response(CriterionOutput(criterion).data)

    @extend_schema(tags=["handgrading"], responses={204: None})
    def delete(self, request: Request, criterion_id: int) -> Response:
        criterion = selectors.criterion_get(criterion_id=criterion_id)
        require_project_staff(request.user, criterion.rubric.project)
        services.criterion_delete(criterion=criterion)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RubricAnnotationsApi(APIView):
    @extend_schema(tags=["handgrading"], request=AnnotationInput, responses={201: AnnotationOutput})
    def post(self, request: Request, rubric_id: int) -> Response:
        rubric = selectors.rubric_get(rubric_id=rubric_id)
        require_project_staff(request.user, rubric.project)
        data = validated(AnnotationInput(data=request.data))
        annotation = services.annotation_create(rubric=rubric, **data)
        return Response(AnnotationOutput(annotation).data, status=status.HTTP_201_CREATED)


class AnnotationDetailApi(APIView):
    @extend_schema(tags=["handgrading"], request=AnnotationInput, responses=AnnotationOutput)
    def patch(self, request: Request, annotation_id: int) -> Response:
        annotation = selectors.annotation_get(annotation_id=annotation_id)
        require_project_staff(request.user, annotation.rubric.project)
        data = validated(AnnotationInput(data=request.data, partial=True))
        annotation = services.annotation_update(annotation=annotation, **data)
        return Response(AnnotationOutput(annotation).data)

    @extend_schema(tags=["handgrading"], responses={204: None})
    def delete(self, request: Request, annotation_id: int) -> Response:
        annotation = selectors.annotation_get(annotation_id=annotation_id)
        require_project_staff(request.user, annotation.rubric.project)
        services.annotation_delete(annotation=annotation)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Progress and assignments ----------------------------------------------------------------


class ProjectProgressApi(APIView):
    pagination_class = None

    @extend_schema(
        tags=["handgrading"],
        parameters=[
            OpenApiParameter(
                "status", str, enum=[s.value for s in HandgradingStatus], required=False
            ),
            OpenApiParameter("grader", str, required=False, description="Assigned username."),
        ],
        responses=ProgressOutput,
    )
    def get(self, request: Request, project_id: int) -> Response:
        """The rubric (null before there is one) and every group of the project with its
        handgrading status, grader and points."""
        project = project_get(project_id=project_id)
        require_grader(request.user, project)
        query = validated(ProgressQueryInput(data=request.query_params))
        rubric = selectors.rubric_for_project(project=project)
        rows = selectors.progress_rows(project=project, **query) if rubric else []
        body = {"rubric": selectors.rubric_get(rubric_id=rubric.pk) if rubric else None}
        return Response(ProgressOutput({**body, "groups": rows}).data)


class MyHandgradingApi(APIView):
    @extend_schema(tags=["handgrading"], responses=MyHandgradingOutput)
    def get(self, request: Request, project_id: int) -> Response:
        """The requester's group's handgrading once released (null before, or without a
        group): what the student's project page shows beside the automated score."""
        project = project_get(project_id=project_id)
        project_check_readable(user=request.user, project=project)
        group = group_for_user(project=project, user=request_user(request))
        rubric = selectors.rubric_for_project(project=project)
        result = HandgradingResult.objects.filter(group=group).first() if group else None
        if rubric is None or not rubric.released or result is None:
            return Response(MyHandgradingOutput({"result": None}).data)
        return Response({"result": _result_body(result, for_student=True)})


class ProjectAssignmentsApi(APIView):
    @extend_schema(tags=["handgrading"], request=AssignInput, responses=AssignOutput)
    def put(self, request: Request, project_id: int) -> Response:
        """Assigns a grader (a handgrader or staff of the course) to groups, or unassigns."""
        project = project_get(project_id=project_id)
        require_project_staff(request.user, project)
        data = validated(AssignInput(data=request.data))
        groups = list(Group.objects.filter(project=project, pk__in=data["groups"]))
        missing = sorted(set(data["groups"]) - {g.pk for g in groups})
        if missing:
            raise field_error("groups", f"No such groups in this project: {missing}.")
        grader = None
        if data["grader"] is not None:
            grader = User.objects.filter(
                username=data["grader"],
                course_memberships__course_id=project.course_id,
                course_memberships__role__in=[Role.HANDGRADER, Role.STAFF, Role.ADMIN],
            ).first()
            if grader is None:
                raise field_error("grader", "No handgrader or staff member with that username.")
        changed = services.assignments_set(project=project, groups=groups, grader=grader)
        return Response(AssignOutput({"changed": changed}).data)


# --- A group's result ------------------------------------------------------------------------


class GroupResultApi(APIView):
    @extend_schema(tags=["handgrading"], responses=HandgradingResultOutput)
    def get(self, request: Request, group_id: int) -> Response:
        """Graders: the group's result, started on first visit (moved to the group's final
        graded submission if that changed). Members: their result once released."""
        group = group_get(group_id=group_id)
        roles = project_check_readable(user=request.user, project=group.project)
        grader = roles.is_staff or roles.is_handgrader
        if is_member(request.user, group) and not roles.is_staff:
            return Response(_member_view(group))
        if not grader:
            raise PermissionDeniedError("You are not a member of this group.")
        require_grader_of(request.user, group)
        _rubric_of(group.project)
        result = services.result_for_group(group=group)
        if result is None:
            raise NotFoundError("This group has no final graded submission to handgrade.")
        return Response(_result_body(result))


def _member_view(group: Group) -> dict[str, Any]:
    rubric = selectors.rubric_for_project(project=group.project)
    result = HandgradingResult.objects.filter(group=group).first()
    if rubric is None or not rubric.released or result is None:
        raise NotFoundError("No handgrading has been released for your group.")
    return _result_body(result, for_student=True)


def _result_for_grader(request: Request, result_id: int) -> tuple[HandgradingResult, bool]:
    """The result, and whether the requester is staff (handgraders get fewer rights)."""
    result = selectors.result_get(result_id=result_id)
    roles = require_grader_of(request.user, result.group)
    return result, roles.is_staff


def _rubric_allows(result: HandgradingResult, is_staff: bool, what: str) -> None:
    if is_staff:
        return
    rubric = _rubric_of(result.group.project)
    if not getattr(rubric, what):
        raise PermissionDeniedError("The rubric does not let handgraders do that.")


class ResultDetailApi(APIView):
    @extend_schema(
        tags=["handgrading"], request=ResultUpdateInput, responses=HandgradingResultOutput
    )
    def patch(self, request: Request, result_id: int) -> Response:
        """Sets the points adjustment and/or "finished"; only the fields sent are written."""
        result, staff = _result_for_grader(request, result_id)
        data = validated(ResultUpdateInput(data=request.data))
        if "points_adjustment" in data:
            _rubric_allows(result, staff, "handgraders_can_adjust_points")
        services.result_update(result=result, **data)
        return Response(_result_body(result))


_CHANGED_EVENT = {
    "type": "object",
    "description": "One server-sent event (OpenAPI 3.0 describes each event of a stream).",
    "properties": {
        "event": {"type": "string", "enum": ["status"]},
        "data": {
            "type": "string",
            "description": 'JSON: {"id": the result, "version": grows with every change '
            "(null: the result is gone)}. Reload the result when the version differs.",
        },
    },
    "required": ["event", "data"],
}


def _result_gone(state: dict[str, Any]) -> bool:
    return state["version"] is None


class ResultEventsApi(APIView):
    """Server-sent events for the graders of one group: the result's version now and after
    every change another grader (or this one) commits, so an open handgrading page reloads
    promptly. The same machinery as a submission's live status (`grading.pipeline.events`:
    one Redis subscription per web process, `Last-Event-ID`, a keepalive and re-read every
    15 s); the page polls instead when the stream is refused or breaks."""

    renderer_classes = [JSONRenderer, EventStreamRenderer]

    @extend_schema(
        tags=["handgrading"],
        responses={(200, "text/event-stream"): _CHANGED_EVENT},
        summary="Watch a handgrading result for changes (server-sent events)",
    )
    def get(self, request: Request, result_id: int) -> HttpResponseBase:
        result, _ = _result_for_grader(request, result_id)
        read = functools.partial(selectors.result_live_state, result_id=result.pk)
        last_event_id = request.headers.get("Last-Event-ID") or None
        channel = live_events.handgrading_channel(result.pk)
        stream: Iterator[bytes] | AsyncIterator[bytes]
        if isinstance(request._request, ASGIRequest):
            if not connection.in_atomic_block:
                connection.close()  # a watcher borrows a connection only for each re-read
            stream = events.watch_channel(
                channel=channel,
                snapshot=events.snapshot_reader(read),
                is_final=_result_gone,
                last_event_id=last_event_id,
            )
        else:
            stream = events.watch_channel_blocking(
                channel=channel, snapshot=read, is_final=_result_gone, last_event_id=last_event_id
            )
        response = StreamingHttpResponse(stream, content_type="text/event-stream")
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"
        return response


class ResultCriterionApi(APIView):
    @extend_schema(
        tags=["handgrading"], request=CriterionSelectInput, responses=CriterionResultOutput
    )
    def put(self, request: Request, result_id: int, criterion_id: int) -> Response:
        """Ticks or unticks one criterion."""
        result, _ = _result_for_grader(request, result_id)
        criterion = selectors.criterion_get(criterion_id=criterion_id)
        data = validated(CriterionSelectInput(data=request.data))
        item = services.criterion_select(
            result=result, criterion=criterion, selected=data["selected"], by=request_user(request)
        )
        body = {
            "id": criterion.pk,
            "short_description": criterion.short_description,
            "long_description": criterion.long_description,
            "points": criterion.points,
            "selected": item.selected,
        }
        return Response(CriterionResultOutput(body).data)


class ResultAppliedAnnotationsApi(APIView):
    @extend_schema(
        tags=["handgrading"],
        request=AnnotationApplyInput,
        responses={201: AppliedAnnotationOutput},
    )
    def post(self, request: Request, result_id: int) -> Response:
        result, _ = _result_for_grader(request, result_id)
        data = validated(AnnotationApplyInput(data=request.data))
        annotation = selectors.annotation_get(annotation_id=data.pop("annotation"))
        applied = services.annotation_apply(
            result=result, annotation=annotation, by=request_user(request), **data
        )
        body = {
            "id": applied.pk,
            "annotation": annotation.pk,
            "filename": applied.filename,
            "first_line": applied.first_line,
            "last_line": applied.last_line,
            "created_by": request_user(request).username,
        }
        return Response(AppliedAnnotationOutput(body).data, status=status.HTTP_201_CREATED)


class AppliedAnnotationDetailApi(APIView):
    @extend_schema(tags=["handgrading"], responses={204: None})
    def delete(self, request: Request, applied_id: int) -> Response:
        applied = selectors.applied_annotation_get(applied_id=applied_id)
        require_grader_of(request.user, applied.result.group)
        services.applied_annotation_remove(applied=applied)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _comment_body(comment: Any) -> dict[str, Any]:
    author = comment.created_by.username if comment.created_by else None
    return {
        "id": comment.pk,
        "text": comment.text,
        "filename": comment.filename,
        "first_line": comment.first_line,
        "last_line": comment.last_line,
        "created_by": author,
    }


class ResultCommentsApi(APIView):
    @extend_schema(tags=["handgrading"], request=CommentInput, responses={201: CommentOutput})
    def post(self, request: Request, result_id: int) -> Response:
        result, staff = _result_for_grader(request, result_id)
        _rubric_allows(result, staff, "handgraders_can_leave_comments")
        data = validated(CommentInput(data=request.data))
        comment = services.comment_create(result=result, by=request_user(request), **data)
        return Response(CommentOutput(_comment_body(comment)).data, status=status.HTTP_201_CREATED)


class CommentDetailApi(APIView):
    @extend_schema(tags=["handgrading"], request=CommentUpdateInput, responses=CommentOutput)
    def patch(self, request: Request, comment_id: int) -> Response:
        comment = selectors.comment_get(comment_id=comment_id)
        roles = require_grader_of(request.user, comment.result.group)
        _rubric_allows(comment.result, roles.is_staff, "handgraders_can_leave_comments")
        data = validated(CommentUpdateInput(data=request.data))
        comment = services.comment_update(comment=comment, text=data["text"])
        return Response(CommentOutput(_comment_body(comment)).data)

    @extend_schema(tags=["handgrading"], responses={204: None})
    def delete(self, request: Request, comment_id: int) -> Response:
        comment = selectors.comment_get(comment_id=comment_id)
        roles = require_grader_of(request.user, comment.result.group)
        _rubric_allows(comment.result, roles.is_staff, "handgraders_can_leave_comments")
        services.comment_delete(comment=comment)
        return Response(status=status.HTTP_204_NO_CONTENT)
