"""Reads of groups and invitations shared by views and other apps."""

import functools

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet

from autograder.accounts.models import User
from autograder.common.errors import ApplicationError, NotFoundError
from autograder.courses.models import CourseMembership
from autograder.courses.roles import course_roles_of_held
from autograder.groups.models import Group, GroupInvitation, GroupMembership
from autograder.projects.models import Project


def group_for_user(*, project: Project | int, user: User) -> Group | None:
    """The group `user` belongs to for `project`, or None."""
    project_id = project if isinstance(project, int) else project.pk
    membership = (
        GroupMembership.objects.filter(project_id=project_id, user=user)
        .select_related("group")
        .first()
    )
    return membership.group if membership else None


def group_is_member(*, group: Group, user: User) -> bool:
    if not user.is_authenticated:
        return False
    return GroupMembership.objects.filter(group=group, user=user).exists()


_MEMBER = ""
"""What the membership row reads as in `group_is_member_with_roles` (no role is empty)."""


@functools.cache
def _member_and_roles_sql() -> str:
    """The roster roles, then a row for the group membership, in one statement written once:
    on the hot results path, compiling the same ORM union cost more than running it."""
    roster, members = CourseMembership._meta, GroupMembership._meta
    course = roster.get_field("course").column
    role = roster.get_field("role").column
    roster_user = roster.get_field("user").column
    group = members.get_field("group").column
    member_user = members.get_field("user").column
    return (
        f'SELECT "{role}" FROM "{roster.db_table}" WHERE "{course}" = %s AND "{roster_user}" = %s'
        f' UNION ALL SELECT %s FROM "{members.db_table}"'
        f' WHERE "{group}" = %s AND "{member_user}" = %s'
    )


def group_is_member_with_roles(*, group: Group, user: User) -> bool:
    """`group_is_member`, with `user`'s roster roles in the group's course read in the same
    query and remembered (`course_roles_of_held`) for the permission check that follows:
    one round trip instead of two on the results path."""
    if not user.is_authenticated:
        return False
    course_id = group.project.course_id
    with connection.cursor() as cursor:
        cursor.execute(_member_and_roles_sql(), [course_id, user.pk, _MEMBER, group.pk, user.pk])
        rows = {str(role) for (role,) in cursor.fetchall()}
    if not user.is_superuser:  # course_roles answers superusers without a query anyway
        course = group.project.course if Project.course.is_cached(group.project) else course_id
        course_roles_of_held(user, course, rows - {_MEMBER})
    return _MEMBER in rows


def groups_with_details() -> QuerySet[Group]:
    """Groups with what the API shows: members (by username) and the number of submissions."""
    return Group.objects.prefetch_related(
        Prefetch("members", queryset=User.objects.order_by("username").only("id", "username"))
    ).annotate(num_submissions=Count("submissions", distinct=True))


def groups_of_project(*, project: Project) -> QuerySet[Group]:
    return groups_with_details().filter(project=project).order_by("pk")


def group_detail(*, group_id: int) -> Group:
    return groups_with_details().get(pk=group_id)


def invitations_with_details() -> QuerySet[GroupInvitation]:
    return GroupInvitation.objects.select_related("sender").prefetch_related(
        Prefetch("recipients", queryset=User.objects.order_by("username")),
        Prefetch("accepted_by", queryset=User.objects.order_by("username")),
    )


def invitations_of_project(
    *, project: Project, viewer: User, see_all: bool
) -> QuerySet[GroupInvitation]:
    """All pending invitations of `project` when `see_all`, else those `viewer` sent or got."""
    invitations = invitations_with_details().filter(project=project)
    if not see_all:
        invitations = invitations.filter(Q(sender=viewer) | Q(recipients=viewer)).distinct()
    return invitations.order_by("-created_at", "-pk")


def invitation_involves(*, invitation: GroupInvitation, user: User) -> bool:
    return invitation.sender_id == user.pk or invitation.recipients.filter(pk=user.pk).exists()


def users_by_username(*, usernames: list[str], field: str) -> list[User]:
    """The users named, in the order given. Duplicates and unknown names are a 400 naming them
    under `field`."""
    duplicates = sorted({name for name in usernames if usernames.count(name) > 1})
    if duplicates:
        message = f"Listed more than once: {', '.join(duplicates)}."
        raise ApplicationError(message, code="duplicate_users", fields={field: [message]})
    found = {user.username: user for user in User.objects.filter(username__in=usernames)}
    unknown = [name for name in usernames if name not in found]
    if unknown:
        message = f"No such users: {', '.join(unknown)}."
        raise ApplicationError(message, code="unknown_users", fields={field: [message]})
    return [found[name] for name in usernames]


def group_get(*, group_id: int) -> Group:
    group = Group.objects.select_related("project", "project__course").filter(pk=group_id).first()
    if group is None:
        raise NotFoundError("No such group.")
    return group


def group_of_project(*, group_id: int, project_id: int) -> Group | None:
    return Group.objects.filter(pk=group_id, project_id=project_id).first()


def invitation_get(*, invitation_id: int) -> GroupInvitation:
    invitation = GroupInvitation.objects.select_related("project").filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFoundError("No such invitation.")
    return invitation
