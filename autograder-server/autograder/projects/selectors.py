"""Reads of projects and their files, with the visibility rules every app shares."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from autograder.accounts.models import User
from autograder.common.errors import NotFoundError
from autograder.courses.models import Course
from autograder.courses.permissions import hidden, require_member_or_guest
from autograder.courses.roles import CourseRoles
from autograder.projects.models import ExpectedStudentFile, InstructorFile, Project


def can_see_all_projects(roles: CourseRoles) -> bool:
    return roles.is_staff or roles.is_handgrader


def guest_may_use(project: Project) -> bool:
    """A guest of the course sees (and may submit to) a project only while it is visible to
    students and lets guests submit (autograder.io's rule)."""
    return project.visible_to_students and project.guests_can_submit


def project_list_for_user(*, user: User | AnonymousUser, course: Course) -> QuerySet[Project]:
    """Projects of `course` this user may read: all for staff and handgraders, visible ones
    for students, visible ones that let guests submit for guests. Raises 403 for anyone
    else."""
    roles = require_member_or_guest(user, course)
    projects = Project.objects.filter(course=course).select_related("course").order_by("name", "pk")
    if not can_see_all_projects(roles):
        projects = projects.filter(visible_to_students=True)
    if roles.is_guest:
        projects = projects.filter(guests_can_submit=True)
    return projects


def project_get(*, project_id: int) -> Project:
    project = Project.objects.select_related("course").filter(pk=project_id).first()
    if project is None:
        raise NotFoundError("No such project.")
    return project


def project_check_readable(*, user: User | AnonymousUser, project: Project) -> CourseRoles:
    """Returns the user's roles if they may read `project`: 403 without a role in its course,
    404 for a student asking for a hidden project (they must not learn it exists) and for a
    guest asking for one that guests may not use."""
    # The loaded course saves the guest check a query; an unloaded one isn't fetched for it.
    course = project.course if Project.course.is_cached(project) else project.course_id
    roles = require_member_or_guest(user, course)
    if not can_see_all_projects(roles) and not project.visible_to_students:
        raise hidden("No such project.")
    if roles.is_guest and not guest_may_use(project):
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
