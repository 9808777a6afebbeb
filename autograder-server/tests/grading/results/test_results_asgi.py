"""A browser's read of results served straight from ASGI (`results_asgi`) answers exactly as
Django's view does (status, every header, the body), checks permissions on every request, and
leaves everything but the success path of a plain JSON read to Django's view.

The web tier's two applications are called in process as ASGI apps: `django_application` (the
view) and the fast path in front of a stand-in that records what fell through to Django.
Transactional: cache versions are bumped when a write commits, as in production."""

import asyncio
import json
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from autograder.accounts.models import User
from autograder.asgi import django_application
from autograder.grading.config.models import AGTestCommand
from autograder.grading.results.results_asgi import with_cached_results
from autograder.submissions.models import Submission
from tests.asgi_client import asgi_get
from tests.conftest import World
from tests.grading import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


@pytest.fixture(autouse=True)
def _redis(settings: Any) -> None:
    assert settings.REDIS_URL, "these tests need Redis (AG_REDIS_URL)"


def graded(world: World) -> tuple[Submission, AGTestCommand]:
    command = f.make_command(
        f.make_case(f.make_suite(world.project, "Suite"), "case"),
        "run",
        feedback={"normal": {"show_points": False}, "staff_viewer": {"show_points": True}},
        points_for_correct_return_code=3,
    )
    submission = f.make_submission(world.group)
    f.grade(submission, {command: 3})
    return submission, command


def cookie(world: World, role: str) -> bytes:
    client = Client()
    user = world.users[role]
    assert isinstance(user, User)
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


async def _call(app: Any, path: str, query: bytes, headers: list[tuple[bytes, bytes]]) -> Answer:
    answer = await asgi_get(app, path, query=query, headers=headers)
    return answer.status, answer.headers, answer.body


class Site:
    """The fast path in front of a stand-in for Django, and Django's own answer."""

    def __init__(self) -> None:
        self.fell_through: list[str] = []

        async def django_stand_in(scope: Any, receive: Any, send: Any) -> None:
            self.fell_through.append(scope["path"])
            await django_application(scope, receive, send)

        self.app = with_cached_results(django_stand_in)

    def fast(self, path: str, query: bytes = b"", headers: Any = ()) -> Answer:
        return asyncio.run(_call(self.app, path, query, list(headers)))

    def django(self, path: str, query: bytes = b"", headers: Any = ()) -> Answer:
        return asyncio.run(_call(django_application, path, query, list(headers)))


def _sorted(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return sorted((name.lower(), value) for name, value in headers)


@pytest.mark.parametrize(
    ("role", "query"),
    [
        ("group_member", b""),
        ("group_member", b"feedback_category=normal"),
        ("staff", b""),
        ("staff", b"feedback_category=staff_viewer"),
        ("admin", b"feedback_category=past_limit"),
    ],
)
def test_a_read_is_served_without_django_and_answers_as_django_does(
    world: World, role: str, query: bytes
) -> None:
    submission, _ = graded(world)
    site = Site()
    path = f"/api/submissions/{submission.pk}/results/"
    headers = [(b"cookie", cookie(world, role)), (b"accept", b"application/json")]
    fast = site.fast(path, query, headers)
    assert site.fell_through == [], "the fast path answered"
    django = site.django(path, query, headers)
    assert fast[0] == django[0] == 200
    assert _sorted(fast[1]) == _sorted(django[1])
    assert fast[2] == django[2]
    names = {name.lower() for name, _ in fast[1]}
    assert {b"x-frame-options", b"x-content-type-options", b"vary", b"content-length"} <= names


def test_what_a_student_sees_follows_the_feedback_settings(world: World) -> None:
    submission, command = graded(world)
    site = Site()
    path = f"/api/submissions/{submission.pk}/results/"
    student = [(b"cookie", cookie(world, "group_member"))]
    staff = [(b"cookie", cookie(world, "staff"))]

    def points(headers: list[tuple[bytes, bytes]]) -> Any:
        (suite,) = json.loads(site.fast(path, b"", headers)[2])["suites"]
        ((command_result,),) = [case["commands"] for case in suite["cases"]]
        return command_result["points_awarded"]

    assert points(student) is None
    assert points(staff) == 3
    # Staff show points to students: the next read (cached before) shows them.
    command.feedback = {**command.feedback, "normal": {"show_points": True}}
    command.save()
    assert points(student) == 3
    assert site.fell_through == []


@pytest.mark.parametrize(
    ("role", "query", "headers", "status"),
    [
        ("group_member", b"feedback_category=staff_viewer", [], 403),  # not theirs to ask
        ("group_member", b"feedback_category=nonsense", [], 400),
        ("group_member", b"unknown=1", [], 400),
        ("student", b"", [], 403),  # in the course, not in the group
        ("other_course_student", b"", [], 403),
        ("group_member", b"", [(b"accept", b"text/html")], 200),  # the browsable API
        ("group_member", b"", [(b"accept", b"application/json; indent=2")], 200),
    ],
)
def test_everything_else_is_left_to_django(
    world: World, role: str, query: bytes, headers: list[tuple[bytes, bytes]], status: int
) -> None:
    submission, _ = graded(world)
    site = Site()
    path = f"/api/submissions/{submission.pk}/results/"
    all_headers = [(b"cookie", cookie(world, role)), *headers]
    fast = site.fast(path, query, all_headers)
    assert site.fell_through == [path]
    django = site.django(path, query, all_headers)
    assert fast[0] == django[0] == status
    if (b"accept", b"text/html") in headers:  # each page has a CSRF token of its own
        assert b"<!DOCTYPE html>" in fast[2]
    else:
        assert fast[2] == django[2]


def test_a_missing_submission_a_token_and_a_dead_session_go_to_django(world: World) -> None:
    submission, _ = graded(world)
    site = Site()
    member = cookie(world, "group_member")
    missing = site.fast("/api/submissions/999999/results/", b"", [(b"cookie", member)])
    assert missing[0] == 404
    path = f"/api/submissions/{submission.pk}/results/"
    name = django_settings.SESSION_COOKIE_NAME.encode()
    dead = site.fast(path, b"", [(b"cookie", name + b"=no-such-session")])
    assert dead[0] in (401, 403)
    token = site.fast(path, b"", [(b"cookie", member), (b"authorization", b"Token nonsense")])
    assert token[0] in (401, 403)
    assert site.fell_through == [
        "/api/submissions/999999/results/",
        path,
        path,
    ]


def test_a_deactivated_user_is_refused_at_once(world: World) -> None:
    submission, _ = graded(world)
    site = Site()
    path = f"/api/submissions/{submission.pk}/results/"
    member = [(b"cookie", cookie(world, "group_member"))]
    assert site.fast(path, b"", member)[0] == 200
    user = world.users["group_member"]
    user.is_active = False
    user.save()
    assert site.fast(path, b"", member)[0] in (401, 403)
    assert site.fell_through == [path]


@pytest.mark.parametrize(
    "role",
    [
        "anonymous",
        "other_course_student",
        "student",
        "group_member",
        "handgrader",
        "staff",
        "admin",
        "superuser",
    ],
)
def test_every_role_gets_what_django_gives_it(world: World, role: str) -> None:
    submission, _ = graded(world)
    site = Site()
    path = f"/api/submissions/{submission.pk}/results/"
    headers = [] if role == "anonymous" else [(b"cookie", cookie(world, role))]
    fast = site.fast(path, b"", headers)
    django = site.django(path, b"", headers)
    assert fast[0] == django[0]
    assert fast[2] == django[2]
    served_here = fast[0] == 200
    assert site.fell_through == ([] if served_here else [path])


def test_a_password_change_ends_the_old_sessions_reads(world: World) -> None:
    submission, _ = graded(world)
    site = Site()
    path = f"/api/submissions/{submission.pk}/results/"
    member = [(b"cookie", cookie(world, "group_member"))]
    assert site.fast(path, b"", member)[0] == 200
    user = world.users["group_member"]
    assert isinstance(user, User)
    user.set_password("a new password, 2026")
    user.save()
    assert site.fast(path, b"", member)[0] in (401, 403)
    assert site.fell_through == [path]


def test_a_single_sign_on_session_is_served_too(world: World) -> None:
    submission, _ = graded(world)
    site = Site()
    client = Client()
    user = world.users["group_member"]
    assert isinstance(user, User)
    client.force_login(user, backend="autograder.accounts.oidc.backend.OidcBackend")
    name = django_settings.SESSION_COOKIE_NAME
    sso = [(b"cookie", f"{name}={client.cookies[name].value}".encode())]
    path = f"/api/submissions/{submission.pk}/results/"
    assert site.fast(path, b"", sso)[0] == 200
    assert site.fell_through == []
