"""Every bulk-download endpoint, method and role: course staff and admins only."""

import pytest

from autograder.exports import services
from autograder.exports.models import ExportKind
from autograder.projects.models import Project
from tests.conftest import ROLE_NAMES, World
from tests.permission_matrix import Endpoint, assert_matrix

pytestmark = pytest.mark.django_db


def roles(**statuses: int) -> dict[str, int]:
    """Anonymous → 401 and a student of another course → 403 unless given."""
    return {"anonymous": 401, "other_course_student": 403} | statuses


def staff_only(ok: int = 200, students: int = 403) -> dict[str, int]:
    return roles(
        student=students, group_member=students, handgrader=403, staff=ok, admin=ok, superuser=ok
    )


MISSING = {role: 404 for role in ROLE_NAMES} | {"anonymous": 401}


def built(project: Project) -> int:
    """A finished download of `project` (its file built)."""
    task = services.export_create(project=project, creator=None, kind=ExportKind.FINAL_SCORES)
    services.export_build(task_id=task.pk)
    return task.pk


def queued(project: Project) -> int:
    return services.export_create(project=project, creator=None, kind=ExportKind.ALL_FILES).pk


def create(w: World) -> dict[str, object]:
    return {"kind": "final_files", "include_staff": True}


ENDPOINTS: dict[str, Endpoint] = {
    "list": Endpoint("GET", lambda w: f"/api/projects/{w.project.pk}/exports/", staff_only()),
    "list in hidden project": Endpoint(
        "GET", lambda w: f"/api/projects/{w.hidden_project.pk}/exports/", staff_only(students=404)
    ),
    "list in missing project": Endpoint("GET", lambda w: "/api/projects/999999/exports/", MISSING),
    "start": Endpoint(
        "POST", lambda w: f"/api/projects/{w.project.pk}/exports/", staff_only(201), body=create
    ),
    "start in hidden project": Endpoint(
        "POST",
        lambda w: f"/api/projects/{w.hidden_project.pk}/exports/",
        staff_only(201, students=404),
        body=create,
    ),
    "progress": Endpoint("GET", lambda w: f"/api/exports/{queued(w.project)}/", staff_only()),
    "progress in hidden project": Endpoint(
        "GET", lambda w: f"/api/exports/{queued(w.hidden_project)}/", staff_only(students=404)
    ),
    "missing": Endpoint("GET", lambda w: "/api/exports/999999/", MISSING),
    "file": Endpoint("GET", lambda w: f"/api/exports/{built(w.project)}/file/", staff_only()),
    "file in hidden project": Endpoint(
        "GET", lambda w: f"/api/exports/{built(w.hidden_project)}/file/", staff_only(students=404)
    ),
    "file not built yet": Endpoint(
        "GET",
        lambda w: f"/api/exports/{queued(w.project)}/file/",
        staff_only(404),
    ),
    "delete": Endpoint("DELETE", lambda w: f"/api/exports/{built(w.project)}/", staff_only(204)),
    "cancel a queued one": Endpoint(
        "DELETE", lambda w: f"/api/exports/{queued(w.project)}/", staff_only(204)
    ),
    "delete in hidden project": Endpoint(
        "DELETE",
        lambda w: f"/api/exports/{built(w.hidden_project)}/",
        staff_only(204, students=404),
    ),
    "delete missing": Endpoint("DELETE", lambda w: "/api/exports/999999/", MISSING),
}


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_export_endpoints(name: str) -> None:
    assert_matrix(ENDPOINTS[name])
