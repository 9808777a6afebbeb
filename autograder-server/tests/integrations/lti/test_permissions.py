"""Every LTI endpoint for every role."""

from typing import Any

import pytest

from autograder.integrations.lti.models import LtiPlatform
from tests.conftest import ROLE_NAMES, World
from tests.permission_matrix import Endpoint, assert_matrix

pytestmark = pytest.mark.django_db


def roles(**statuses: int) -> dict[str, int]:
    return {"anonymous": 401, "other_course_student": 403} | statuses


SUPERUSER_ONLY = roles(
    student=403, group_member=403, handgrader=403, staff=403, admin=403, superuser=200
)
STAFF_ONLY = roles(
    student=403, group_member=403, handgrader=403, staff=200, admin=200, superuser=200
)
ADMIN_ONLY = roles(
    student=403, group_member=403, handgrader=403, staff=403, admin=200, superuser=200
)
EVERYONE = {role: 200 for role in ROLE_NAMES}

REGISTRATION = {
    "name": "Canvas",
    "issuer": "https://canvas.example.edu",
    "client_id": "1000000000001",
    "deployment_ids": ["1:abc"],
    "keyset_url": "https://canvas.example.edu/api/lti/security/jwks",
    "auth_login_url": "https://canvas.example.edu/api/lti/authorize_redirect",
    "auth_token_url": "https://canvas.example.edu/login/oauth2/token",
}


def platform_url(w: World) -> str:
    found = LtiPlatform.objects.create(**REGISTRATION)
    return f"/api/lti/platforms/{found.pk}/"


def course(w: World, tail: str = "") -> str:
    return f"/api/courses/{w.course.pk}/lti/{tail}"


def project_body(w: World) -> dict[str, Any]:
    return {"project": w.project.pk}


ENDPOINTS: dict[str, Endpoint] = {
    "our keyset": Endpoint("GET", lambda w: "/api/lti/jwks/", EVERYONE),
    "tool URLs": Endpoint("GET", lambda w: "/api/lti/tool/", SUPERUSER_ONLY),
    "list platforms": Endpoint("GET", lambda w: "/api/lti/platforms/", SUPERUSER_ONLY),
    "add platform": Endpoint(
        "POST",
        lambda w: "/api/lti/platforms/",
        SUPERUSER_ONLY | {"superuser": 201},
        body=lambda w: REGISTRATION,
    ),
    "platform detail": Endpoint("GET", platform_url, SUPERUSER_ONLY),
    "edit platform": Endpoint(
        "PATCH", platform_url, SUPERUSER_ONLY, body=lambda w: {"name": "Canvas (test)"}
    ),
    "delete platform": Endpoint("DELETE", platform_url, SUPERUSER_ONLY | {"superuser": 204}),
    "missing platform": Endpoint(
        "GET", lambda w: "/api/lti/platforms/999999/", SUPERUSER_ONLY | {"superuser": 404}
    ),
    "course link status": Endpoint("GET", course, STAFF_ONLY),
    "missing course link status": Endpoint(
        "GET",
        lambda w: "/api/courses/999999/lti/",
        {role: 404 for role in ROLE_NAMES} | {"anonymous": 401},
    ),
    "unlink course": Endpoint("DELETE", course, ADMIN_ONLY | {"admin": 204, "superuser": 204}),
    "sync roster of an unlinked course": Endpoint(
        "POST",
        lambda w: course(w, "sync_roster/"),
        ADMIN_ONLY | {"admin": 409, "superuser": 409},
    ),
    "grade passback status": Endpoint("GET", lambda w: course(w, "grades/"), STAFF_ONLY),
    "send grades of an unlinked course": Endpoint(
        "POST",
        lambda w: course(w, "grades/send/"),
        STAFF_ONLY | {"staff": 409, "admin": 409, "superuser": 409},
        body=project_body,
    ),
}


@pytest.mark.parametrize("name", ENDPOINTS)
def test_permission_matrix(name: str) -> None:
    assert_matrix(ENDPOINTS[name])


# The launch pages are for browsers coming from an LMS: API credentials open nothing there.
BROWSER_PAGES: dict[str, Endpoint] = {
    "login without a platform": Endpoint(
        "GET", lambda w: "/api/lti/login/", {role: 400 for role in ROLE_NAMES}
    ),
    "launch without an id_token": Endpoint(
        "POST", lambda w: "/api/lti/launch/", {role: 403 for role in ROLE_NAMES}, body=lambda w: {}
    ),
    "link page without an instructor launch": Endpoint(
        "GET", lambda w: "/api/lti/link/1/", {role: 403 for role in ROLE_NAMES}
    ),
}


@pytest.mark.parametrize("name", BROWSER_PAGES)
def test_browser_pages(name: str) -> None:
    assert_matrix(BROWSER_PAGES[name])
