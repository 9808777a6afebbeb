"""API tokens with an expiry, and the superuser's user page: find, grant course creation,
deactivate and reactivate."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from autograder.accounts.models import ApiToken
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_works_until_it_expires() -> None:
    user = factories.make_user("script@example.edu")
    client = APIClient()
    client.force_authenticate(user=user)
    soon = timezone.now() + datetime.timedelta(days=1)
    created = client.post("/api/users/me/tokens/", {"name": "ci", "expires_at": soon.isoformat()})
    assert created.status_code == 201
    assert created.data["expires_at"] is not None
    key = created.data["key"]

    me = token_client(key).get("/api/users/me/")
    assert me.status_code == 200
    listed = client.get("/api/users/me/tokens/").data["results"][0]
    assert listed["last_used_at"] is not None and "key" not in listed

    ApiToken.objects.filter(pk=created.data["id"]).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = token_client(key).get("/api/users/me/")
    assert expired.status_code == 401
    assert "expired" in expired.data["message"]


def test_a_token_cannot_be_created_already_expired() -> None:
    client = APIClient()
    client.force_authenticate(user=factories.make_user())
    past = timezone.now() - datetime.timedelta(minutes=1)
    response = client.post("/api/users/me/tokens/", {"name": "x", "expires_at": past.isoformat()})
    assert response.status_code == 400
    assert "expires_at" in response.data["fields"]
    assert not ApiToken.objects.exists()


def test_superusers_find_users_by_any_part_of_their_name(world: World) -> None:
    factories.make_user("zed@example.edu", first_name="Zed", last_name="Quimby")
    client = world.client("superuser")
    found = client.get("/api/users/", {"search": "quim"}).data["results"]
    assert [u["username"] for u in found] == ["zed@example.edu"]
    assert found[0]["is_active"] is True and found[0]["has_password"] is True
    everyone = client.get("/api/users/", {"search": "example.edu"}).data
    assert everyone["count"] >= 8


def test_a_deactivated_user_cannot_log_in_or_use_tokens_until_reactivated(world: World) -> None:
    user = factories.make_user("leaving@example.edu")
    session = APIClient()
    assert session.login(username="leaving@example.edu", password=factories.PASSWORD)
    token = APIClient()
    token.force_authenticate(user=user)
    key = token.post("/api/users/me/tokens/", {"name": "t"}).data["key"]
    admin = world.client("superuser")

    off = admin.patch(f"/api/users/{user.pk}/", {"is_active": False}, format="json")
    assert off.status_code == 200 and off.data["is_active"] is False
    assert session.get("/api/users/me/").status_code in (401, 403)
    assert token_client(key).get("/api/users/me/").status_code == 401
    login = APIClient().post(
        "/api/auth/login/",
        {"username": "leaving@example.edu", "password": factories.PASSWORD},
        format="json",
    )
    assert login.status_code == 400
    inactive = admin.get("/api/users/", {"active": "false"}).data["results"]
    assert [u["username"] for u in inactive] == ["leaving@example.edu"]

    assert admin.patch(f"/api/users/{user.pk}/", {"is_active": True}).status_code == 200
    assert token_client(key).get("/api/users/me/").status_code == 200


def test_superusers_cannot_deactivate_themselves(world: World) -> None:
    me = world.users["superuser"]
    response = world.client("superuser").patch(f"/api/users/{me.pk}/", {"is_active": False})
    assert response.status_code == 400
    assert "is_active" in response.data["fields"]


def test_granting_course_creation_lets_the_user_create_a_course(world: World) -> None:
    teacher = factories.make_user("teacher@example.edu")
    client = APIClient()
    client.force_authenticate(user=teacher)
    course = {"name": "EECS 183", "semester": "fall", "year": 2026}
    assert client.post("/api/courses/", course, format="json").status_code == 403

    grant = world.client("superuser").patch(
        f"/api/users/{teacher.pk}/", {"can_create_courses": True}, format="json"
    )
    assert grant.status_code == 200 and grant.data["can_create_courses"] is True
    teacher.refresh_from_db()
    client.force_authenticate(user=teacher)
    assert client.post("/api/courses/", course, format="json").status_code == 201


def test_unknown_fields_and_bad_values_are_400s(world: World) -> None:
    client = world.client("superuser")
    user = world.users["student"]
    bad = client.patch(f"/api/users/{user.pk}/", {"is_superuser": True}, format="json")
    assert bad.status_code == 400
    bad = client.patch(f"/api/users/{user.pk}/", {"is_active": "maybe"}, format="json")
    assert bad.status_code == 400 and "is_active" in bad.data["fields"]
