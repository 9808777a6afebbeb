"""Plain builder functions for test data. Each returns a saved row with sensible defaults."""

import functools
import itertools
from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from autograder.accounts.models import User
from autograder.courses.models import Course, CourseMembership, Role, Semester
from autograder.groups.models import Group, GroupMembership
from autograder.projects.models import ExpectedStudentFile, Project

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def make_user(username: str | None = None, **fields: Any) -> User:
    username = username or f"user{next(_counter)}@example.edu"
    user = User(username=username, email=username, **fields)
    user.password = _password_hash()
    user.save()
    return user


@functools.cache
def _password_hash() -> str:
    """Hashing once keeps the many users tests create cheap."""
    return make_password(PASSWORD)


def make_course(**fields: Any) -> Course:
    defaults: dict[str, Any] = {
        "name": f"EECS {next(_counter)}",
        "semester": Semester.FALL,
        "year": 2026,
    }
    return Course.objects.create(**{**defaults, **fields})


def add_role(course: Course, user: User, role: Role | str) -> User:
    CourseMembership.objects.get_or_create(course=course, user=user, role=role)
    return user


def make_project(course: Course | None = None, **fields: Any) -> Project:
    defaults: dict[str, Any] = {
        "name": f"Project {next(_counter)}",
        "visible_to_students": True,
        "closing_time": timezone.now() + timedelta(days=7),
    }
    return Project.objects.create(course=course or make_course(), **{**defaults, **fields})


def make_expected_file(project: Project, pattern: str, lo: int = 1, hi: int = 1) -> Any:
    return ExpectedStudentFile.objects.create(
        project=project, pattern=pattern, min_num_matches=lo, max_num_matches=hi
    )


def make_group(project: Project, *members: User, **fields: Any) -> Group:
    group = Group.objects.create(project=project, **fields)
    group.members.add(*members)
    for member in members:
        GroupMembership.objects.create(group=group, project=project, user=member)
    return group
