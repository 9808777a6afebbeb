"""Single sign-on through a real OpenID Connect provider process (tests/accounts/oidc_provider.py).

The browser's part is played by hand: follow our redirect to the provider, let the provider
redirect back with a code, open that callback on our site. Everything between our server and
the provider (discovery, the code exchange, the keys, userinfo) goes over real HTTP.
"""

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.test import Client

from autograder.accounts.models import User
from autograder.courses.models import Role
from tests import factories

pytestmark = pytest.mark.django_db

PROVIDER_SCRIPT = Path(__file__).with_name("oidc_provider.py")
CLIENT_ID = "autograder-test"
CLIENT_SECRET = "provider-secret-for-tests"


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    process = subprocess.Popen(
        [
            sys.executable,
            str(PROVIDER_SCRIPT),
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            CLIENT_SECRET,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("READY "), line
        yield line.split()[1]
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(autouse=True)
def sso_settings(settings: Any, issuer: str) -> None:
    settings.OIDC_PROVIDERS = [
        {
            "id": "testu",
            "issuer": issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "label": "Test University",
            "scopes": "openid email profile",
            "trust_email": False,
        }
    ]


def queue_login(issuer: str, email: str, **extra: Any) -> None:
    response = requests.post(f"{issuer}/test/next-login", json={"email": email, **extra}, timeout=5)
    response.raise_for_status()


def start(client: Client, next_path: str = "/courses") -> str:
    """Our login redirect, then the provider's redirect back: the callback URL (path+query)."""
    ours = client.get("/api/auth/oidc/testu/login/", {"next": next_path})
    assert ours.status_code == 302, ours.content
    theirs = requests.get(ours["Location"], allow_redirects=False, timeout=5)
    assert theirs.status_code == 302, theirs.text
    back = urlsplit(theirs.headers["Location"])
    assert back.path == "/api/auth/oidc/callback/"
    return f"{back.path}?{back.query}"


def sign_in(client: Client, issuer: str, email: str, **extra: Any) -> Any:
    queue_login(issuer, email, **extra)
    return client.get(start(client))


def signed_in_as(client: Client) -> User | None:
    user_id = client.session.get(SESSION_KEY)
    return User.objects.filter(pk=user_id).first() if user_id else None


def refused(response: Any, code: str, status: int = 400) -> str:
    assert response.status_code == status, response.content[:500]
    page: str = response.content.decode()
    assert "Sign-in refused" in page
    assert f'data-code="{code}"' in page, page
    return page


# --- The login page's data ---------------------------------------------------------------------


def test_providers_api_lists_the_buttons_and_the_password_switch(settings: Any) -> None:
    body = Client().get("/api/auth/providers/").json()
    assert body == {
        "password_login": True,
        "providers": [
            {"id": "testu", "label": "Test University", "login_url": "/api/auth/oidc/testu/login/"}
        ],
    }
    settings.PASSWORD_LOGIN = False
    assert Client().get("/api/auth/providers/").json()["password_login"] is False


def test_password_login_can_be_switched_off(settings: Any) -> None:
    factories.make_user("prof@example.edu")
    client = Client()
    body = {"username": "prof@example.edu", "password": factories.PASSWORD}
    client.get("/api/auth/csrf/")
    assert client.post("/api/auth/login/", body, content_type="application/json").status_code == 200
    settings.PASSWORD_LOGIN = False
    client = Client()
    response = client.post("/api/auth/login/", body, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "password_login_disabled"


def test_the_login_redirect_carries_state_nonce_and_pkce(issuer: str) -> None:
    response = Client().get("/api/auth/oidc/testu/login/")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{issuer}/authorize"
    query = parse_qs(location.query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == ["http://testserver/api/auth/oidc/callback/"]
    assert query["scope"] == ["openid email profile"]
    for name in ("state", "nonce", "code_challenge"):
        assert len(query[name][0]) >= 32
    assert query["code_challenge_method"] == ["S256"]


def test_an_unknown_provider_is_a_clear_404() -> None:
    refused(Client().get("/api/auth/oidc/nope/login/"), "unknown_provider", status=404)


# --- Who gets in -------------------------------------------------------------------------------


def test_a_rostered_user_signs_in_and_lands_where_they_were_going(issuer: str) -> None:
    course = factories.make_course()
    student = factories.add_role(course, factories.make_user("Ada@Example.edu"), Role.STUDENT)
    client = Client()
    response = sign_in(client, issuer, "ada@example.edu")
    assert response.status_code == 302, response.content
    assert response["Location"] == "/courses"
    assert signed_in_as(client) == student
    me = client.get("/api/users/me/")
    assert me.status_code == 200 and me.json()["username"] == "Ada@Example.edu"


def test_an_unknown_user_is_refused_with_a_clear_page(issuer: str) -> None:
    client = Client()
    page = refused(sign_in(client, issuer, "nobody@example.edu"), "unknown_user", status=403)
    assert "nobody@example.edu" in page and "roster" in page
    assert signed_in_as(client) is None
    assert not User.objects.filter(email__iexact="nobody@example.edu").exists()


def test_a_guest_of_an_allowed_domain_gets_an_account_and_in(issuer: str) -> None:
    course = factories.make_course(allowed_guest_domain="guests.example.org")
    factories.make_project(course, name="Open lab", guests_can_submit=True)
    client = Client()
    response = sign_in(client, issuer, "visitor@guests.example.org", given_name="Vi")
    assert response.status_code == 302, response.content
    user = signed_in_as(client)
    assert user is not None and user.email == "visitor@guests.example.org"
    assert user.first_name == "Vi" and not user.has_usable_password()
    projects = client.get(f"/api/courses/{course.pk}/projects/").json()["results"]
    assert [p["name"] for p in projects] == ["Open lab"]
    # A second sign-in finds the same account.
    again = Client()
    sign_in(again, issuer, "visitor@guests.example.org")
    assert signed_in_as(again) == user


def test_the_email_may_come_from_userinfo(issuer: str) -> None:
    ada = factories.make_user("ada@example.edu")
    client = Client()
    response = sign_in(client, issuer, "ada@example.edu", mode="userinfo_only")
    assert response.status_code == 302, response.content
    assert signed_in_as(client) == ada


def test_an_unverified_email_is_refused(issuer: str) -> None:
    factories.make_user("ada@example.edu")
    client = Client()
    response = sign_in(client, issuer, "ada@example.edu", email_verified=False)
    refused(response, "email_unverified", status=403)
    assert signed_in_as(client) is None


def test_a_disabled_account_is_refused(issuer: str) -> None:
    factories.make_user("gone@example.edu", is_active=False)
    client = Client()
    refused(sign_in(client, issuer, "gone@example.edu"), "account_disabled", status=403)
    assert signed_in_as(client) is None


# --- Tokens that must not get anyone in ----------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("forged", "not signed with a provider key"),
        ("expired", "has expired"),
        ("wrong_key", "signature does not match"),
        ("wrong_audience", "issued for another application"),
    ],
)
def test_a_bad_id_token_is_refused(issuer: str, mode: str, reason: str) -> None:
    factories.make_user("ada@example.edu")
    client = Client()
    page = refused(sign_in(client, issuer, "ada@example.edu", mode=mode), "invalid_id_token")
    assert reason in page
    assert signed_in_as(client) is None


def test_a_replayed_id_token_is_refused_by_its_nonce(issuer: str) -> None:
    factories.make_user("ada@example.edu")
    first = Client()
    sign_in(first, issuer, "ada@example.edu")
    assert signed_in_as(first) is not None
    # The provider hands the previous login's id token to a new login: its nonce is stale.
    second = Client()
    page = refused(sign_in(second, issuer, "ada@example.edu", mode="replay"), "invalid_id_token")
    assert "nonce" in page
    assert signed_in_as(second) is None


def test_a_replayed_callback_is_refused(issuer: str) -> None:
    factories.make_user("ada@example.edu")
    client = Client()
    queue_login(issuer, "ada@example.edu")
    callback = start(client)
    assert client.get(callback).status_code == 302
    client.post("/api/auth/logout/")
    refused(client.get(callback), "unknown_state")
    assert signed_in_as(client) is None


def test_a_callback_from_another_browser_is_refused(issuer: str) -> None:
    factories.make_user("ada@example.edu")
    queue_login(issuer, "ada@example.edu")
    callback = start(Client())
    stranger = Client()
    refused(stranger.get(callback), "unknown_state")
    assert signed_in_as(stranger) is None


def test_an_unreachable_provider_is_a_clear_page(settings: Any) -> None:
    settings.OIDC_PROVIDERS = [
        settings.OIDC_PROVIDERS[0] | {"id": "down", "issuer": "http://127.0.0.1:9"}
    ]
    refused(Client().get("/api/auth/oidc/down/login/"), "provider_unreachable", status=502)
