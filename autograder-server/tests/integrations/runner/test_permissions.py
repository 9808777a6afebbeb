"""Course admins (and superusers) create, list and revoke machine keys; staff read the runner
works' callback log; the runner API itself answers machine keys only, within their scope."""

from typing import Any

import pytest

from autograder.integrations.runner.models import MachineKey
from autograder.integrations.runner.services import machine_key_revoke
from tests import factories
from tests.conftest import ROLE_NAMES, World
from tests.integrations.runner.helpers import make_key, post_work
from tests.permission_matrix import Endpoint, assert_matrix

pytestmark = pytest.mark.django_db


def only(ok: int, *roles: str) -> dict[str, int]:
    return {role: 403 for role in ROLE_NAMES} | {"anonymous": 401} | dict.fromkeys(roles, ok)


def key(w: World) -> MachineKey:
    return make_key(w.course, w.project)[0]


def no_secret_in_list(w: World, role: str, response: Any) -> None:
    assert all("key" not in k and "signing_secret" not in k for k in response.data)


ENDPOINTS = [
    Endpoint(
        "GET",
        lambda w: f"/api/courses/{w.course.pk}/machine-keys/",
        only(200, "admin", "superuser"),
        check=no_secret_in_list,
    ),
    Endpoint(
        "POST",
        lambda w: f"/api/courses/{w.course.pk}/machine-keys/",
        only(201, "admin", "superuser"),
        body=lambda w: {"name": "ci", "projects": [w.project.pk]},
    ),
    Endpoint(
        "DELETE", lambda w: f"/api/machine-keys/{key(w).pk}/", only(200, "admin", "superuser")
    ),
    Endpoint(
        "GET",
        lambda w: f"/api/projects/{w.project.pk}/runner-works/",
        only(200, "staff", "admin", "superuser"),
    ),
    Endpoint(
        "POST",
        lambda w: "/api/runner/grade/",
        dict.fromkeys(ROLE_NAMES, 401),  # a signed-in person is not a machine key
        body=lambda w: {"work_id": "1", "assignment": w.project.pk, "callback": "https://e.org/"},
        fmt="multipart",
    ),
]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method}")
def test_permissions(endpoint: Endpoint) -> None:
    assert_matrix(endpoint)


def test_a_key_runs_only_the_projects_it_lists(world: World, settings: Any) -> None:
    factories.make_expected_file(world.project, "*", 0, 10)
    factories.make_expected_file(world.hidden_project, "*", 0, 10)
    other = factories.make_project(world.other_course)
    _, secret = make_key(world.course, world.project)

    assert post_work(secret, assignment=world.project.pk).status_code == 200
    for project in (world.hidden_project, other):
        refused = post_work(secret, assignment=project.pk)
        assert refused.status_code == 403
        assert refused.json()["message"] == (
            f"assignment: This key may not run assignment {project.pk}."
        )
    assert post_work(secret, assignment=999999).status_code == 403


def test_missing_wrong_and_revoked_keys_are_401(world: World) -> None:
    factories.make_expected_file(world.project, "*", 0, 10)
    key, secret = make_key(world.course, world.project)

    for sent in (None, "not-a-key", secret + "x"):
        answer = post_work(sent, assignment=world.project.pk)
        assert answer.status_code == 401
        assert answer.json()["success"] is False
    machine_key_revoke(key=key)
    assert post_work(secret, assignment=world.project.pk).status_code == 401


def test_a_key_of_another_course_cannot_be_managed_there(world: World) -> None:
    key, _ = make_key(world.other_course, factories.make_project(world.other_course))
    admin = world.client("admin")
    assert admin.delete(f"/api/machine-keys/{key.pk}/").status_code == 403
    answer = admin.post(
        f"/api/courses/{world.course.pk}/machine-keys/",
        {"name": "x", "projects": [key.projects.get().pk]},
        format="json",
    )
    assert answer.status_code == 400
    assert "projects" in answer.data["fields"]
