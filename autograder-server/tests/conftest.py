"""Fixtures shared by every test package.

`world` is one course with a user in every role the permission matrix checks; tests of each
app build their matrix rows on it.

Under CI (`CI=true`) and `scripts/test` (`AG_TEST_REAL_SERVICES=1`) the run stops before the
first test unless it uses PostgreSQL, an AMQP broker and Redis, all answering: without the
AG_* URLs the settings fall back to SQLite, a filesystem broker and no Redis, and tests that
check locking, wake-ups or live events would pass without testing them.
"""

import os
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


def _real_service_problems() -> list[str]:
    """What keeps this run from using the real services, in words."""
    from django.conf import settings
    from kombu import Connection

    problems = []
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.postgresql":
        problems.append(f"the database is {engine}, not PostgreSQL: set AG_DATABASE_URL")
    if not settings.BROKER_URL.startswith(("amqp://", "amqps://")):
        problems.append(f"the broker is {settings.BROKER_URL}, not AMQP: set AG_BROKER_URL")
    else:
        try:
            with Connection(settings.BROKER_URL, connect_timeout=5) as broker:
                broker.ensure_connection(max_retries=1)
        except Exception as error:  # any failure to connect is the finding
            problems.append(f"the AMQP broker does not answer: {error}")
    if not settings.REDIS_URL:
        problems.append("there is no Redis: set AG_REDIS_URL")
    else:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=5)
        try:
            client.ping()
        except redis.RedisError as error:
            problems.append(f"Redis does not answer: {error}")
        finally:
            client.close()
    return problems


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("CI") != "true" and os.environ.get("AG_TEST_REAL_SERVICES") != "1":
        return
    problems = _real_service_problems()
    if problems:
        pytest.exit(
            "The tests must run against PostgreSQL, RabbitMQ and Redis here (CI=true or "
            "AG_TEST_REAL_SERVICES=1), but " + "; ".join(problems) + ".",
            returncode=pytest.ExitCode.USAGE_ERROR,
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
