from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.accounts.current_user import request_user
from autograder.accounts.models import User
from autograder.common.api import validated
from autograder.common.errors import NotFoundError, PermissionDeniedError
from autograder.common.pagination import DefaultPagination
from autograder.courses import selectors, services
from autograder.courses.models import Course, Role
from autograder.courses.permissions import (
    require_admin,
    require_any_role,
    require_member_or_guest,
    require_staff,
)
from autograder.courses.roles import course_roles, course_roles_many, forget_cached_roles
from autograder.courses.roster_input import RosterInput, parse_roster_input
from autograder.courses.selectors import RosterMode
from autograder.courses.serializers import (
    CourseCopyInput,
    CourseInput,
    CourseOutput,
    LateDaysInput,
    LateDaysOutput,
    RosterChangeOutput,
    RosterJsonInput,
    RosterPreviewJsonInput,
    RosterPreviewOutput,
    RosterPreviewUploadInput,
    RosterUploadInput,
    RosterUserOutput,
)


def _course_body(course: Course, user: User | AnonymousUser) -> dict[str, Any]:
    roles = {course.pk: course_roles(user, course).as_list()}
    return dict(CourseOutput(course, context={"roles": roles}).data)


def _require_may_create_courses(user: User) -> None:
    if not (user.is_superuser or user.can_create_courses):
        raise PermissionDeniedError(
            "Only superusers and users allowed to create courses may do that."
        )


def _role(name: str) -> Role:
    if name not in Role.values:
        raise NotFoundError(f"No such role {name!r}; roles are {', '.join(Role.values)}.")
    return Role(name)


# --- Courses --------------------------------------------------------------------------------


class CourseListApi(APIView):
    pagination_class = DefaultPagination

    @extend_schema(responses=CourseOutput(many=True))
    def get(self, request: Request) -> Response:
        user = request_user(request)
        paginator = DefaultPagination()
        page: list[Course] = (
            paginator.paginate_queryset(selectors.courses_for_user(user), request, view=self) or []
        )
        roles = {
            course_id: held.as_list()
            for course_id, held in course_roles_many(user, (c.pk for c in page)).items()
        }
        body = CourseOutput(page, many=True, context={"roles": roles}).data
        return paginator.get_paginated_response(body)

    @extend_schema(request=CourseInput, responses={201: CourseOutput})
    def post(self, request: Request) -> Response:
        user = request_user(request)
        _require_may_create_courses(user)
        course = services.course_create(creator=user, **validated(CourseInput(data=request.data)))
        return Response(_course_body(course, user), status=status.HTTP_201_CREATED)


class CourseDetailApi(APIView):
    @extend_schema(responses=CourseOutput)
    def get(self, request: Request, course_id: int) -> Response:
        course = selectors.course_get(course_id=course_id)
        require_member_or_guest(request.user, course)
        return Response(_course_body(course, request.user))

    @extend_schema(request=CourseInput, responses=CourseOutput)
    def patch(self, request: Request, course_id: int) -> Response:
        course = selectors.course_get(course_id=course_id)
        require_admin(request.user, course)
        changes = validated(CourseInput(data=request.data, partial=True))
        course = services.course_update(course=course, **changes)
        return Response(_course_body(course, request.user))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, course_id: int) -> Response:
        course = selectors.course_get(course_id=course_id)
        require_any_role(request.user, course)
        if not request_user(request).is_superuser:
            raise PermissionDeniedError("Only superusers may delete courses.")
        services.course_delete(course=course)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CourseCopyApi(APIView):
    @extend_schema(request=CourseCopyInput, responses={201: CourseOutput})
    def post(self, request: Request, course_id: int) -> Response:
        course = selectors.course_get(course_id=course_id)
        require_admin(request.user, course)
        _require_may_create_courses(request_user(request))
        data = validated(CourseCopyInput(data=request.data))
        copy = services.course_copy(
            course=course,
            new_name=data["name"],
            new_semester=data["semester"],
            new_year=data["year"],
        )
        forget_cached_roles(request_user(request))
        return Response(_course_body(copy, request.user), status=status.HTTP_201_CREATED)


# --- Rosters --------------------------------------------------------------------------------

_ROLE_PARAMETER = OpenApiParameter(
    "role", OpenApiTypes.STR, OpenApiParameter.PATH, enum=Role.values
)
_ROSTER_REQUEST = {
    "application/json": RosterJsonInput,
    "multipart/form-data": RosterUploadInput,
}


def _is_upload(request: Request) -> bool:
    return bool(request.content_type.startswith("multipart/"))


def _roster_input(request: Request) -> RosterInput:
    shape = RosterUploadInput if _is_upload(request) else RosterJsonInput
    return parse_roster_input(validated(shape(data=request.data)))


def _roster_change_body(change: services.RosterChange) -> dict[str, Any]:
    return {
        "added": RosterUserOutput(change.added, many=True).data,
        "removed": RosterUserOutput(change.removed, many=True).data,
        "created": RosterUserOutput(change.created, many=True).data,
        "not_found": change.not_found,
    }


def _admin_course(request: Request, course_id: int, role: str) -> tuple[Course, Role]:
    course = selectors.course_get(course_id=course_id)
    held = _role(role)
    require_admin(request.user, course)
    return course, held


class RosterApi(APIView):
    """One role's members. Writes take JSON `{"users": [...]}` or `{"text": "..."}`, or a
    multipart CSV upload in `file`."""

    pagination_class = DefaultPagination

    def _changed(self, request: Request, change: services.RosterChange) -> Response:
        forget_cached_roles(request_user(request))
        return Response(_roster_change_body(change))

    @extend_schema(parameters=[_ROLE_PARAMETER], responses=RosterUserOutput(many=True))
    def get(self, request: Request, course_id: int, role: str) -> Response:
        course = selectors.course_get(course_id=course_id)
        held = _role(role)
        require_staff(request.user, course)
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(
            selectors.members_with_role(course=course, role=held), request, view=self
        )
        return paginator.get_paginated_response(RosterUserOutput(page, many=True).data)

    @extend_schema(
        parameters=[_ROLE_PARAMETER], request=_ROSTER_REQUEST, responses=RosterChangeOutput
    )
    def post(self, request: Request, course_id: int, role: str) -> Response:
        course, held = _admin_course(request, course_id, role)
        change = services.roster_add(course=course, role=held, roster=_roster_input(request))
        return self._changed(request, change)

    @extend_schema(
        parameters=[_ROLE_PARAMETER], request=_ROSTER_REQUEST, responses=RosterChangeOutput
    )
    def put(self, request: Request, course_id: int, role: str) -> Response:
        course, held = _admin_course(request, course_id, role)
        change = services.roster_replace(course=course, role=held, roster=_roster_input(request))
        return self._changed(request, change)

    @extend_schema(
        parameters=[_ROLE_PARAMETER], request=_ROSTER_REQUEST, responses=RosterChangeOutput
    )
    def delete(self, request: Request, course_id: int, role: str) -> Response:
        course, held = _admin_course(request, course_id, role)
        change = services.roster_remove(course=course, role=held, roster=_roster_input(request))
        return self._changed(request, change)


class RosterPreviewApi(APIView):
    """What a roster change would do, changing nothing: who would be added (with an existing
    or a new account), removed and left as they are, and every line that can't be used. Takes
    the same body as the roster's writes, plus `mode` (add, replace or remove)."""

    @extend_schema(
        parameters=[_ROLE_PARAMETER],
        request={
            "application/json": RosterPreviewJsonInput,
            "multipart/form-data": RosterPreviewUploadInput,
        },
        responses=RosterPreviewOutput,
    )
    def post(self, request: Request, course_id: int, role: str) -> Response:
        course, held = _admin_course(request, course_id, role)
        shape = RosterPreviewUploadInput if _is_upload(request) else RosterPreviewJsonInput
        data = validated(shape(data=request.data))
        roster = parse_roster_input(data)
        mode = RosterMode(data["mode"])
        plan = selectors.roster_plan(course=course, role=held, mode=mode, roster=roster)
        body = {
            "mode": mode,
            "field": roster.field_name,
            "position_label": roster.position_label,
            "add": plan.add,
            "unchanged": plan.unchanged,
            "remove": plan.remove,
            "not_found": plan.not_found,
            "problems": plan.problems,
            "conflict": plan.conflict,
        }
        return Response(RosterPreviewOutput(body).data)


# --- Late days ------------------------------------------------------------------------------


def _late_days_body(course: Course, user: User) -> dict[str, Any]:
    return dict(LateDaysOutput(selectors.late_days_of(course=course, user=user)).data)


class LateDaysListApi(APIView):
    pagination_class = DefaultPagination

    @extend_schema(responses=LateDaysOutput(many=True))
    def get(self, request: Request, course_id: int) -> Response:
        course = selectors.course_get(course_id=course_id)
        require_staff(request.user, course)
        paginator = DefaultPagination()
        page: list[User] = (
            paginator.paginate_queryset(
                selectors.late_days_students(course=course), request, view=self
            )
            or []
        )
        rows = [selectors.late_days_of(course=course, user=user) for user in page]
        return paginator.get_paginated_response(LateDaysOutput(rows, many=True).data)


class LateDaysDetailApi(APIView):
    @extend_schema(responses=LateDaysOutput)
    def get(self, request: Request, course_id: int, user_id: int) -> Response:
        course = selectors.course_get(course_id=course_id)
        roles = require_any_role(request.user, course)
        if not (roles.is_staff or request_user(request).pk == user_id):
            raise PermissionDeniedError("You may see only your own late days.")
        user = selectors.late_days_user(course=course, user_id=user_id)
        return Response(_late_days_body(course, user))

    @extend_schema(request=LateDaysInput, responses=LateDaysOutput)
    def put(self, request: Request, course_id: int, user_id: int) -> Response:
        course = selectors.course_get(course_id=course_id)
        require_admin(request.user, course)
        user = selectors.late_days_user(course=course, user_id=user_id)
        remaining = validated(LateDaysInput(data=request.data))["remaining"]
        services.late_days_set(course=course, user=user, remaining=remaining)
        user = selectors.late_days_user(course=course, user_id=user_id)
        return Response(_late_days_body(course, user))
