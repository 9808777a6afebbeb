"""Who may preview copies, clone test cases, and export or import a project's configuration:
staff export; admins preview, clone and import; students and handgraders get 403 (404 under
a hidden project). Copying into a course one doesn't administer is a 403 (see
tests/projects/test_permissions.py for the copy endpoints themselves)."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from autograder.grading.config import services
from autograder.grading.config.models import AGTestCase
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
    return statuses | dict.fromkeys(STUDENTS, 404)


def _case(w: World, hidden: bool = False) -> AGTestCase:
    project = w.hidden_project if hidden else w.project
    suite = services.suite_create(project=project, name="Fixture")
    case = services.case_create(suite=suite, name="Fixture case")
    services.command_create(case=case, name="run", cmd="true")
    return case


def _yaml(w: World) -> dict[str, Any]:
    text = b"format: autograder-project/1\nsuites:\n  - name: Imported\n"
    return {"file": SimpleUploadedFile("project.yaml", text), "dry_run": "true"}


ENDPOINTS = [
    Endpoint("GET", lambda w: f"/api/projects/{w.project.pk}/copy_preview/", _admin(200)),
    Endpoint(
        "GET",
        lambda w: f"/api/projects/{w.hidden_project.pk}/copy_preview/",
        _hiding(_admin(200)),
    ),
    Endpoint("GET", lambda w: f"/api/courses/{w.course.pk}/copy_preview/", _admin(200)),
    Endpoint("POST", lambda w: f"/api/cases/{_case(w).pk}/clone/", _admin(201)),
    Endpoint(
        "POST", lambda w: f"/api/cases/{_case(w, hidden=True).pk}/clone/", _hiding(_admin(201))
    ),
    Endpoint("GET", lambda w: f"/api/projects/{w.project.pk}/config/export/", _staff(200)),
    Endpoint(
        "GET",
        lambda w: f"/api/projects/{w.hidden_project.pk}/config/export/?bundle=yaml",
        _hiding(_staff(200)),
    ),
    Endpoint(
        "POST",
        lambda w: f"/api/projects/{w.project.pk}/config/import/",
        _admin(200),
        body=_yaml,
        fmt="multipart",
    ),
    Endpoint(
        "POST",
        lambda w: f"/api/projects/{w.hidden_project.pk}/config/import/",
        _hiding(_admin(200)),
        body=_yaml,
        fmt="multipart",
    ),
]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.method)
def test_transfer_endpoints(endpoint: Endpoint) -> None:
    assert_matrix(endpoint)


def test_copying_a_project_with_its_tests_into_a_course_one_does_not_administer_is_403(
    world: World,
) -> None:
    _case(world)
    response = world.client("admin").post(
        f"/api/projects/{world.project.pk}/copy/",
        {"target_course": world.other_course.pk},
        format="json",
    )
    assert response.status_code == 403
    assert not world.other_course.projects.exists()
