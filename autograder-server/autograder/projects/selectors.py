"""Reads of projects and their files, with the visibility rules every app shares."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from autograder.accounts.models import User
from autograder.common.errors import NotFoundError
from autograder.courses.models import Course
from autograder.courses.permissions import hidden, require_any_role
from autograder.courses.roles import CourseRoles
from autograder.projects.models import ExpectedStudentFile, InstructorFile, Project


def can_see_all_projects(roles: CourseRoles) -> bool:
    return roles.is_staff or roles.is_handgrader


def project_list_for_user(*, user: User | AnonymousUser, course: Course) -> QuerySet[Project]:
    """Projects of `course` this user may read: all for staff and handgraders, visible ones
    for students. Raises 403 for users without a role in the course."""
    roles = require_any_role(user, course)
    projects = Project.objects.filter(course=course).select_related("course").order_by("name", "pk")
    if not can_see_all_projects(roles):
        projects = projects.filter(visible_to_students=True)
    return projects


def project_get(*, project_id: int) -> Project:
    project = Project.objects.select_related("course").filter(pk=project_id).first()
    if project is None:
        raise NotFoundError("No such project.")
    return project


def project_check_readable(*, user: User | AnonymousUser, project: Project) -> CourseRoles:
    """Returns the user's roles if they may read `project`: 403 without a role in its course,
    404 for a student asking for a hidden project (they must not learn it exists)."""
    roles = require_any_role(user, project.course_id)
    if not can_see_all_projects(roles) and not project.visible_to_students:
        raise hidden("No such project.")
    return roles


def project_get_readable(
    *, user: User | AnonymousUser, project_id: int
) -> tuple[Project, CourseRoles]:
    project = project_get(project_id=project_id)
    return project, project_check_readable(user=user, project=project)


def expected_file_list(*, project: Project) -> QuerySet[ExpectedStudentFile]:
    return ExpectedStudentFile.objects.filter(project=project).order_by("pattern", "pk")


def expected_file_get(*, expected_file_id: int) -> ExpectedStudentFile:
    found = (
        ExpectedStudentFile.objects.select_related("project", "project__course")
        .filter(pk=expected_file_id)
        .first()
    )
    if found is None:
        raise NotFoundError("No such expected file.")
    return found


def instructor_file_list(*, project: Project) -> QuerySet[InstructorFile]:
    return InstructorFile.objects.filter(project=project).order_by("name", "pk")


def instructor_file_get(*, instructor_file_id: int) -> InstructorFile:
    found = (
        InstructorFile.objects.select_related("project", "project__course")
        .filter(pk=instructor_file_id)
        .first()
    )
    if found is None:
        raise NotFoundError("No such instructor file.")
    return found
