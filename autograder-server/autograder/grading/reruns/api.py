"""Reruns: course admins start and cancel them, staff watch their progress."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.accounts.models import User
from autograder.common.pagination import DefaultPagination
from autograder.grading.pipeline.models import RerunTask
from autograder.grading.reruns import services as reruns
from autograder.grading.reruns.serializers import (
    RerunCreatedOutput,
    RerunCreateInput,
    RerunOutput,
)
from autograder.projects.permissions import require_project_admin, require_project_staff
from autograder.projects.selectors import project_get


def _body(task: RerunTask) -> dict[str, Any]:
    return dict(RerunOutput(reruns.rerun_status(task=task)).data)


class ProjectRerunsApi(APIView):
    pagination_class = DefaultPagination

    @extend_schema(responses=RerunOutput(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        require_project_staff(request.user, project)
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(
            reruns.reruns_of_project(project=project), request, view=self
        )
        statuses = reruns.rerun_statuses(tasks=list(page or []))
        return paginator.get_paginated_response(RerunOutput(statuses, many=True).data)

    @extend_schema(request=RerunCreateInput, responses={201: RerunCreatedOutput})
    def post(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        require_project_admin(request.user, project)
        data = RerunCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        assert isinstance(request.user, User)
        created = reruns.rerun_create(
            project=project,
            creator=request.user,
            selection=fields["selection"],
            submission_ids=fields.get("submission_ids"),
            suite_selection=fields.get("suite_selection"),
            image_choice=fields["image_choice"],
        )
        current = reruns.rerun_status(task=created.task)
        body = RerunCreatedOutput(
            {"task": current.task, "progress": current.progress, "skipped": created.skipped}
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


class RerunDetailApi(APIView):
    @extend_schema(responses=RerunOutput)
    def get(self, request: Request, rerun_id: int) -> Response:
        task = reruns.rerun_get(rerun_id=rerun_id)
        require_project_staff(request.user, task.project)
        return Response(_body(task))


class RerunCancelApi(APIView):
    @extend_schema(request=None, responses=RerunOutput)
    def post(self, request: Request, rerun_id: int) -> Response:
        task = reruns.rerun_get(rerun_id=rerun_id)
        require_project_admin(request.user, task.project)
        return Response(_body(reruns.rerun_cancel(task=task)))
