import pytest
from rest_framework.test import APIClient

from autograder.accounts.models import ApiToken
from autograder.courses.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


def test_password_login_starts_a_session_that_reaches_the_api() -> None:
    user = factories.make_user("alice@example.edu")
    course = factories.make_course(name="EECS 490")
    factories.add_role(course, user, Role.ADMIN)
    client = APIClient(enforce_csrf_checks=True)
    csrf = client.get("/api/auth/csrf/").data["csrf_token"]

    response = client.post(
        "/api/auth/login/",
        {"username": "alice@example.edu", "password": factories.PASSWORD},
        format="json",
        HTTP_X_CSRFTOKEN=csrf,
    )

    assert response.status_code == 200
    me = client.get("/api/users/me/")
    assert me.status_code == 200
    assert me.data["username"] == "alice@example.edu"
    assert me.data["courses"] == [
        {
            "id": course.pk,
            "name": "EECS 490",
            "semester": "fall",
            "year": 2026,
            "subtitle": "",
            "roles": ["admin", "staff"],
        }
    ]


def test_login_without_csrf_token_is_refused() -> None:
    factories.make_user("alice@example.edu")
    client = APIClient(enforce_csrf_checks=True)
    client.get("/api/auth/csrf/")
    response = client.post(
        "/api/auth/login/",
        {"username": "alice@example.edu", "password": factories.PASSWORD},
        format="json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.data["message"]


def test_wrong_password_gives_a_clear_400() -> None:
    factories.make_user("alice@example.edu")
    response = APIClient().post(
        "/api/auth/login/", {"username": "alice@example.edu", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert response.data["code"] == "invalid_credentials"
    assert APIClient().get("/api/users/me/").status_code == 401


def test_logout_ends_the_session() -> None:
    factories.make_user("alice@example.edu")
    client = APIClient()
    client.post(
        "/api/auth/login/",
        {"username": "alice@example.edu", "password": factories.PASSWORD},
        format="json",
    )
    assert client.post("/api/auth/logout/").status_code == 204
    assert client.get("/api/users/me/").status_code == 401


def test_api_token_lifecycle_create_use_list_revoke() -> None:
    user = factories.make_user("bot@example.edu")
    session = APIClient()
    session.force_authenticate(user)

    created = session.post("/api/users/me/tokens/", {"name": "gradebook sync"}, format="json")
    assert created.status_code == 201
    key = created.data["key"]
    assert not ApiToken.objects.filter(key_hash=key).exists()

    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert script.get("/api/users/me/").data["username"] == "bot@example.edu"

    listed = session.get("/api/users/me/tokens/").data
    assert listed["count"] == 1
    assert listed["results"][0]["name"] == "gradebook sync"
    assert "key" not in listed["results"][0]
    assert listed["results"][0]["last_used_at"] is not None

    token_id = created.data["id"]
    assert session.delete(f"/api/users/me/tokens/{token_id}/").status_code == 204
    refused = script.get("/api/users/me/")
    assert refused.status_code == 401
    assert refused.data["message"] == "Invalid or revoked API token."


def test_a_user_cannot_revoke_someone_elses_token() -> None:
    owner = factories.make_user()
    token = ApiToken.objects.create(user=owner, name="x", prefix="abc", key_hash="0" * 64)
    other = APIClient()
    other.force_authenticate(factories.make_user())
    assert other.delete(f"/api/users/me/tokens/{token.pk}/").status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


@pytest.mark.parametrize(
    "header", ["Token", "Token a b", "Token \u00ff\u00fe", "Token not-a-real-key"]
)
def test_malformed_or_unknown_tokens_are_401(header: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/users/me/").status_code == 401


def test_token_name_is_required_and_unknown_fields_are_named() -> None:
    client = APIClient()
    client.force_authenticate(factories.make_user())
    response = client.post("/api/users/me/tokens/", {"nam": "typo"}, format="json")
    assert response.status_code == 400
    assert set(response.data["fields"]) == {"nam", "name"}


def test_superuser_grants_course_creation() -> None:
    root = factories.make_user(is_superuser=True)
    teacher = factories.make_user()
    client = APIClient()
    client.force_authenticate(root)
    response = client.patch(
        f"/api/users/{teacher.pk}/", {"can_create_courses": True}, format="json"
    )
    assert response.status_code == 200
    teacher.refresh_from_db()
    assert teacher.can_create_courses


def test_grant_rejects_wrong_types() -> None:
    client = APIClient()
    client.force_authenticate(factories.make_user(is_superuser=True))
    target = factories.make_user()
    response = client.patch(
        f"/api/users/{target.pk}/", {"can_create_courses": "perhaps"}, format="json"
    )
    assert response.status_code == 400
    assert "can_create_courses" in response.data["fields"]


def test_django_admin_is_for_superusers_only(client: object) -> None:
    from django.test import Client

    browser = Client()
    browser.force_login(factories.make_user(is_staff=False))
    assert browser.get("/admin/").status_code == 302
    browser.force_login(factories.make_user(is_superuser=True, is_staff=True))
    assert browser.get("/admin/accounts/user/").status_code == 200
