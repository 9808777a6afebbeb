"""The runner API (machine keys, correctomatic's answer shape), and the course admins' and
staff's views of keys and works."""

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.accounts.models import User
from autograder.common.api import validated
from autograder.courses.models import Course
from autograder.courses.permissions import require_admin, require_staff
from autograder.integrations.runner import selectors, services
from autograder.integrations.runner.authentication import MachineKeyAuthentication
from autograder.integrations.runner.models import MachineKey
from autograder.integrations.runner.params import params_parse
from autograder.integrations.runner.serializers import (
    GradeInput,
    GradeOutput,
    GradeRefusedOutput,
    MachineKeyCreatedOutput,
    MachineKeyInput,
    MachineKeyOutput,
    RunnerWorkOutput,
)
from autograder.projects.models import Project

REFUSED = OpenApiResponse(GradeRefusedOutput, description="`success` is false; `message` says why.")


class RunnerGradeApi(APIView):
    """POST a work to grade; the result goes to `callback` later."""

    authentication_classes = [MachineKeyAuthentication]
    permission_classes: list[Any] = []
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": GradeInput},
        responses={
            200: GradeOutput,
            400: REFUSED,
            401: REFUSED,
            403: REFUSED,
            409: REFUSED,
            429: REFUSED,
        },
    )
    def post(self, request: Request) -> Response:
        key = request.auth
        if not isinstance(key, MachineKey):
            return Response(
                {
                    "success": False,
                    "message": "Send a machine key: Authorization: Bearer <key>.",
                    "code": "not_authenticated",
                    "fields": {},
                },
                status=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        services.machine_key_touch(key=key)
        data = validated(GradeInput(data=request.data))
        work = services.work_submit(
            key=key,
            project_id=data["assignment"],
            file=data["file"],
            work_id=data["work_id"],
            params=params_parse(data["param"]),
            callback=data["callback"],
        )
        message = f"Work {work.work_id!r} queued as submission {work.submission_id}."
        return Response({"success": True, "message": message})

    def handle_exception(self, exc: Exception) -> Response:
        """Refusals in correctomatic's shape (`success`, `message`), keeping our `code` and
        `fields`; the message starts with the field it is about."""
        response = super().handle_exception(exc)
        body = response.data if isinstance(response.data, dict) else {}
        message = str(body.get("message", "Refused."))
        fields = body.get("fields") or {}
        if len(fields) == 1:
            name = next(iter(fields))
            if name != "non_field_errors" and not message.startswith(f"{name}:"):
                message = f"{name}: {message}"
        response.data = {
            "success": False,
            "message": message,
            "code": str(body.get("code", "error")),
            "fields": fields,
        }
        return response


def _course_for_admin(request: Request, course_id: int) -> Course:
    course = get_object_or_404(Course, pk=course_id)
    require_admin(request.user, course)
    return course


class CourseMachineKeysApi(APIView):
    @extend_schema(responses=MachineKeyOutput(many=True))
    def get(self, request: Request, course_id: int) -> Response:
        course = _course_for_admin(request, course_id)
        keys = selectors.keys_of_course(course_id=course.pk)
        return Response(MachineKeyOutput(keys, many=True).data)

    @extend_schema(request=MachineKeyInput, responses={201: MachineKeyCreatedOutput})
    def post(self, request: Request, course_id: int) -> Response:
        course = _course_for_admin(request, course_id)
        data = validated(MachineKeyInput(data=request.data))
        assert isinstance(request.user, User)
        key, secret = services.machine_key_create(
            course=course,
            name=data["name"],
            project_ids=data["projects"],
            feedback_category=data["feedback_category"],
            created_by=request.user,
        )
        body = dict(MachineKeyOutput(key).data)
        body.update(key=secret, signing_secret=key.signing_secret)
        return Response(body, status=201)


class MachineKeyApi(APIView):
    @extend_schema(request=None, responses={200: MachineKeyOutput})
    def delete(self, request: Request, key_id: int) -> Response:
        """Revokes the key (it stays listed, marked revoked, with its works)."""
        key = get_object_or_404(MachineKey, pk=key_id)
        require_admin(request.user, key.course_id)
        return Response(MachineKeyOutput(services.machine_key_revoke(key=key)).data)


class ProjectRunnerWorksApi(APIView):
    @extend_schema(responses=RunnerWorkOutput(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        """The project's last 100 runner works and their callback deliveries, newest first."""
        project = get_object_or_404(Project, pk=project_id)
        require_staff(request.user, project.course_id)
        works = selectors.works_of_project(project_id=project.pk)
        return Response(RunnerWorkOutput(works, many=True).data)
