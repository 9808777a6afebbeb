"""The test configuration API: staff read it, admins change it.

A project's configuration is a small tree edited by staff, so lists return it whole (not
paginated), suites with their test cases and commands nested.
"""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.common.api import validated
from autograder.courses.permissions import require_admin
from autograder.grading.config import selectors, services
from autograder.grading.config.feedback_settings import COMMAND_PRESETS
from autograder.grading.config.serializers import (
    CaseInput,
    CaseOutput,
    CaseUpdateInput,
    CommandInput,
    CommandOutput,
    FeedbackPresetOutput,
    OrderInput,
    OrderOutput,
    SandboxImagesOutput,
    SuiteCopyInput,
    SuiteInput,
    SuiteOutput,
)
from autograder.projects.models import Project
from autograder.projects.permissions import require_project_admin, require_project_staff
from autograder.projects.selectors import project_get


def _suite_body(suite_id: int) -> dict[str, Any]:
    return dict(SuiteOutput(selectors.suite_tree(suite_id=suite_id)).data)


def _case_body(case_id: int) -> dict[str, Any]:
    return dict(CaseOutput(selectors.case_tree(case_id=case_id)).data)


def _command_body(command_id: int) -> dict[str, Any]:
    return dict(CommandOutput(selectors.command_reload(command_id=command_id)).data)


def _order_body(ids: list[int]) -> dict[str, Any]:
    return {"ids": ids}


# --- Suites ---------------------------------------------------------------------------------


class ProjectSuitesApi(APIView):
    pagination_class = None

    @extend_schema(responses=SuiteOutput(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        require_project_staff(request.user, project)
        suites = selectors.project_test_config(project=project)
        return Response(SuiteOutput(suites, many=True).data)

    @extend_schema(request=SuiteInput, responses={201: SuiteOutput})
    def post(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        require_project_admin(request.user, project)
        data = validated(SuiteInput(data=request.data))
        suite = services.suite_create(project=project, **data)
        return Response(_suite_body(suite.pk), status=status.HTTP_201_CREATED)


class ProjectSandboxImagesApi(APIView):
    @extend_schema(responses=SandboxImagesOutput)
    def get(self, request: Request, project_id: int) -> Response:
        """The images this project's suites may choose (the suite editor offers these)."""
        project = project_get(project_id=project_id)
        require_project_staff(request.user, project)
        default_image, images = selectors.sandbox_images(project=project)
        body = {
            "default_image": default_image,
            "images": [image.reference for image in images],
            "options": [
                {"reference": i.reference, "display_name": i.display_name, "runtime": i.runtime}
                for i in images
            ],
        }
        return Response(SandboxImagesOutput(body).data)


class SuiteOrderApi(APIView):
    @extend_schema(responses=OrderOutput)
    def get(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        require_project_staff(request.user, project)
        return Response(_order_body(selectors.suite_ids(project=project)))

    @extend_schema(request=OrderInput, responses=OrderOutput)
    def put(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        require_project_admin(request.user, project)
        ids = validated(OrderInput(data=request.data))["ids"]
        return Response(_order_body(services.suite_reorder(parent=project, ids=ids)))


class SuiteDetailApi(APIView):
    @extend_schema(responses=SuiteOutput)
    def get(self, request: Request, suite_id: int) -> Response:
        suite = selectors.suite_get(suite_id=suite_id)
        require_project_staff(request.user, suite.project)
        return Response(_suite_body(suite.pk))

    @extend_schema(request=SuiteInput, responses=SuiteOutput)
    def patch(self, request: Request, suite_id: int) -> Response:
        suite = selectors.suite_get(suite_id=suite_id)
        require_project_admin(request.user, suite.project)
        data = validated(SuiteInput(data=request.data, partial=True))
        services.suite_update(suite=suite, **data)
        return Response(_suite_body(suite.pk))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, suite_id: int) -> Response:
        suite = selectors.suite_get(suite_id=suite_id)
        require_project_admin(request.user, suite.project)
        services.suite_delete(suite=suite)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SuiteCopyApi(APIView):
    @extend_schema(request=SuiteCopyInput, responses={201: SuiteOutput})
    def post(self, request: Request, suite_id: int) -> Response:
        suite = selectors.suite_get(suite_id=suite_id)
        require_project_admin(request.user, suite.project)
        data = validated(SuiteCopyInput(data=request.data))
        target: Project = data["target_project"]
        require_admin(request.user, target.course_id)
        copy = services.suite_copy(
            suite=suite, target_project=target, new_name=data.get("new_name")
        )
        return Response(_suite_body(copy.pk), status=status.HTTP_201_CREATED)


# --- Test cases -----------------------------------------------------------------------------


class SuiteCasesApi(APIView):
    pagination_class = None

    @extend_schema(responses=CaseOutput(many=True))
    def get(self, request: Request, suite_id: int) -> Response:
        suite = selectors.suite_get(suite_id=suite_id)
        require_project_staff(request.user, suite.project)
        return Response(CaseOutput(selectors.suite_cases(suite=suite), many=True).data)

    @extend_schema(request=CaseInput, responses={201: CaseOutput})
    def post(self, request: Request, suite_id: int) -> Response:
        suite = selectors.suite_get(suite_id=suite_id)
        require_project_admin(request.user, suite.project)
        data = validated(CaseInput(data=request.data))
        case = services.case_create(suite=suite, **data)
        return Response(_case_body(case.pk), status=status.HTTP_201_CREATED)


class CaseOrderApi(APIView):
    @extend_schema(responses=OrderOutput)
    def get(self, request: Request, suite_id: int) -> Response:
        suite = selectors.suite_get(suite_id=suite_id)
        require_project_staff(request.user, suite.project)
        return Response(_order_body(selectors.case_ids(suite=suite)))

    @extend_schema(request=OrderInput, responses=OrderOutput)
    def put(self, request: Request, suite_id: int) -> Response:
        suite = selectors.suite_get(suite_id=suite_id)
        require_project_admin(request.user, suite.project)
        ids = validated(OrderInput(data=request.data))["ids"]
        return Response(_order_body(services.case_reorder(parent=suite, ids=ids)))


class CaseDetailApi(APIView):
    @extend_schema(responses=CaseOutput)
    def get(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get(case_id=case_id)
        require_project_staff(request.user, case.suite.project)
        return Response(_case_body(case.pk))

    @extend_schema(request=CaseUpdateInput, responses=CaseOutput)
    def patch(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get(case_id=case_id)
        require_project_admin(request.user, case.suite.project)
        data = validated(CaseUpdateInput(data=request.data, partial=True))
        services.case_update(case=case, **data)
        return Response(_case_body(case.pk))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get(case_id=case_id)
        require_project_admin(request.user, case.suite.project)
        services.case_delete(case=case)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Commands -------------------------------------------------------------------------------


class CaseCommandsApi(APIView):
    pagination_class = None

    @extend_schema(responses=CommandOutput(many=True))
    def get(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get(case_id=case_id)
        require_project_staff(request.user, case.suite.project)
        return Response(CommandOutput(selectors.case_commands(case=case), many=True).data)

    @extend_schema(request=CommandInput, responses={201: CommandOutput})
    def post(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get(case_id=case_id)
        require_project_admin(request.user, case.suite.project)
        data = validated(CommandInput(data=request.data))
        command = services.command_create(case=case, **data)
        return Response(_command_body(command.pk), status=status.HTTP_201_CREATED)


class CommandOrderApi(APIView):
    @extend_schema(responses=OrderOutput)
    def get(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get(case_id=case_id)
        require_project_staff(request.user, case.suite.project)
        return Response(_order_body(selectors.command_ids(case=case)))

    @extend_schema(request=OrderInput, responses=OrderOutput)
    def put(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get(case_id=case_id)
        require_project_admin(request.user, case.suite.project)
        ids = validated(OrderInput(data=request.data))["ids"]
        return Response(_order_body(services.command_reorder(parent=case, ids=ids)))


class CommandDetailApi(APIView):
    @extend_schema(responses=CommandOutput)
    def get(self, request: Request, command_id: int) -> Response:
        command = selectors.command_get(command_id=command_id)
        require_project_staff(request.user, command.case.suite.project)
        return Response(_command_body(command.pk))

    @extend_schema(request=CommandInput, responses=CommandOutput)
    def patch(self, request: Request, command_id: int) -> Response:
        command = selectors.command_get(command_id=command_id)
        require_project_admin(request.user, command.case.suite.project)
        data = validated(CommandInput(data=request.data, partial=True))
        services.command_update(command=command, **data)
        return Response(_command_body(command.pk))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, command_id: int) -> Response:
        command = selectors.command_get(command_id=command_id)
        require_project_admin(request.user, command.case.suite.project)
        services.command_delete(command=command)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Feedback presets -----------------------------------------------------------------------


class FeedbackPresetsApi(APIView):
    pagination_class = None

    @extend_schema(responses=FeedbackPresetOutput(many=True))
    def get(self, request: Request) -> Response:
        """Named command feedback settings the UI offers as starting points for a category."""
        presets = [
            {"name": name, "settings": preset.to_json()} for name, preset in COMMAND_PRESETS.items()
        ]
        return Response(FeedbackPresetOutput(presets, many=True).data)
