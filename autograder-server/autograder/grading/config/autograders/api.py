"""Importing autograders written for Gradescope or PrairieLearn: project admins upload them,
project staff read what became of them."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.accounts.current_user import request_user
from autograder.common.api import validated
from autograder.common.uploads import StrictNamesMultiPartParser
from autograder.grading.config.autograders import selectors, services, versions
from autograder.grading.config.autograders.serializers import (
    AutograderImportOutput,
    GradescopeImportInput,
    ImportVersionInput,
    PrairieLearnImportInput,
)
from autograder.projects.permissions import require_project_admin, require_project_staff
from autograder.projects.selectors import project_get

TAGS = ["autograder imports"]


class ProjectImportsApi(APIView):
    pagination_class = None

    @extend_schema(tags=TAGS, responses=AutograderImportOutput(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        require_project_staff(request.user, project)
        imports = selectors.imports_of_project(project=project)
        return Response(AutograderImportOutput(imports, many=True).data)


class GradescopeImportApi(APIView):
    parser_classes = [StrictNamesMultiPartParser, FormParser]

    @extend_schema(
        tags=TAGS, request=GradescopeImportInput, responses={201: AutograderImportOutput}
    )
    def post(self, request: Request, project_id: int) -> Response:
        """Builds a sandbox image from the zip; its suite is made when the build is ready."""
        project = project_get(project_id=project_id)
        require_project_admin(request.user, project)
        data = validated(GradescopeImportInput(data=request.data))
        imported = services.gradescope_import(
            project=project,
            upload=data["file"],
            suite_name=data["suite_name"],
            time_limit_s=data["time_limit_s"],
            user=request_user(request),
        )
        return Response(AutograderImportOutput(imported).data, status=status.HTTP_201_CREATED)


class PrairieLearnImportApi(APIView):
    parser_classes = [StrictNamesMultiPartParser, FormParser]

    @extend_schema(
        tags=TAGS, request=PrairieLearnImportInput, responses={201: AutograderImportOutput}
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        require_project_admin(request.user, project)
        data = validated(PrairieLearnImportInput(data=request.data))
        imported = services.prairielearn_import(
            project=project,
            upload=data["file"],
            suite_name=data["suite_name"],
            command=data["command"],
            sandbox_image=data["sandbox_image"],
            time_limit_s=data["time_limit_s"],
            user=request_user(request),
        )
        return Response(AutograderImportOutput(imported).data, status=status.HTTP_201_CREATED)


class ImportDetailApi(APIView):
    @extend_schema(tags=TAGS, responses=AutograderImportOutput)
    def get(self, request: Request, import_id: int) -> Response:
        imported = selectors.import_get(import_id=import_id)
        require_project_staff(request.user, imported.project)
        return Response(AutograderImportOutput(imported).data)


class ImportVersionsApi(APIView):
    parser_classes = [StrictNamesMultiPartParser, FormParser]

    @extend_schema(tags=TAGS, request=ImportVersionInput, responses={201: AutograderImportOutput})
    def post(self, request: Request, import_id: int) -> Response:
        """Uploads a new version of the import's autograder onto the same suite: a Gradescope
        zip rebuilds the import's image (the suite grades on it once the build is ready; a
        failed build leaves the previous version grading), a PrairieLearn zip replaces the
        instructor files at once. 409 if the import's suite was deleted or its image is being
        built."""
        imported = selectors.import_get(import_id=import_id)
        require_project_admin(request.user, imported.project)
        data = validated(ImportVersionInput(data=request.data))
        updated = versions.import_new_version(
            imported=imported,
            upload=data["file"],
            time_limit_s=data.get("time_limit_s"),
            command=data.get("command"),
            user=request_user(request),
        )
        return Response(
            AutograderImportOutput(selectors.import_get(import_id=updated.pk)).data,
            status=status.HTTP_201_CREATED,
        )
