"""Thin JSON views: platform registrations (superusers) and a course's LMS link, roster sync
and grade passback status (course staff)."""

from typing import Any

import requests
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from pylti1p3.exception import LtiException
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.common.errors import ApplicationError, NotFoundError, PermissionDeniedError
from autograder.courses.permissions import require_admin, require_staff
from autograder.courses.selectors import course_get
from autograder.integrations.lti import keys, selectors, services, tasks, views
from autograder.integrations.lti.models import LtiPlatform
from autograder.integrations.lti.serializers import (
    CourseLinkOutput,
    GradeStatusOutput,
    PlatformInput,
    PlatformOutput,
    RosterSyncOutput,
    SendGradesInput,
    SendGradesOutput,
    ToolUrlsOutput,
)
from autograder.projects.models import Project


def _parse(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    data: dict[str, Any] = serializer.validated_data
    return data


def _require_superuser(request: Request) -> None:
    if not request.user.is_superuser:
        raise PermissionDeniedError("Only superusers may manage LMS registrations.")


def _platform(platform_id: int) -> LtiPlatform:
    platform = LtiPlatform.objects.filter(pk=platform_id).first()
    if platform is None:
        raise NotFoundError("No such LMS registration.")
    return platform


class ToolUrlsApi(APIView):
    @extend_schema(responses=ToolUrlsOutput)
    def get(self, request: Request) -> Response:
        _require_superuser(request)
        site = views.launch_url().removesuffix(reverse("lti-launch"))
        body = {
            "jwks_url": site + reverse("lti-jwks"),
            "login_url": site + reverse("lti-login"),
            "launch_url": views.launch_url(),
            "redirect_uris": [views.launch_url()],
            "public_jwk": keys.public_jwk(),
        }
        return Response(ToolUrlsOutput(body).data)


class PlatformListApi(APIView):
    @extend_schema(responses=PlatformOutput(many=True))
    def get(self, request: Request) -> Response:
        _require_superuser(request)
        return Response(PlatformOutput(selectors.platforms(), many=True).data)

    @extend_schema(request=PlatformInput, responses={201: PlatformOutput})
    def post(self, request: Request) -> Response:
        _require_superuser(request)
        platform = services.platform_create(**_parse(PlatformInput(data=request.data)))
        return Response(PlatformOutput(platform).data, status=status.HTTP_201_CREATED)


class PlatformDetailApi(APIView):
    @extend_schema(responses=PlatformOutput)
    def get(self, request: Request, platform_id: int) -> Response:
        _require_superuser(request)
        return Response(PlatformOutput(_platform(platform_id)).data)

    @extend_schema(request=PlatformInput(partial=True), responses=PlatformOutput)
    def patch(self, request: Request, platform_id: int) -> Response:
        _require_superuser(request)
        changes = _parse(PlatformInput(data=request.data, partial=True))
        platform = services.platform_update(platform=_platform(platform_id), **changes)
        return Response(PlatformOutput(platform).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, platform_id: int) -> Response:
        _require_superuser(request)
        services.platform_delete(platform=_platform(platform_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CourseLinkApi(APIView):
    @extend_schema(responses=CourseLinkOutput)
    def get(self, request: Request, course_id: int) -> Response:
        course = course_get(course_id=course_id)
        require_staff(request.user, course)
        context = selectors.context_of_course(course=course)
        body = {
            "linked": context is not None,
            "platform": context.platform.name if context else None,
            "context_id": context.context_id if context else None,
            "context_title": context.title if context else None,
            "roster_available": bool(context and context.memberships_url),
            "grades_available": bool(context and context.lineitems_url),
            "roster_synced_at": context.roster_synced_at if context else None,
            "roster_sync_error": context.roster_sync_error if context else "",
            "roster_sync_count": context.roster_sync_count if context else 0,
        }
        return Response(CourseLinkOutput(body).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, course_id: int) -> Response:
        course = course_get(course_id=course_id)
        require_admin(request.user, course)
        services.context_unlink(course=course)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RosterSyncApi(APIView):
    """Reads the roster from the LMS now and answers with what changed."""

    @extend_schema(request=None, responses=RosterSyncOutput)
    def post(self, request: Request, course_id: int) -> Response:
        course = course_get(course_id=course_id)
        require_admin(request.user, course)
        context = selectors.context_of_course(course=course)
        if context is None:
            raise ApplicationError(
                "This course is not linked to an LMS course.", code="lti_not_linked", status=409
            )
        try:
            result = services.roster_sync(context=context)
        except (LtiException, requests.RequestException) as exc:
            # A 409, not a 5xx: nothing here failed; the LMS is in a state that refuses us
            # (down, or the tool's roster access was turned off). The error is also kept on
            # the link status.
            raise ApplicationError(
                f"The LMS roster could not be read: {exc}", code="lms_unavailable", status=409
            ) from exc
        return Response(RosterSyncOutput(result).data)


class GradeStatusApi(APIView):
    @extend_schema(responses=GradeStatusOutput(many=True))
    def get(self, request: Request, course_id: int) -> Response:
        course = course_get(course_id=course_id)
        require_staff(request.user, course)
        rows = selectors.grade_statuses(course=course)
        return Response(GradeStatusOutput(rows, many=True).data)  # type: ignore[arg-type]  # many=True takes a list


class SendGradesApi(APIView):
    """Queues sending a project's final graded scores (all students, or those given); the
    status list shows each outcome when it is done."""

    @extend_schema(request=SendGradesInput, responses={202: SendGradesOutput})
    def post(self, request: Request, course_id: int) -> Response:
        course = course_get(course_id=course_id)
        require_staff(request.user, course)
        data = _parse(SendGradesInput(data=request.data))
        if not Project.objects.filter(pk=data["project"], course=course).exists():
            raise ApplicationError(
                "No such project in this course.",
                fields={"project": ["No such project in this course."]},
            )
        if selectors.context_of_course(course=course) is None:
            raise ApplicationError(
                "This course is not linked to an LMS course.", code="lti_not_linked", status=409
            )
        tasks.enqueue_send_grades(
            project_id=data["project"], user_ids=data.get("users"), force=True
        )
        body = {"project": data["project"], "users": data.get("users")}
        return Response(SendGradesOutput(body).data, status=status.HTTP_202_ACCEPTED)
