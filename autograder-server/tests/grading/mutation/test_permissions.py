"""Who may read and change mutation suites: staff read, admins write; students and
handgraders get 403 (404 under a hidden project)."""

from collections.abc import Callable
from typing import Any

import pytest

from autograder.grading.mutation import services
from autograder.grading.mutation.models import MutationTestSuite
from autograder.projects.models import Project
from tests.conftest import ROLE_NAMES, World
from tests.permission_matrix import Endpoint, assert_matrix

pytestmark = pytest.mark.django_db

STUDENTS = ("student", "group_member")
CREATE = {
    "name": "New",
    "buggy_impl_names": ["b1"],
    "get_student_test_names_command": "./list",
    "validity_check_command": "./t ${student_test_name}",
    "grade_buggy_impl_command": "./t ${buggy_impl_name} ${student_test_name}",
}


def _expect(**allowed: int) -> dict[str, int]:
    return dict.fromkeys(ROLE_NAMES, 403) | {"anonymous": 401} | allowed


def _project(w: World, hidden: bool) -> Project:
    return w.hidden_project if hidden else w.project


def _suite(w: World, hidden: bool) -> MutationTestSuite:
    project = _project(w, hidden)
    found = MutationTestSuite.objects.filter(project=project, name="Fixture").first()
    return found or services.mutation_suite_create(
        project=project, **(CREATE | {"name": "Fixture"})
    )


def _bind(make: Callable[[World, bool], Any], hidden: bool) -> Callable[[World], Any]:
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
            _bind(url, hidden),
            statuses | dict.fromkeys(STUDENTS, 404) if hidden else statuses,
            body=None if body is None else _bind(body, hidden),
        )
        for hidden in (False, True)
    ]


STAFF = _expect(staff=200, admin=200, superuser=200)


def _admin(status: int) -> dict[str, int]:
    return _expect(admin=status, superuser=status)


def _list(w: World, h: bool) -> str:
    return f"/api/projects/{_project(w, h).pk}/mutation_suites/"


def _detail(w: World, h: bool) -> str:
    return f"/api/mutation_suites/{_suite(w, h).pk}/"


ENDPOINTS = [
    *_both("GET", _list, STAFF),
    *_both("POST", _list, _admin(201), body=lambda w, h: CREATE),
    *_both(
        "PUT",
        lambda w, h: _list(w, h) + "order/",
        _admin(200),
        body=lambda w, h: {"ids": [_suite(w, h).pk]},
    ),
    *_both("GET", _detail, STAFF),
    *_both("PATCH", _detail, _admin(200), body=lambda w, h: {"points_per_exposed_bug": 3}),
    *_both("DELETE", _detail, _admin(204)),
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
        "/api/projects/{id}/mutation_suites/": {"GET", "POST"},
        "/api/projects/{id}/mutation_suites/order/": {"PUT"},
        "/api/mutation_suites/{id}/": {"GET", "PATCH", "DELETE"},
    }
