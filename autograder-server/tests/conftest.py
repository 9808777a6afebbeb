"""Fixtures shared by every test package.

`world` is one course with a user in every role the permission matrix checks; tests of each
app build their matrix rows on it.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import redis
from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIClient

from autograder.accounts.models import User
from autograder.courses.models import Course, Role
from autograder.groups.models import Group
from autograder.projects.models import Project
from tests import factories

ROLE_NAMES = (
    "anonymous",
    "other_course_student",
    "student",
    "group_member",
    "handgrader",
    "staff",
    "admin",
    "superuser",
)
"""`student` is enrolled but not in `world.group`; `group_member` is enrolled and in it."""


@dataclass
class World:
    course: Course
    other_course: Course
    project: Project
    hidden_project: Project
    group: Group
    other_group: Group
    users: dict[str, User | AnonymousUser] = field(default_factory=dict)

    def client(self, role: str) -> APIClient:
        client = APIClient()
        user = self.users[role]
        if isinstance(user, User):
            client.force_authenticate(user=user)
        return client


def build_world() -> World:
    course = factories.make_course(name="EECS 280", num_late_days=3)
    other_course = factories.make_course(name="EECS 281")
    project = factories.make_project(course, name="P1 Stats", max_group_size=3)
    hidden_project = factories.make_project(course, name="P2 Hidden", visible_to_students=False)

    admin = factories.add_role(course, factories.make_user("admin@example.edu"), Role.ADMIN)
    staff = factories.add_role(course, factories.make_user("staff@example.edu"), Role.STAFF)
    handgrader = factories.add_role(
        course, factories.make_user("grader@example.edu"), Role.HANDGRADER
    )
    student = factories.add_role(course, factories.make_user("student@example.edu"), Role.STUDENT)
    member = factories.add_role(course, factories.make_user("member@example.edu"), Role.STUDENT)
    other_member = factories.add_role(
        course, factories.make_user("other.member@example.edu"), Role.STUDENT
    )
    outsider = factories.add_role(
        other_course, factories.make_user("outsider@example.edu"), Role.STUDENT
    )
    superuser = factories.make_user("root@example.edu", is_superuser=True, is_staff=True)

    group = factories.make_group(project, member)
    other_group = factories.make_group(project, other_member)
    return World(
        course=course,
        other_course=other_course,
        project=project,
        hidden_project=hidden_project,
        group=group,
        other_group=other_group,
        users={
            "anonymous": AnonymousUser(),
            "other_course_student": outsider,
            "student": student,
            "group_member": member,
            "handgrader": handgrader,
            "staff": staff,
            "admin": admin,
            "superuser": superuser,
        },
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_cache_keys(settings: Any) -> Iterator[str]:
    """Every test gets cache keys of its own (a fresh key prefix), so login throttle counters
    never leak between tests, nor between test runs sharing one Redis; its keys are deleted
    afterwards. Yields the prefix."""
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    yield prefix
    if settings.REDIS_URL:
        client = redis.Redis.from_url(settings.REDIS_URL)
        try:
            keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
            if keys:
                client.delete(*keys)
        finally:
            client.close()


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()
