"""Bulk downloads: course staff start them, watch their progress and fetch the file."""

from django.http import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.accounts.current_user import request_user
from autograder.common.api import validated
from autograder.common.downloads import stored_file_response
from autograder.common.errors import NotFoundError
from autograder.common.pagination import DefaultPagination
from autograder.exports import selectors, services
from autograder.exports.models import ExportState
from autograder.exports.serializers import ExportCreateInput, ExportOutput
from autograder.projects.permissions import require_project_staff
from autograder.projects.selectors import project_get


class ProjectExportsApi(APIView):
    pagination_class = DefaultPagination

    @extend_schema(tags=["exports"], responses=ExportOutput(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        require_project_staff(request.user, project)
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(
            selectors.exports_of_project(project=project), request, view=self
        )
        return paginator.get_paginated_response(ExportOutput(page, many=True).data)

    @extend_schema(tags=["exports"], request=ExportCreateInput, responses={201: ExportOutput})
    def post(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        require_project_staff(request.user, project)
        fields = validated(ExportCreateInput(data=request.data))
        task = services.export_create(project=project, creator=request_user(request), **fields)
        return Response(ExportOutput(task).data, status=status.HTTP_201_CREATED)


class ExportDetailApi(APIView):
    @extend_schema(tags=["exports"], responses=ExportOutput)
    def get(self, request: Request, export_id: int) -> Response:
        task = selectors.export_get(export_id=export_id)
        require_project_staff(request.user, task.project)
        return Response(ExportOutput(task).data)

    @extend_schema(tags=["exports"], responses={204: None})
    def delete(self, request: Request, export_id: int) -> Response:
        """Deletes the download (its file too), or cancels it while it waits or is built."""
        task = selectors.export_get(export_id=export_id)
        require_project_staff(request.user, task.project)
        services.export_delete(task=task)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExportFileApi(APIView):
    @extend_schema(
        tags=["exports"],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, export_id: int) -> HttpResponseBase:
        task = selectors.export_get(export_id=export_id)
        require_project_staff(request.user, task.project)
        if task.state != ExportState.DONE:
            raise NotFoundError("This download is not ready (it is still being built, or failed).")
        return stored_file_response(path=task.file_path, filename=services.download_filename(task))
