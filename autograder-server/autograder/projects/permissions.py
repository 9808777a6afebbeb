"""Role checks under a project, for every app's API (test configuration, reruns, ...)."""

from django.contrib.auth.models import AnonymousUser

from autograder.accounts.models import User
from autograder.courses.permissions import require_admin, require_staff
from autograder.courses.roles import CourseRoles
from autograder.projects.models import Project
from autograder.projects.selectors import project_check_readable


def require_project_staff(user: User | AnonymousUser, project: Project) -> CourseRoles:
    """Staff of the project's course; a student asking under a hidden project gets 404."""
    project_check_readable(user=user, project=project)
    return require_staff(user, project.course_id)


def require_project_admin(user: User | AnonymousUser, project: Project) -> CourseRoles:
    project_check_readable(user=user, project=project)
    return require_admin(user, project.course_id)
