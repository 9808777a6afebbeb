import pytest

from tests.conftest import ROLE_NAMES
from tests.permission_matrix import Endpoint, assert_matrix

pytestmark = pytest.mark.django_db

AUTHENTICATED = {role: 200 for role in ROLE_NAMES} | {"anonymous": 401}
SUPERUSER_ONLY = {role: 403 for role in ROLE_NAMES} | {"anonymous": 401, "superuser": 200}

ENDPOINTS = [
    Endpoint("GET", lambda w: "/api/users/me/", AUTHENTICATED),
    Endpoint("GET", lambda w: "/api/users/me/tokens/", AUTHENTICATED),
    Endpoint(
        "POST",
        lambda w: "/api/users/me/tokens/",
        AUTHENTICATED | {r: 201 for r in ROLE_NAMES if r != "anonymous"},
        body=lambda w: {"name": "ci"},
    ),
    Endpoint(
        "DELETE",
        lambda w: "/api/users/me/tokens/999999/",
        {role: 404 for role in ROLE_NAMES} | {"anonymous": 401},
    ),
    Endpoint("GET", lambda w: f"/api/users/{w.users['student'].pk}/", SUPERUSER_ONLY),
    Endpoint(
        "PATCH",
        lambda w: f"/api/users/{w.users['student'].pk}/",
        SUPERUSER_ONLY,
        body=lambda w: {"can_create_courses": True},
    ),
    Endpoint(
        "PATCH",
        lambda w: f"/api/users/{w.users['student'].pk}/",
        SUPERUSER_ONLY,
        body=lambda w: {"is_active": False},
    ),
    Endpoint("GET", lambda w: "/api/users/", SUPERUSER_ONLY),
    Endpoint("GET", lambda w: "/api/users/?search=student&active=true", SUPERUSER_ONLY),
    Endpoint(
        "POST",
        lambda w: "/api/auth/password/forgot/",
        {role: 202 for role in ROLE_NAMES},
        body=lambda w: {"email": "student@example.edu"},
    ),
    Endpoint(
        "POST",
        lambda w: "/api/auth/password/check/",
        {role: 400 for role in ROLE_NAMES},
        body=lambda w: {"uid": "MQ", "token": "bad-token"},
    ),
    Endpoint(
        "POST",
        lambda w: "/api/auth/password/set/",
        {role: 400 for role in ROLE_NAMES},
        body=lambda w: {"uid": "MQ", "token": "bad-token", "password": "long-passphrase-1"},
    ),
    Endpoint("GET", lambda w: "/api/auth/csrf/", {role: 200 for role in ROLE_NAMES}),
    Endpoint("GET", lambda w: "/api/auth/providers/", {role: 200 for role in ROLE_NAMES}),
    Endpoint("GET", lambda w: "/api/auth/oidc/none/login/", {role: 404 for role in ROLE_NAMES}),
    Endpoint("GET", lambda w: "/api/auth/oidc/callback/?state=x", {r: 400 for r in ROLE_NAMES}),
    Endpoint("POST", lambda w: "/api/auth/logout/", {role: 204 for role in ROLE_NAMES}),
]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method}")
def test_account_endpoints(endpoint: Endpoint) -> None:
    assert_matrix(endpoint)


def test_me_lists_only_my_courses(world) -> None:
    me = world.client("other_course_student").get("/api/users/me/").data
    assert [c["name"] for c in me["courses"]] == ["EECS 281"]
    assert me["courses"][0]["roles"] == ["student"]
