from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from autograder.projects import services
from tests import factories
from tests.conftest import ROLE_NAMES, World
from tests.permission_matrix import Endpoint, assert_matrix

pytestmark = pytest.mark.django_db

STUDENTS = ("student", "group_member")


def _expect(default: int, **overrides: int) -> dict[str, int]:
    """`default` for every enrolled role; anonymous 401 and a student of another course 403
    unless overridden."""
    statuses = dict.fromkeys(ROLE_NAMES, default)
    statuses |= {"anonymous": 401, "other_course_student": 403}
    return statuses | overrides


def _admin_only(success: int) -> dict[str, int]:
    return _expect(403, admin=success, superuser=success)


def _admin_only_hidden(success: int) -> dict[str, int]:
    """Admin-only writes under a hidden project: students must not learn it exists."""
    return _admin_only(success) | dict.fromkeys(STUDENTS, 404)


def _staff_only(success: int) -> dict[str, int]:
    return _expect(403, staff=success, admin=success, superuser=success)


READ_ALL = _expect(200)
READ_HIDDEN = _expect(200) | dict.fromkeys(STUDENTS, 404)


def _expected_file(w: World, *, hidden: bool = False) -> int:
    project = w.hidden_project if hidden else w.project
    return int(factories.make_expected_file(project, "*.py", 1, 2).pk)


def _instructor_file(w: World, *, hidden: bool = False) -> int:
    project = w.hidden_project if hidden else w.project
    created = services.instructor_file_create(
        project=project, name="driver.py", content=ContentFile(b"secret tests")
    )
    return int(created.pk)


def _upload(name: str = "new.txt", data: bytes = b"data") -> dict[str, Any]:
    return {"file": SimpleUploadedFile(name, data)}


def _names(response: Any) -> set[str]:
    return {item["name"] for item in response.data["results"]}


def _check_project_list(w: World, role: str, response: Any) -> None:
    if role in STUDENTS:
        assert _names(response) == {w.project.name}
    else:
        assert _names(response) == {w.project.name, w.hidden_project.name}


def _check_no_instructor_files(w: World, role: str, response: Any) -> None:
    assert "instructor_files" not in response.data
    assert response.data["name"] == w.project.name


def _check_content(w: World, role: str, response: Any) -> None:
    assert b"".join(response.streaming_content) == b"secret tests"


PROJECT_ENDPOINTS = [
    Endpoint(
        "GET",
        lambda w: f"/api/courses/{w.course.pk}/projects/",
        READ_ALL,
        check=_check_project_list,
    ),
    Endpoint(
        "POST",
        lambda w: f"/api/courses/{w.course.pk}/projects/",
        _admin_only(201),
        body=lambda w: {"name": "P9 New"},
    ),
    Endpoint(
        "GET",
        lambda w: f"/api/projects/{w.project.pk}/",
        READ_ALL,
        check=_check_no_instructor_files,
    ),
    Endpoint("GET", lambda w: f"/api/projects/{w.hidden_project.pk}/", READ_HIDDEN),
    Endpoint(
        "PATCH",
        lambda w: f"/api/projects/{w.project.pk}/",
        _admin_only(200),
        body=lambda w: {"name": "Renamed"},
    ),
    Endpoint(
        "PATCH",
        lambda w: f"/api/projects/{w.hidden_project.pk}/",
        _admin_only_hidden(200),
        body=lambda w: {"visible_to_students": True},
    ),
    Endpoint("DELETE", lambda w: f"/api/projects/{w.project.pk}/", _admin_only(204)),
    Endpoint("DELETE", lambda w: f"/api/projects/{w.hidden_project.pk}/", _admin_only_hidden(204)),
    Endpoint(
        "POST",
        lambda w: f"/api/projects/{w.project.pk}/copy/",
        _admin_only(201),
        body=lambda w: {"target_course": w.course.pk},
    ),
    Endpoint(
        "POST",
        lambda w: f"/api/projects/{w.hidden_project.pk}/copy/",
        _admin_only_hidden(201),
        body=lambda w: {"target_course": w.course.pk},
    ),
    # Admin of the source only, not of the target course.
    Endpoint(
        "POST",
        lambda w: f"/api/projects/{w.project.pk}/copy/",
        _expect(403, superuser=201),
        body=lambda w: {"target_course": w.other_course.pk},
    ),
]

EXPECTED_FILE_ENDPOINTS = [
    Endpoint("GET", lambda w: f"/api/projects/{w.project.pk}/expected_files/", READ_ALL),
    Endpoint("GET", lambda w: f"/api/projects/{w.hidden_project.pk}/expected_files/", READ_HIDDEN),
    Endpoint(
        "POST",
        lambda w: f"/api/projects/{w.project.pk}/expected_files/",
        _admin_only(201),
        body=lambda w: {"pattern": "*.cpp", "min_num_matches": 1, "max_num_matches": 3},
    ),
    Endpoint(
        "POST",
        lambda w: f"/api/projects/{w.hidden_project.pk}/expected_files/",
        _admin_only_hidden(201),
        body=lambda w: {"pattern": "*.cpp"},
    ),
    Endpoint("GET", lambda w: f"/api/expected_files/{_expected_file(w)}/", READ_ALL),
    Endpoint(
        "GET", lambda w: f"/api/expected_files/{_expected_file(w, hidden=True)}/", READ_HIDDEN
    ),
    Endpoint(
        "PATCH",
        lambda w: f"/api/expected_files/{_expected_file(w)}/",
        _admin_only(200),
        body=lambda w: {"max_num_matches": 5},
    ),
    Endpoint(
        "PATCH",
        lambda w: f"/api/expected_files/{_expected_file(w, hidden=True)}/",
        _admin_only_hidden(200),
        body=lambda w: {"max_num_matches": 5},
    ),
    Endpoint("DELETE", lambda w: f"/api/expected_files/{_expected_file(w)}/", _admin_only(204)),
    Endpoint(
        "DELETE",
        lambda w: f"/api/expected_files/{_expected_file(w, hidden=True)}/",
        _admin_only_hidden(204),
    ),
]

INSTRUCTOR_FILE_ENDPOINTS = [
    Endpoint("GET", lambda w: f"/api/projects/{w.project.pk}/instructor_files/", _staff_only(200)),
    Endpoint(
        "GET",
        lambda w: f"/api/projects/{w.hidden_project.pk}/instructor_files/",
        _staff_only(200) | dict.fromkeys(STUDENTS, 404),
    ),
    Endpoint(
        "POST",
        lambda w: f"/api/projects/{w.project.pk}/instructor_files/",
        _admin_only(201),
        body=lambda w: _upload(),
        fmt="multipart",
    ),
    Endpoint("GET", lambda w: f"/api/instructor_files/{_instructor_file(w)}/", _staff_only(200)),
    Endpoint(
        "GET",
        lambda w: f"/api/instructor_files/{_instructor_file(w, hidden=True)}/",
        _staff_only(200) | dict.fromkeys(STUDENTS, 404),
    ),
    Endpoint(
        "PATCH",
        lambda w: f"/api/instructor_files/{_instructor_file(w)}/",
        _admin_only(200),
        body=lambda w: {"name": "renamed.py"},
    ),
    Endpoint(
        "PUT",
        lambda w: f"/api/instructor_files/{_instructor_file(w)}/",
        _admin_only(200),
        body=lambda w: _upload("ignored.py", b"new"),
        fmt="multipart",
    ),
    Endpoint("DELETE", lambda w: f"/api/instructor_files/{_instructor_file(w)}/", _admin_only(204)),
    Endpoint(
        "GET",
        lambda w: f"/api/instructor_files/{_instructor_file(w)}/content/",
        _staff_only(200),
        check=_check_content,
    ),
    Endpoint(
        "GET",
        lambda w: f"/api/instructor_files/{_instructor_file(w, hidden=True)}/content/",
        _staff_only(200) | dict.fromkeys(STUDENTS, 404),
    ),
]


def _id(endpoint: Endpoint) -> str:
    return endpoint.method


@pytest.mark.parametrize("endpoint", PROJECT_ENDPOINTS, ids=_id)
def test_project_endpoints(endpoint: Endpoint) -> None:
    assert_matrix(endpoint)


@pytest.mark.parametrize("endpoint", EXPECTED_FILE_ENDPOINTS, ids=_id)
def test_expected_file_endpoints(endpoint: Endpoint) -> None:
    assert_matrix(endpoint)


@pytest.mark.parametrize("endpoint", INSTRUCTOR_FILE_ENDPOINTS, ids=_id)
def test_instructor_file_endpoints(endpoint: Endpoint) -> None:
    assert_matrix(endpoint)


@pytest.mark.parametrize(
    "url",
    [
        "/api/courses/999999/projects/",
        "/api/projects/999999/",
        "/api/projects/999999/expected_files/",
        "/api/expected_files/999999/",
        "/api/projects/999999/instructor_files/",
        "/api/instructor_files/999999/",
        "/api/instructor_files/999999/content/",
    ],
)
def test_missing_objects_are_404_for_members_and_401_for_anonymous(world: World, url: str) -> None:
    assert world.client("staff").get(url).status_code == 404
    assert world.client("anonymous").get(url).status_code == 401
