from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.common.api import validated
from autograder.common.downloads import stored_file_response
from autograder.common.pagination import DefaultPagination
from autograder.common.parsers import DepthLimitedJSONParser
from autograder.common.uploads import StrictNamesMultiPartParser
from autograder.courses.models import Course
from autograder.courses.permissions import require_admin, require_staff
from autograder.courses.selectors import course_get
from autograder.projects import selectors, services
from autograder.projects.models import InstructorFile
from autograder.projects.serializers import (
    ExpectedFileInput,
    ExpectedFileOutput,
    InstructorFileOutput,
    InstructorFileRenameInput,
    InstructorFileUploadInput,
    ProjectCopyInput,
    ProjectInput,
    ProjectOutput,
)


def _paginated(
    view: APIView,
    request: Request,
    queryset: QuerySet[Any],
    output: type[serializers.ModelSerializer[Any]],
) -> Response:
    paginator = DefaultPagination()  # also set as the view's pagination_class, for the schema
    page: list[Model] = paginator.paginate_queryset(queryset, request, view=view) or []
    return paginator.get_paginated_response(output(page, many=True).data)


def _readable_instructor_file(request: Request, instructor_file_id: int) -> InstructorFile:
    """Staff only; a student asking under a hidden project still gets 404, not 403."""
    instructor_file = selectors.instructor_file_get(instructor_file_id=instructor_file_id)
    selectors.project_check_readable(user=request.user, project=instructor_file.project)
    require_staff(request.user, instructor_file.project.course_id)
    return instructor_file


# --- Projects -------------------------------------------------------------------------------


class CourseProjectsApi(APIView):
    pagination_class = DefaultPagination

    @extend_schema(responses=ProjectOutput(many=True))
    def get(self, request: Request, course_id: int) -> Response:
        course = course_get(course_id=course_id)
        projects = selectors.project_list_for_user(user=request.user, course=course)
        return _paginated(self, request, projects, ProjectOutput)

    @extend_schema(request=ProjectInput, responses={201: ProjectOutput})
    def post(self, request: Request, course_id: int) -> Response:
        course = course_get(course_id=course_id)
        require_admin(request.user, course)
        data = validated(ProjectInput(data=request.data))
        project = services.project_create(course=course, **data)
        return Response(ProjectOutput(project).data, status=status.HTTP_201_CREATED)


class ProjectDetailApi(APIView):
    @extend_schema(responses=ProjectOutput)
    def get(self, request: Request, project_id: int) -> Response:
        project, _ = selectors.project_get_readable(user=request.user, project_id=project_id)
        return Response(ProjectOutput(project).data)

    @extend_schema(request=ProjectInput, responses=ProjectOutput)
    def patch(self, request: Request, project_id: int) -> Response:
        project, _ = selectors.project_get_readable(user=request.user, project_id=project_id)
        require_admin(request.user, project.course_id)
        data = validated(ProjectInput(data=request.data, partial=True))
        project = services.project_update(project=project, **data)
        return Response(ProjectOutput(project).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, project_id: int) -> Response:
        project, _ = selectors.project_get_readable(user=request.user, project_id=project_id)
        require_admin(request.user, project.course_id)
        services.project_delete(project=project)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectCopyApi(APIView):
    @extend_schema(request=ProjectCopyInput, responses={201: ProjectOutput})
    def post(self, request: Request, project_id: int) -> Response:
        project, _ = selectors.project_get_readable(user=request.user, project_id=project_id)
        require_admin(request.user, project.course_id)
        data = validated(ProjectCopyInput(data=request.data))
        target: Course = data["target_course"]
        require_admin(request.user, target)
        copy = services.project_copy(
            project=project, target_course=target, new_name=data.get("name")
        )
        return Response(ProjectOutput(copy).data, status=status.HTTP_201_CREATED)


# --- Expected student files -----------------------------------------------------------------


class ProjectExpectedFilesApi(APIView):
    pagination_class = DefaultPagination

    @extend_schema(responses=ExpectedFileOutput(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        project, _ = selectors.project_get_readable(user=request.user, project_id=project_id)
        return _paginated(
            self, request, selectors.expected_file_list(project=project), ExpectedFileOutput
        )

    @extend_schema(request=ExpectedFileInput, responses={201: ExpectedFileOutput})
    def post(self, request: Request, project_id: int) -> Response:
        project, _ = selectors.project_get_readable(user=request.user, project_id=project_id)
        require_admin(request.user, project.course_id)
        data = validated(ExpectedFileInput(data=request.data))
        expected = services.expected_file_create(project=project, **data)
        return Response(ExpectedFileOutput(expected).data, status=status.HTTP_201_CREATED)


class ExpectedFileDetailApi(APIView):
    @extend_schema(responses=ExpectedFileOutput)
    def get(self, request: Request, expected_file_id: int) -> Response:
        expected = selectors.expected_file_get(expected_file_id=expected_file_id)
        selectors.project_check_readable(user=request.user, project=expected.project)
        return Response(ExpectedFileOutput(expected).data)

    @extend_schema(request=ExpectedFileInput, responses=ExpectedFileOutput)
    def patch(self, request: Request, expected_file_id: int) -> Response:
        expected = selectors.expected_file_get(expected_file_id=expected_file_id)
        selectors.project_check_readable(user=request.user, project=expected.project)
        require_admin(request.user, expected.project.course_id)
        data = validated(ExpectedFileInput(data=request.data, partial=True))
        expected = services.expected_file_update(expected_file=expected, **data)
        return Response(ExpectedFileOutput(expected).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, expected_file_id: int) -> Response:
        expected = selectors.expected_file_get(expected_file_id=expected_file_id)
        selectors.project_check_readable(user=request.user, project=expected.project)
        require_admin(request.user, expected.project.course_id)
        services.expected_file_delete(expected_file=expected)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Instructor files -----------------------------------------------------------------------


class ProjectInstructorFilesApi(APIView):
    pagination_class = DefaultPagination
    parser_classes = [StrictNamesMultiPartParser, FormParser]

    @extend_schema(responses=InstructorFileOutput(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        project, _ = selectors.project_get_readable(user=request.user, project_id=project_id)
        require_staff(request.user, project.course_id)
        return _paginated(
            self, request, selectors.instructor_file_list(project=project), InstructorFileOutput
        )

    @extend_schema(request=InstructorFileUploadInput, responses={201: InstructorFileOutput})
    def post(self, request: Request, project_id: int) -> Response:
        project, _ = selectors.project_get_readable(user=request.user, project_id=project_id)
        require_admin(request.user, project.course_id)
        upload = validated(InstructorFileUploadInput(data=request.data))["file"]
        instructor_file = services.instructor_file_create(
            project=project, name=upload.name, content=upload
        )
        return Response(InstructorFileOutput(instructor_file).data, status=status.HTTP_201_CREATED)


class InstructorFileDetailApi(APIView):
    parser_classes = [DepthLimitedJSONParser, StrictNamesMultiPartParser, FormParser]

    @extend_schema(responses=InstructorFileOutput)
    def get(self, request: Request, instructor_file_id: int) -> Response:
        instructor_file = _readable_instructor_file(request, instructor_file_id)
        return Response(InstructorFileOutput(instructor_file).data)

    @extend_schema(request=InstructorFileRenameInput, responses=InstructorFileOutput)
    def patch(self, request: Request, instructor_file_id: int) -> Response:
        instructor_file = _readable_instructor_file(request, instructor_file_id)
        require_admin(request.user, instructor_file.project.course_id)
        name = validated(InstructorFileRenameInput(data=request.data))["name"]
        instructor_file = services.instructor_file_rename(
            instructor_file=instructor_file, name=name
        )
        return Response(InstructorFileOutput(instructor_file).data)

    @extend_schema(request=InstructorFileUploadInput, responses=InstructorFileOutput)
    def put(self, request: Request, instructor_file_id: int) -> Response:
        instructor_file = _readable_instructor_file(request, instructor_file_id)
        require_admin(request.user, instructor_file.project.course_id)
        upload = validated(InstructorFileUploadInput(data=request.data))["file"]
        instructor_file = services.instructor_file_replace(
            instructor_file=instructor_file, content=upload
        )
        return Response(InstructorFileOutput(instructor_file).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, instructor_file_id: int) -> Response:
        instructor_file = _readable_instructor_file(request, instructor_file_id)
        require_admin(request.user, instructor_file.project.course_id)
        services.instructor_file_delete(instructor_file=instructor_file)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InstructorFileContentApi(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, instructor_file_id: int) -> HttpResponseBase:
        instructor_file = _readable_instructor_file(request, instructor_file_id)
        return stored_file_response(
            path=instructor_file.file_obj.name, filename=instructor_file.name
        )
