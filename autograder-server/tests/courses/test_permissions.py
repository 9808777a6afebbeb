from typing import Any

import pytest
from django.urls import resolve

from autograder.accounts.models import User
from autograder.courses.urls import urlpatterns
from tests.conftest import ROLE_NAMES, World
from tests.permission_matrix import Endpoint, assert_matrix

pytestmark = pytest.mark.django_db


def roles(**statuses: int) -> dict[str, int]:
    """Anonymous → 401 and a student of another course → 403 unless given."""
    return {"anonymous": 401, "other_course_student": 403} | statuses


ANY_ROLE = roles(student=200, group_member=200, handgrader=200, staff=200, admin=200, superuser=200)
STAFF_ONLY = roles(
    student=403, group_member=403, handgrader=403, staff=200, admin=200, superuser=200
)
ADMIN_ONLY = roles(
    student=403, group_member=403, handgrader=403, staff=403, admin=200, superuser=200
)
SUPERUSER_ONLY = ADMIN_ONLY | {"admin": 403}
EVERYONE_SIGNED_IN = {role: 200 for role in ROLE_NAMES} | {"anonymous": 401}
MISSING = {role: 404 for role in ROLE_NAMES} | {"anonymous": 401}


def granted(body: dict[str, Any]) -> Any:
    """A body builder that first lets every user of the world create courses."""

    def build(w: World) -> dict[str, Any]:
        for found in w.users.values():
            if isinstance(found, User):
                found.can_create_courses = True
                found.save(update_fields=["can_create_courses"])
        return body

    return build


def student_id(w: World) -> int:
    found = w.users["student"]
    assert isinstance(found, User)
    return found.pk


def course(w: World) -> str:
    return f"/api/courses/{w.course.pk}/"


NEW_COURSE = {"name": "EECS 370", "semester": "winter", "year": 2027}
ONE_STUDENT = {"users": ["student@example.edu"]}

ENDPOINTS: dict[str, Endpoint] = {
    "list courses": Endpoint("GET", lambda w: "/api/courses/", EVERYONE_SIGNED_IN),
    "create course": Endpoint(
        "POST",
        lambda w: "/api/courses/",
        {role: 403 for role in ROLE_NAMES} | {"anonymous": 401, "superuser": 201},
        body=lambda w: NEW_COURSE,
    ),
    "create course with can_create_courses": Endpoint(
        "POST",
        lambda w: "/api/courses/",
        {role: 201 for role in ROLE_NAMES} | {"anonymous": 401},
        body=granted(NEW_COURSE),
    ),
    "course detail": Endpoint("GET", course, ANY_ROLE),
    "course detail of missing course": Endpoint("GET", lambda w: "/api/courses/999999/", MISSING),
    "edit course": Endpoint("PATCH", course, ADMIN_ONLY, body=lambda w: {"subtitle": "New"}),
    "delete course": Endpoint("DELETE", course, SUPERUSER_ONLY | {"superuser": 204}),
    "delete missing course": Endpoint("DELETE", lambda w: "/api/courses/999999/", MISSING),
    "copy course": Endpoint(
        "POST",
        lambda w: f"{course(w)}copy/",
        SUPERUSER_ONLY | {"superuser": 201},
        body=lambda w: NEW_COURSE,
    ),
    "copy course with can_create_courses": Endpoint(
        "POST",
        lambda w: f"{course(w)}copy/",
        ADMIN_ONLY | {"admin": 201, "superuser": 201},
        body=granted(NEW_COURSE),
    ),
    "copy missing course": Endpoint(
        "POST", lambda w: "/api/courses/999999/copy/", MISSING, body=granted(NEW_COURSE)
    ),
    "list student roster": Endpoint("GET", lambda w: f"{course(w)}roster/student/", STAFF_ONLY),
    "list admin roster": Endpoint("GET", lambda w: f"{course(w)}roster/admin/", STAFF_ONLY),
    "list roster of unknown role": Endpoint("GET", lambda w: f"{course(w)}roster/dean/", MISSING),
    "list roster of missing course": Endpoint(
        "GET", lambda w: "/api/courses/999999/roster/student/", MISSING
    ),
    "add students": Endpoint(
        "POST",
        lambda w: f"{course(w)}roster/student/",
        ADMIN_ONLY,
        body=lambda w: {"users": ["new@example.edu"]},
    ),
    "add staff": Endpoint(
        "POST",
        lambda w: f"{course(w)}roster/staff/",
        ADMIN_ONLY,
        body=lambda w: {"text": "ta1@example.edu, ta2@example.edu"},
    ),
    "add admins": Endpoint(
        "POST",
        lambda w: f"{course(w)}roster/admin/",
        ADMIN_ONLY,
        body=lambda w: {"users": ["staff@example.edu"]},
    ),
    "remove students": Endpoint(
        "DELETE", lambda w: f"{course(w)}roster/student/", ADMIN_ONLY, body=lambda w: ONE_STUDENT
    ),
    "remove handgraders": Endpoint(
        "DELETE",
        lambda w: f"{course(w)}roster/handgrader/",
        ADMIN_ONLY,
        body=lambda w: {"users": ["grader@example.edu"]},
    ),
    "replace students": Endpoint(
        "PUT", lambda w: f"{course(w)}roster/student/", ADMIN_ONLY, body=lambda w: ONE_STUDENT
    ),
    "replace admins": Endpoint(
        "PUT",
        lambda w: f"{course(w)}roster/admin/",
        ADMIN_ONLY,
        body=lambda w: {"users": ["admin@example.edu", "staff@example.edu"]},
    ),
    "preview adding students": Endpoint(
        "POST",
        lambda w: f"{course(w)}roster/student/preview/",
        ADMIN_ONLY,
        body=lambda w: {"text": "Carol New <carol.new@example.edu>\nnot-an-email"},
    ),
    "preview replacing admins": Endpoint(
        "POST",
        lambda w: f"{course(w)}roster/admin/preview/",
        ADMIN_ONLY,
        body=lambda w: {"users": ["staff@example.edu"], "mode": "replace"},
    ),
    "preview a roster of an unknown role": Endpoint(
        "POST",
        lambda w: f"{course(w)}roster/dean/preview/",
        MISSING,
        body=lambda w: {"text": "a@example.edu"},
    ),
    "preview a roster of a missing course": Endpoint(
        "POST",
        lambda w: "/api/courses/999999/roster/student/preview/",
        MISSING,
        body=lambda w: {"text": "a@example.edu"},
    ),
    "list late days": Endpoint("GET", lambda w: f"{course(w)}late_days/", STAFF_ONLY),
    "a student's late days": Endpoint(
        "GET",
        lambda w: f"{course(w)}late_days/{student_id(w)}/",
        STAFF_ONLY | {"student": 200},
    ),
    "set a student's late days": Endpoint(
        "PUT",
        lambda w: f"{course(w)}late_days/{student_id(w)}/",
        ADMIN_ONLY,
        body=lambda w: {"remaining": 9},
    ),
    "late days in missing course": Endpoint(
        "GET", lambda w: f"/api/courses/999999/late_days/{student_id(w)}/", MISSING
    ),
}


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_course_endpoints(name: str) -> None:
    assert_matrix(ENDPOINTS[name])


def test_every_route_and_method_has_a_row(world: World) -> None:
    covered = {
        (resolve(e.url(world)).func.view_class, e.method.lower())  # type: ignore[attr-defined]
        for e in ENDPOINTS.values()
        if "999999" not in e.url(world)
    }
    served = {
        (pattern.callback.view_class, method)  # type: ignore[union-attr]
        for pattern in urlpatterns
        for method in ("get", "post", "put", "patch", "delete")
        if hasattr(pattern.callback.view_class, method)  # type: ignore[union-attr]
    }
    assert served - covered == set()
