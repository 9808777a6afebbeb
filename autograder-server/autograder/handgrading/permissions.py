"""Who may do what in handgrading. Staff do everything; handgraders grade (within what the
rubric lets them) and read the rubric, never change it; a group's members read their result
once it is released; nobody else sees any of it."""

from django.contrib.auth.models import AnonymousUser

from autograder.accounts.models import User
from autograder.common.errors import PermissionDeniedError
from autograder.courses.roles import CourseRoles
from autograder.groups.models import Group
from autograder.groups.selectors import group_is_member
from autograder.projects.models import Project
from autograder.projects.selectors import project_check_readable


def require_grader(user: User | AnonymousUser, project: Project) -> CourseRoles:
    """Staff or a handgrader of the project's course."""
    roles = project_check_readable(user=user, project=project)
    if not (roles.is_staff or roles.is_handgrader):
        raise PermissionDeniedError("Only course staff and handgraders may do that.")
    return roles


def require_grader_of(user: User | AnonymousUser, group: Group) -> CourseRoles:
    """A grader of the project who is not grading their own group (unless staff)."""
    roles = require_grader(user, group.project)
    if not roles.is_staff and isinstance(user, User) and group_is_member(group=group, user=user):
        raise PermissionDeniedError("You may not handgrade your own group.")
    return roles


def is_member(user: User | AnonymousUser, group: Group) -> bool:
    return isinstance(user, User) and group_is_member(group=group, user=user)
