"""Copy previews, cloning a test case, and tests as code (export and import of a project's
configuration). Copying itself is the projects and courses API (`POST .../copy/`), which
brings the test configuration along through `projects.signals.project_copied`."""

from urllib.parse import quote

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.common.api import validated
from autograder.common.schema import ErrorOutput
from autograder.common.uploads import StrictNamesMultiPartParser
from autograder.courses.permissions import require_admin
from autograder.courses.selectors import course_get
from autograder.grading.config import selectors, services
from autograder.grading.config.serializers import CaseOutput
from autograder.grading.config.transfer import exporting, importing, preview
from autograder.grading.config.transfer.serializers import (
    CourseCopyPreviewOutput,
    ExportQuery,
    ImportInput,
    ImportOutput,
    ProjectCopyCountsOutput,
)
from autograder.projects.permissions import require_project_admin, require_project_staff
from autograder.projects.selectors import project_get


class ProjectCopyPreviewApi(APIView):
    @extend_schema(responses=ProjectCopyCountsOutput)
    def get(self, request: Request, project_id: int) -> Response:
        """What copying this project carries over (admins of its course may copy it)."""
        project = project_get(project_id=project_id)
        require_project_admin(request.user, project)
        counts = preview.project_copy_preview(project=project)
        return Response(ProjectCopyCountsOutput(counts).data)


class CourseCopyPreviewApi(APIView):
    @extend_schema(responses=CourseCopyPreviewOutput)
    def get(self, request: Request, course_id: int) -> Response:
        """What copying this course to a new term carries over, project by project."""
        course = course_get(course_id=course_id)
        require_admin(request.user, course)
        body = {"projects": preview.course_copy_preview(course=course)}
        return Response(CourseCopyPreviewOutput(body).data)


class CaseCloneApi(APIView):
    @extend_schema(request=None, responses={201: CaseOutput})
    def post(self, request: Request, case_id: int) -> Response:
        """A copy of the test case with its commands, right after it in its suite."""
        case = selectors.case_tree(case_id=case_id)
        require_project_admin(request.user, case.suite.project)
        clone = services.case_clone(case=case)
        body = CaseOutput(selectors.case_tree(case_id=clone.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


def _download_name(name: str, suffix: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name).strip("-.")
    return f"{safe or 'project'}{suffix}"


class ProjectConfigExportApi(APIView):
    @extend_schema(
        parameters=[ExportQuery],
        responses={
            (200, "application/zip"): OpenApiTypes.BINARY,
            # The YAML document is one mapping (format, project, files, suites).
            (200, "application/yaml"): OpenApiTypes.OBJECT,
        },
    )
    def get(self, request: Request, project_id: int) -> HttpResponse:
        """The project's whole configuration as code (see docs/tests-as-code.md)."""
        project = project_get(project_id=project_id)
        require_project_staff(request.user, project)
        bundle = validated(ExportQuery(data=request.query_params))["bundle"]
        if bundle == "yaml":
            body: bytes = exporting.project_config_yaml(project=project).encode()
            content_type, filename = "application/yaml", _download_name(project.name, ".yaml")
        else:
            body = exporting.project_config_zip(project=project)
            content_type, filename = "application/zip", _download_name(project.name, ".zip")
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return response


class ProjectConfigImportApi(APIView):
    parser_classes = [StrictNamesMultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportInput},
        responses={200: ImportOutput, 413: ErrorOutput},
    )
    def post(self, request: Request, project_id: int) -> Response:
        """Creates or updates the project's configuration from a document, matching by name;
        with `dry_run` (the default) only lists the changes."""
        project = project_get(project_id=project_id)
        require_project_admin(request.user, project)
        data = validated(ImportInput(data=request.data))
        result = importing.project_config_import(
            project=project,
            data=data["file"].read(),
            dry_run=data["dry_run"],
            delete_missing=data["delete_missing"],
        )
        body = {
            "applied": result.applied,
            "changes": [
                {
                    "action": c.action,
                    "kind": c.kind,
                    "name": c.name,
                    "details": c.details,
                    "text": c.text,
                }
                for c in result.changes
            ],
        }
        return Response(ImportOutput(body).data)
