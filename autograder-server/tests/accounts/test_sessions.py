"""Sessions are read from the cache (Redis) in front of the database: whatever ends a session
or a user's access still takes effect at the very next request of every copy of its cookie."""

from typing import Any

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient

from autograder.accounts import services, sessions
from autograder.accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db

ME = "/api/users/me/"


def _log_in(username: str) -> APIClient:
    client = APIClient()
    response = client.post(
        "/api/auth/login/", {"username": username, "password": factories.PASSWORD}, format="json"
    )
    assert response.status_code == 200
    return client


def _same_session(client: APIClient) -> APIClient:
    """Another browser tab (or a stolen cookie): the same session key, used on its own."""
    other = APIClient()
    other.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert other.get(ME).status_code == 200  # the session is read (and cached) now
    return other


def test_the_engine_reads_sessions_from_the_cache_with_redis() -> None:
    expected = "accounts.sessions" if settings.REDIS_URL else ".db"
    assert settings.SESSION_ENGINE.endswith(expected)


def test_a_logged_out_session_is_refused_at_once() -> None:
    factories.make_user("alice@example.edu")
    client = _log_in("alice@example.edu")
    other = _same_session(client)

    assert client.post("/api/auth/logout/").status_code == 204

    assert other.get(ME).status_code == 401


def test_a_password_change_ends_open_sessions() -> None:
    user = factories.make_user("alice@example.edu")
    other = _same_session(_log_in("alice@example.edu"))

    user.set_password("a-new-and-longer-passphrase")
    user.save(update_fields=["password"])

    assert other.get(ME).status_code == 401


def test_deactivating_an_account_ends_its_open_sessions() -> None:
    user = factories.make_user("alice@example.edu")
    admin = User.objects.create_superuser("root@example.edu", "root@example.edu", "x" * 20)
    other = _same_session(_log_in("alice@example.edu"))

    services.user_update(actor=admin, user=user, is_active=False)

    assert other.get(ME).status_code == 401


def test_sessions_work_and_end_while_the_cache_is_down(settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "autograder.common.redis_cache.SharedRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    factories.make_user("alice@example.edu")
    client = _log_in("alice@example.edu")
    other = _same_session(client)

    assert client.post("/api/auth/logout/").status_code == 204

    assert other.get(ME).status_code == 401


def test_a_cached_session_is_read_from_the_database_again_within_minutes() -> None:
    """What bounds how long a copy left behind by a logout during a cache outage lives."""
    factories.make_user("alice@example.edu")
    client = _log_in("alice@example.edu")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    cache_key = cache.make_key(sessions.SessionStore.cache_key_prefix + key)
    redis_client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        assert 0 < redis_client.ttl(cache_key) <= sessions.CACHE_SECONDS
    finally:
        redis_client.close()
