"""Permission checks shared by every app's API. Views call these; services trust their caller."""

from django.contrib.auth.models import AnonymousUser

from autograder.accounts.models import User
from autograder.common.errors import NotFoundError, PermissionDeniedError
from autograder.courses.models import Course
from autograder.courses.roles import CourseRoles, course_roles


def require_any_role(user: User | AnonymousUser, course: Course | int) -> CourseRoles:
    roles = course_roles(user, course)
    if not roles.any:
        raise PermissionDeniedError("You are not a member of this course.")
    return roles


def require_member_or_guest(user: User | AnonymousUser, course: Course | int) -> CourseRoles:
    """A roster role, or a guest of the course (whose reach the caller narrows to the projects
    that let guests submit)."""
    roles = course_roles(user, course)
    if not (roles.any or roles.is_guest):
        raise PermissionDeniedError("You are not a member of this course.")
    return roles


def require_staff(user: User | AnonymousUser, course: Course | int) -> CourseRoles:
    roles = require_any_role(user, course)
    if not roles.is_staff:
        raise PermissionDeniedError("Only course staff may do that.")
    return roles


def require_admin(user: User | AnonymousUser, course: Course | int) -> CourseRoles:
    roles = require_any_role(user, course)
    if not roles.is_admin:
        raise PermissionDeniedError("Only course admins may do that.")
    return roles


def hidden(what: str = "Not found.") -> NotFoundError:
    """For things a user's role must not learn exist (e.g. a student asking for a hidden
    project)."""
    return NotFoundError(what)
