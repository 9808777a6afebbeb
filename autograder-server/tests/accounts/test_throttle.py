"""Brute-force protection: failed logins and bad API tokens lock out an account or address.

Every test drives the real endpoints against the real cache (Redis in the test run), with
small limits. Waiting out a lockout moves the throttle's clock instead of sleeping.
"""

import io
import os
import subprocess
import sys
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from autograder.accounts import throttle
from autograder.accounts.services import api_token_create
from tests import factories

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login/"
ACCOUNT_LIMIT = 3
ADDRESS_LIMIT = 5
LOCKOUT = 120


@pytest.fixture(autouse=True)
def _small_limits(settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = ACCOUNT_LIMIT
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = ADDRESS_LIMIT
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 60
    settings.LOGIN_LOCKOUT_SECONDS = LOCKOUT


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Call with a number of seconds to move the throttle's clock forward."""
    offset = [0.0]
    real_clock = throttle.clock
    monkeypatch.setattr(throttle, "clock", lambda: real_clock() + offset[0])

    def move(seconds: float) -> None:
        offset[0] += seconds

    return move


def login(
    username: str,
    password: str,
    address: str = "10.0.0.1",
    client: APIClient | None = None,
    **headers: Any,
) -> Any:
    client = client or APIClient(REMOTE_ADDR=address, **headers)
    return client.post(LOGIN, {"username": username, "password": password}, format="json")


def fail_times(count: int, username: str, address: str = "10.0.0.1") -> list[int]:
    return [login(username, "wrong", address).status_code for _ in range(count)]


def spray(count: int, address: str, **headers: Any) -> list[int]:
    """Wrong passwords for `count` different accounts (so no account gets locked)."""
    return [
        login(f"sprayed{n}@example.edu", "wrong", address, **headers).status_code
        for n in range(count)
    ]


def test_the_cache_is_redis_in_the_test_run() -> None:
    """The throttle must hold across web processes, so the suite tests it on Redis."""
    assert os.environ.get("AG_REDIS_URL"), "the test run sets AG_REDIS_URL"
    assert django_settings.CACHES["default"]["BACKEND"].endswith("RedisCache")


def test_wrong_passwords_lock_the_account_even_against_the_right_password(later: Any) -> None:
    factories.make_user("alice@example.edu")

    assert fail_times(ACCOUNT_LIMIT - 1, "alice@example.edu") == [400] * (ACCOUNT_LIMIT - 1)
    locking = login("alice@example.edu", "wrong")
    assert locking.status_code == 429
    assert locking["Retry-After"] == str(LOCKOUT)
    assert locking.data["code"] == "throttled"
    assert locking.data["message"] == (
        "Too many failed logins for this account. Try again in 2 minutes."
    )

    later(30)
    browser = APIClient(REMOTE_ADDR="10.0.0.1")
    right = login("alice@example.edu", factories.PASSWORD, client=browser)
    assert right.status_code == 429
    assert right["Retry-After"] == str(LOCKOUT - 30)
    assert browser.get("/api/users/me/").status_code == 401

    later(LOCKOUT - 30 + 1)
    assert login("alice@example.edu", factories.PASSWORD, client=browser).status_code == 200
    assert browser.get("/api/users/me/").data["username"] == "alice@example.edu"


def test_the_issues_attack_120_guesses_then_the_right_password_is_refused() -> None:
    factories.make_user("victim@example.edu")
    statuses = fail_times(120, "victim@example.edu")
    assert statuses.count(400) == ACCOUNT_LIMIT - 1
    assert statuses[ACCOUNT_LIMIT - 1 :] == [429] * (120 - ACCOUNT_LIMIT + 1)
    assert login("victim@example.edu", factories.PASSWORD).status_code == 429


def test_spellings_of_one_username_share_a_counter() -> None:
    factories.make_user("alice@example.edu")
    for spelling in ("alice@example.edu", "Alice@Example.edu", " ALICE@EXAMPLE.EDU "):
        login(spelling, "wrong")
    assert login("alice@example.edu", factories.PASSWORD).status_code == 429


def test_a_success_resets_the_account_counter(settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 100
    factories.make_user("alice@example.edu")
    for _ in range(3):
        assert fail_times(ACCOUNT_LIMIT - 1, "alice@example.edu") == [400] * (ACCOUNT_LIMIT - 1)
        assert login("alice@example.edu", factories.PASSWORD).status_code == 200


def test_a_locked_account_does_not_lock_another_account_on_the_same_address() -> None:
    factories.make_user("alice@example.edu")
    factories.make_user("bob@example.edu")
    fail_times(ACCOUNT_LIMIT, "alice@example.edu", address="10.0.0.1")

    assert login("bob@example.edu", factories.PASSWORD, address="10.0.0.1").status_code == 200
    # The account stays locked from everywhere: the attacker may change address.
    from_elsewhere = login("alice@example.edu", factories.PASSWORD, address="10.0.0.2")
    assert from_elsewhere.status_code == 429
    assert "this account" in from_elsewhere.data["message"]


def test_guessing_across_many_accounts_locks_the_address_only(later: Any) -> None:
    factories.make_user("carol@example.edu")
    for number in range(ADDRESS_LIMIT - 1):
        assert login(f"user{number}@example.edu", "wrong", "10.0.0.1").status_code == 400
    locking = login("nobody@example.edu", "wrong", "10.0.0.1")
    assert locking.status_code == 429
    assert locking.data["message"].startswith("Too many failed logins for your network address")

    refused = login("carol@example.edu", factories.PASSWORD, "10.0.0.1")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == LOCKOUT
    assert login("carol@example.edu", factories.PASSWORD, "10.0.0.2").status_code == 200

    later(LOCKOUT + 1)
    assert login("carol@example.edu", factories.PASSWORD, "10.0.0.1").status_code == 200


def test_a_good_login_does_not_reset_its_address() -> None:
    factories.make_user("mallory@example.edu")
    spray(ADDRESS_LIMIT - 1, "10.0.0.1")
    assert login("mallory@example.edu", factories.PASSWORD, "10.0.0.1").status_code == 200
    assert login("other@example.edu", "wrong", "10.0.0.1").status_code == 429


def test_x_forwarded_for_is_ignored_without_a_trusted_proxy(settings: Any) -> None:
    settings.BEHIND_PROXY = False
    factories.make_user("dave@example.edu")
    spray(ADDRESS_LIMIT, "10.0.0.1")
    spoofed = login(
        "dave@example.edu", factories.PASSWORD, "10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.77"
    )
    assert spoofed.status_code == 429


def test_behind_a_trusted_proxy_the_address_it_appended_counts(settings: Any) -> None:
    settings.BEHIND_PROXY = True
    factories.make_user("erin@example.edu")
    proxy = "10.9.9.9"
    # The client writes whatever it likes before the proxy's own entry.
    for number in range(ADDRESS_LIMIT):
        forwarded = f"198.51.100.{number}, 203.0.113.5"
        login(f"sprayed{number}@example.edu", "wrong", proxy, HTTP_X_FORWARDED_FOR=forwarded)

    def from_client(forwarded: str) -> int:
        response = login(
            "erin@example.edu", factories.PASSWORD, proxy, HTTP_X_FORWARDED_FOR=forwarded
        )
        return int(response.status_code)

    assert from_client("203.0.113.5") == 429
    assert from_client("1.2.3.4, 203.0.113.5") == 429
    assert from_client("203.0.113.6") == 200


def test_ipv6_clients_are_counted_per_64_prefix() -> None:
    factories.make_user("frank@example.edu")
    for host in range(ADDRESS_LIMIT):
        login(f"spray{host}@example.edu", "wrong", f"2001:db8:0:1::{host + 1}")
    assert login("frank@example.edu", factories.PASSWORD, "2001:db8:0:1:ffff::9").status_code == 429
    assert login("frank@example.edu", factories.PASSWORD, "2001:db8:0:2::1").status_code == 200


def test_bad_api_tokens_lock_the_address_even_against_a_good_token(later: Any) -> None:
    user = factories.make_user("bot@example.edu")
    _, key = api_token_create(user=user, name="sync")

    def with_token(token: str, address: str) -> Any:
        client = APIClient(REMOTE_ADDR=address)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client.get("/api/users/me/")

    guesses = [with_token(f"guess-{n}", "10.0.0.1") for n in range(ADDRESS_LIMIT)]
    assert [r.status_code for r in guesses] == [401] * (ADDRESS_LIMIT - 1) + [429]
    assert guesses[-1]["Retry-After"] == str(LOCKOUT)
    assert guesses[-1].data["message"] == (
        "Too many invalid API tokens for your network address. Try again in 2 minutes."
    )

    refused = with_token(key, "10.0.0.1")
    assert refused.status_code == 429
    assert refused.data["code"] == "throttled"
    assert with_token(key, "10.0.0.2").data["username"] == "bot@example.edu"
    # Password logins from the address are a separate counter.
    assert login("bot@example.edu", factories.PASSWORD, "10.0.0.1").status_code == 200

    later(LOCKOUT + 1)
    assert with_token(key, "10.0.0.1").status_code == 200


def test_malformed_token_headers_count_as_bad_tokens() -> None:
    client = APIClient(REMOTE_ADDR="10.0.0.1")
    client.credentials(HTTP_AUTHORIZATION="Token a b")
    statuses = [client.get("/api/users/me/").status_code for _ in range(ADDRESS_LIMIT)]
    assert statuses == [401] * (ADDRESS_LIMIT - 1) + [429]


def test_the_admin_login_form_is_throttled_too() -> None:
    factories.make_user("root@example.edu", is_staff=True, is_superuser=True)
    client = Client(REMOTE_ADDR="10.0.0.1")

    def admin_login(password: str) -> Any:
        return client.post(
            "/admin/login/?next=/admin/", {"username": "root@example.edu", "password": password}
        )

    for _ in range(ACCOUNT_LIMIT - 1):
        assert "correct username and password" in admin_login("wrong").content.decode()
    assert "Too many failed logins for this account" in admin_login("wrong").content.decode()
    refused = admin_login(factories.PASSWORD)
    assert refused.status_code == 200  # the form again, with the reason
    assert "Too many failed logins" in refused.content.decode()
    assert client.get("/admin/").status_code == 302  # not logged in


def test_the_lockout_is_visible_to_another_process(_own_cache_keys: str) -> None:
    """Counts live in Redis, so every web process refuses a locked account."""
    fail_times(ACCOUNT_LIMIT, "grace@example.edu")
    code = (
        "import django; django.setup()\n"
        "from autograder.accounts import throttle\n"
        "lock = throttle.login_lockout(username='grace@example.edu', address='10.0.0.99')\n"
        "print(lock.subject, lock.seconds)\n"
    )
    env = {**os.environ, "AG_CACHE_KEY_PREFIX": _own_cache_keys}
    env.setdefault("DJANGO_SETTINGS_MODULE", "autograder.settings")
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    subject, seconds = result.stdout.split()
    assert subject == "account"
    assert 0 < int(seconds) <= LOCKOUT


def test_logins_still_work_when_the_cache_is_down(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    factories.make_user("heidi@example.edu")
    assert fail_times(ACCOUNT_LIMIT + 1, "heidi@example.edu") == [400] * (ACCOUNT_LIMIT + 1)
    assert login("heidi@example.edu", factories.PASSWORD).status_code == 200
    assert "the cache failed" in caplog.text


def test_failure_counts_expire_with_their_window(settings: Any) -> None:
    fail_times(ACCOUNT_LIMIT - 1, "ivan@example.edu")
    counter_key = throttle._account("ivan@example.edu").key("failures")
    assert cache.get(counter_key) == ACCOUNT_LIMIT - 1
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        assert 0 < client.ttl(cache.make_key(counter_key)) <= 60
    finally:
        client.close()


def test_an_operator_can_lift_a_lockout_early() -> None:
    factories.make_user("judy@example.edu")
    fail_times(ACCOUNT_LIMIT, "judy@example.edu", "10.0.0.1")
    spray(ADDRESS_LIMIT, "2001:db8:5::7")
    assert login("judy@example.edu", factories.PASSWORD, "10.0.0.2").status_code == 429

    out = io.StringIO()
    call_command("unlock_login", username="JUDY@example.edu", stdout=out)
    assert "account JUDY@example.edu" in out.getvalue()
    assert login("judy@example.edu", factories.PASSWORD, "10.0.0.2").status_code == 200

    assert login("judy@example.edu", factories.PASSWORD, "2001:db8:5::8").status_code == 429
    call_command("unlock_login", address="2001:db8:5::1", stdout=io.StringIO())
    assert login("judy@example.edu", factories.PASSWORD, "2001:db8:5::8").status_code == 200

    with pytest.raises(CommandError):
        call_command("unlock_login")
