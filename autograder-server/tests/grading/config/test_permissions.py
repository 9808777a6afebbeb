"""Who may read and change the test configuration: staff read, admins write; students and
handgraders get 403 (404 under a hidden project); presets are for any logged-in user."""

from collections.abc import Callable
from typing import Any

import pytest

from autograder.grading.config import services
from autograder.grading.config.models import AGTestCase, AGTestCommand, AGTestSuite
from autograder.projects.models import Project
from tests.conftest import ROLE_NAMES, World
from tests.permission_matrix import Endpoint, assert_matrix

pytestmark = pytest.mark.django_db

STUDENTS = ("student", "group_member")


def _expect(**allowed: int) -> dict[str, int]:
    statuses = dict.fromkeys(ROLE_NAMES, 403) | {"anonymous": 401}
    return statuses | allowed


def _staff(success: int) -> dict[str, int]:
    return _expect(staff=success, admin=success, superuser=success)


def _admin(success: int) -> dict[str, int]:
    return _expect(admin=success, superuser=success)


def _hiding(statuses: dict[str, int]) -> dict[str, int]:
    """Under a hidden project, students must not learn it exists."""
    return statuses | dict.fromkeys(STUDENTS, 404)


def _project(w: World, hidden: bool) -> Project:
    return w.hidden_project if hidden else w.project


def _suite(w: World, hidden: bool) -> AGTestSuite:
    """The same fixture suite however often it is asked for within one world."""
    project = _project(w, hidden)
    found = AGTestSuite.objects.filter(project=project, name="Fixture").first()
    return found or services.suite_create(project=project, name="Fixture")


def _case(w: World, hidden: bool) -> AGTestCase:
    suite = _suite(w, hidden)
    found = suite.cases.filter(name="Fixture case").first()
    return found or services.case_create(suite=suite, name="Fixture case")


def _command(w: World, hidden: bool) -> AGTestCommand:
    case = _case(w, hidden)
    found = case.commands.filter(name="Fixture command").first()
    return found or services.command_create(case=case, name="Fixture command", cmd="true")


def _url(make: Callable[[World, bool], str], hidden: bool) -> Callable[[World], str]:
    return lambda w: make(w, hidden)


def _body(
    make: Callable[[World, bool], dict[str, Any]] | None, hidden: bool
) -> Callable[[World], dict[str, Any]] | None:
    if make is None:
        return None
    return lambda w: make(w, hidden)


def _both(
    method: str,
    url: Callable[[World, bool], str],
    statuses: dict[str, int],
    body: Callable[[World, bool], dict[str, Any]] | None = None,
) -> list[Endpoint]:
    """The endpoint under a visible and under a hidden project."""
    return [
        Endpoint(
            method,
            _url(url, hidden),
            _hiding(statuses) if hidden else statuses,
            body=_body(body, hidden),
        )
        for hidden in (False, True)
    ]


def _suites_url(w: World, hidden: bool) -> str:
    return f"/api/projects/{_project(w, hidden).pk}/suites/"


def _suite_url(w: World, hidden: bool) -> str:
    return f"/api/suites/{_suite(w, hidden).pk}/"


def _case_url(w: World, hidden: bool) -> str:
    return f"/api/cases/{_case(w, hidden).pk}/"


def _command_url(w: World, hidden: bool) -> str:
    return f"/api/commands/{_command(w, hidden).pk}/"


ENDPOINTS = [
    # Suites
    *_both("GET", _suites_url, _staff(200)),
    *_both("POST", _suites_url, _admin(201), body=lambda w, h: {"name": "New suite"}),
    *_both("GET", lambda w, h: f"{_suites_url(w, h)}order/", _staff(200)),
    *_both(
        "PUT",
        lambda w, h: f"{_suites_url(w, h)}order/",
        _admin(200),
        body=lambda w, h: {"ids": [_suite(w, h).pk]},
    ),
    *_both("GET", lambda w, h: f"/api/projects/{_project(w, h).pk}/sandbox_images/", _staff(200)),
    *_both("GET", _suite_url, _staff(200)),
    *_both("PATCH", _suite_url, _admin(200), body=lambda w, h: {"setup_command": "make"}),
    *_both("DELETE", _suite_url, _admin(204)),
    *_both(
        "POST",
        lambda w, h: f"{_suite_url(w, h)}copy/",
        _admin(201),
        body=lambda w, h: {"target_project": w.project.pk},
    ),
    # Test cases
    *_both("GET", lambda w, h: f"{_suite_url(w, h)}cases/", _staff(200)),
    *_both(
        "POST",
        lambda w, h: f"{_suite_url(w, h)}cases/",
        _admin(201),
        body=lambda w, h: {"name": "New case"},
    ),
    *_both("GET", lambda w, h: f"{_suite_url(w, h)}cases/order/", _staff(200)),
    *_both(
        "PUT",
        lambda w, h: f"{_suite_url(w, h)}cases/order/",
        _admin(200),
        body=lambda w, h: {"ids": [_case(w, h).pk]},
    ),
    *_both("GET", _case_url, _staff(200)),
    *_both("PATCH", _case_url, _admin(200), body=lambda w, h: {"name": "Renamed"}),
    *_both("DELETE", _case_url, _admin(204)),
    # Commands
    *_both("GET", lambda w, h: f"{_case_url(w, h)}commands/", _staff(200)),
    *_both(
        "POST",
        lambda w, h: f"{_case_url(w, h)}commands/",
        _admin(201),
        body=lambda w, h: {"name": "New command", "cmd": "echo hi"},
    ),
    *_both("GET", lambda w, h: f"{_case_url(w, h)}commands/order/", _staff(200)),
    *_both(
        "PUT",
        lambda w, h: f"{_case_url(w, h)}commands/order/",
        _admin(200),
        body=lambda w, h: {"ids": [_command(w, h).pk]},
    ),
    *_both("GET", _command_url, _staff(200)),
    *_both("PATCH", _command_url, _admin(200), body=lambda w, h: {"time_limit_s": 20}),
    *_both("DELETE", _command_url, _admin(204)),
    # Copying to a project of another course needs admin there too.
    Endpoint(
        "POST",
        lambda w: _suite_url(w, False) + "copy/",
        _expect(superuser=201),
        body=lambda w: {
            "target_project": Project.objects.create(course=w.other_course, name="Theirs").pk
        },
    ),
    # Moving a test case is a PATCH like any other.
    Endpoint(
        "PATCH",
        lambda w: _case_url(w, False),
        _admin(200),
        body=lambda w: {
            "suite": services.suite_create(project=w.project, name="Target").pk,
        },
    ),
    # Presets are the same for everyone logged in.
    Endpoint(
        "GET",
        lambda w: "/api/feedback_presets/",
        dict.fromkeys(ROLE_NAMES, 200) | {"anonymous": 401},
    ),
]


@pytest.mark.parametrize(
    "endpoint", ENDPOINTS, ids=[f"{i}-{e.method}" for i, e in enumerate(ENDPOINTS)]
)
def test_permissions(endpoint: Endpoint) -> None:
    assert_matrix(endpoint)


def test_every_route_and_method_has_a_row(world: World) -> None:
    methods: dict[str, set[str]] = {}
    for endpoint in ENDPOINTS:
        url = endpoint.url(world)
        route = "/".join("{id}" if part.isdigit() else part for part in url.split("/"))
        methods.setdefault(route, set()).add(endpoint.method)
    assert methods == {
        "/api/projects/{id}/suites/": {"GET", "POST"},
        "/api/projects/{id}/suites/order/": {"GET", "PUT"},
        "/api/projects/{id}/sandbox_images/": {"GET"},
        "/api/suites/{id}/": {"GET", "PATCH", "DELETE"},
        "/api/suites/{id}/copy/": {"POST"},
        "/api/suites/{id}/cases/": {"GET", "POST"},
        "/api/suites/{id}/cases/order/": {"GET", "PUT"},
        "/api/cases/{id}/": {"GET", "PATCH", "DELETE"},
        "/api/cases/{id}/commands/": {"GET", "POST"},
        "/api/cases/{id}/commands/order/": {"GET", "PUT"},
        "/api/commands/{id}/": {"GET", "PATCH", "DELETE"},
        "/api/feedback_presets/": {"GET"},
    }
