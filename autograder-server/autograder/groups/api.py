from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.accounts.current_user import request_user
from autograder.common.errors import ApplicationError, NotFoundError, PermissionDeniedError
from autograder.common.pagination import DefaultPagination
from autograder.courses.permissions import require_staff
from autograder.courses.roles import CourseRoles
from autograder.groups import selectors, services
from autograder.groups.models import Group, GroupInvitation
from autograder.groups.serializers import (
    AcceptOutput,
    GroupCreateInput,
    GroupMergeInput,
    GroupOutput,
    GroupUpdateInput,
    InvitationCreateInput,
    InvitationOutput,
)
from autograder.projects.selectors import project_check_readable, project_get


def _group_body(group: Group) -> dict[str, Any]:
    return dict(GroupOutput(selectors.group_detail(group_id=group.pk)).data)


def _invitation_body(invitation: GroupInvitation) -> dict[str, Any]:
    fresh = selectors.invitations_with_details().get(pk=invitation.pk)
    return dict(InvitationOutput(fresh).data)


def _require_may_join(roles: CourseRoles) -> None:
    """Guests reach here only for projects that let guests submit (`_project_roles`)."""
    if not (roles.is_student or roles.is_staff or roles.is_guest):
        raise PermissionDeniedError("Only students and staff of this course can be in groups.")


class ProjectGroupsApi(APIView):
    pagination_class = DefaultPagination

    @extend_schema(responses=GroupOutput(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        roles = project_check_readable(user=request.user, project=project)
        if not (roles.is_staff or roles.is_handgrader):
            raise PermissionDeniedError("Only course staff and handgraders may list groups.")
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(
            selectors.groups_of_project(project=project), request, view=self
        )
        return paginator.get_paginated_response(GroupOutput(page, many=True).data)

    @extend_schema(request=GroupCreateInput, responses={201: GroupOutput})
    def post(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        require_staff(request.user, project.course_id)
        data = GroupCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        members = selectors.users_by_username(
            usernames=data.validated_data["members"], field="members"
        )
        group = services.group_create(
            project=project,
            members=members,
            extended_due_date=data.validated_data.get("extended_due_date"),
            bonus_submissions_remaining=data.validated_data.get("bonus_submissions_remaining"),
        )
        return Response(_group_body(group), status=status.HTTP_201_CREATED)


class SoloGroupApi(APIView):
    @extend_schema(request=None, responses={201: GroupOutput})
    def post(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        roles = project_check_readable(user=request.user, project=project)
        _require_may_join(roles)
        group = services.group_create_solo(
            project=project, user=request_user(request), is_staff=roles.is_staff
        )
        return Response(_group_body(group), status=status.HTTP_201_CREATED)


class MyGroupApi(APIView):
    @extend_schema(responses=GroupOutput)
    def get(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        project_check_readable(user=request.user, project=project)
        group = selectors.group_for_user(project=project, user=request_user(request))
        if group is None:
            raise NotFoundError("You are not in a group for this project yet.")
        return Response(_group_body(group))


class GroupDetailApi(APIView):
    @extend_schema(responses=GroupOutput)
    def get(self, request: Request, group_id: int) -> Response:
        group = selectors.group_get(group_id=group_id)
        roles = project_check_readable(user=request.user, project=group.project)
        if not (
            roles.is_staff
            or roles.is_handgrader
            or selectors.group_is_member(group=group, user=request_user(request))
        ):
            raise PermissionDeniedError("You are not a member of this group.")
        return Response(_group_body(group))

    @extend_schema(request=GroupUpdateInput, responses=GroupOutput)
    def patch(self, request: Request, group_id: int) -> Response:
        group = selectors.group_get(group_id=group_id)
        require_staff(request.user, group.project.course_id)
        data = GroupUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        members = None
        if "members" in fields:
            members = selectors.users_by_username(usernames=fields["members"], field="members")
        group = services.group_update(
            group=group,
            members=members,
            extended_due_date=fields.get("extended_due_date", services.UNSET),
            bonus_submissions_remaining=fields.get("bonus_submissions_remaining"),
        )
        return Response(_group_body(group))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, group_id: int) -> Response:
        group = selectors.group_get(group_id=group_id)
        require_staff(request.user, group.project.course_id)
        services.group_delete(group=group)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupMergeApi(APIView):
    @extend_schema(request=GroupMergeInput, responses=GroupOutput)
    def post(self, request: Request, group_id: int) -> Response:
        group = selectors.group_get(group_id=group_id)
        require_staff(request.user, group.project.course_id)
        data = GroupMergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        other = selectors.group_of_project(
            group_id=data.validated_data["other_group"], project_id=group.project_id
        )
        if other is None:
            message = "No such group in this project."
            raise ApplicationError(message, code="not_found", fields={"other_group": [message]})
        group = services.group_merge(group=group, other=other)
        return Response(_group_body(group))


class ProjectInvitationsApi(APIView):
    pagination_class = DefaultPagination

    @extend_schema(responses=InvitationOutput(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        roles = project_check_readable(user=request.user, project=project)
        invitations = selectors.invitations_of_project(
            project=project, viewer=request_user(request), see_all=roles.is_staff
        )
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(invitations, request, view=self)
        return paginator.get_paginated_response(InvitationOutput(page, many=True).data)

    @extend_schema(request=InvitationCreateInput, responses={201: InvitationOutput})
    def post(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        _require_may_join(project_check_readable(user=request.user, project=project))
        data = InvitationCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        recipients = selectors.users_by_username(
            usernames=data.validated_data["recipients"], field="recipients"
        )
        invitation = services.group_invitation_create(
            project=project, sender=request_user(request), recipients=recipients
        )
        return Response(_invitation_body(invitation), status=status.HTTP_201_CREATED)


def _readable_invitation(request: Request, invitation_id: int) -> tuple[GroupInvitation, bool]:
    """The invitation if the user is in it or staff; the flag says whether they are staff."""
    invitation = selectors.invitation_get(invitation_id=invitation_id)
    roles = project_check_readable(user=request.user, project=invitation.project)
    if not (
        roles.is_staff
        or selectors.invitation_involves(invitation=invitation, user=request_user(request))
    ):
        raise PermissionDeniedError("This invitation is not yours.")
    return invitation, roles.is_staff


class InvitationDetailApi(APIView):
    @extend_schema(responses=InvitationOutput)
    def get(self, request: Request, invitation_id: int) -> Response:
        invitation, _ = _readable_invitation(request, invitation_id)
        return Response(_invitation_body(invitation))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, invitation_id: int) -> Response:
        invitation, is_staff = _readable_invitation(request, invitation_id)
        if not (is_staff or invitation.sender_id == request_user(request).pk):
            raise PermissionDeniedError(
                "Only the sender may withdraw an invitation; recipients reject it instead."
            )
        services.group_invitation_withdraw(invitation=invitation)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationAcceptApi(APIView):
    @extend_schema(request=None, responses={200: AcceptOutput, 201: AcceptOutput})
    def post(self, request: Request, invitation_id: int) -> Response:
        invitation = selectors.invitation_get(invitation_id=invitation_id)
        project_check_readable(user=request.user, project=invitation.project)
        outcome = services.group_invitation_accept(
            invitation=invitation, user=request_user(request)
        )
        if outcome.group is not None:
            body = {"group_created": True, "invitation": None, "group": _group_body(outcome.group)}
            return Response(body, status=status.HTTP_201_CREATED)
        assert outcome.invitation is not None
        body = {
            "group_created": False,
            "invitation": _invitation_body(outcome.invitation),
            "group": None,
        }
        return Response(body)


class InvitationRejectApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, invitation_id: int) -> Response:
        invitation = selectors.invitation_get(invitation_id=invitation_id)
        project_check_readable(user=request.user, project=invitation.project)
        services.group_invitation_reject(invitation=invitation, user=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
