"""Who may read a group's submissions."""

from django.contrib.auth.models import AnonymousUser

from autograder.accounts.models import User
from autograder.common.errors import PermissionDeniedError
from autograder.courses.roles import CourseRoles
from autograder.groups.models import Group
from autograder.groups.selectors import group_is_member
from autograder.projects.selectors import project_check_readable


def check_may_read_group(user: User | AnonymousUser, group: Group) -> CourseRoles:
    """Group members, staff and handgraders; a student under a hidden project gets 404."""
    roles = project_check_readable(user=user, project=group.project)
    if roles.is_staff or roles.is_handgrader:
        return roles
    if isinstance(user, User) and group_is_member(group=group, user=user):
        return roles
    raise PermissionDeniedError("You are not a member of this group.")
