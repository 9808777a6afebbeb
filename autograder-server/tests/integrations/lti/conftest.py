"""A real LTI platform on 127.0.0.1 registered with the tool, and a launch driven through
the tool's login and launch views and the platform's authorization endpoint over HTTP."""

import re
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from django.test import Client

from autograder.integrations.lti import keys, services, views
from autograder.integrations.lti.models import LtiPlatform
from tests.integrations.lti.platform import INSTRUCTOR, LEARNER, Platform

_FIELD = re.compile(r'name="(\w+)" value="([^"]*)"')


@pytest.fixture
def platform() -> Iterator[Platform]:
    lms = Platform(tool_public_jwks=[keys.public_jwk()], launch_url=views.launch_url()).start()
    lms.add_user("teacher", "teacher@lms.test", INSTRUCTOR, "Terry Teacher")
    lms.add_user("alice", "alice@lms.test", LEARNER, "Alice Learner")
    lms.add_user("bob", "bob@lms.test", LEARNER, "Bob Learner")
    yield lms
    lms.stop()


@pytest.fixture
def registration(db: Any, platform: Platform) -> LtiPlatform:
    return services.platform_create(**platform.registration())


def login(client: Client, platform: Platform, user_key: str) -> dict[str, str]:
    """Step one of a launch; returns the authorization request the tool made (state, nonce)."""
    response = client.get("/api/lti/login/", platform.login_params(user_key))
    assert response.status_code == 302, response.content
    location = response["Location"]
    assert location.startswith(platform.url + "/auth?")
    return dict(urllib.parse.parse_qsl(urllib.parse.urlparse(location).query))


def authorize(platform: Platform, auth_request: dict[str, str]) -> dict[str, str]:
    """The platform's authorization endpoint, over HTTP: the form the browser would post."""
    answer = requests.get(platform.url + "/auth", params=auth_request, timeout=10)
    assert answer.status_code == 200, answer.text
    return dict(_FIELD.findall(answer.text))


Launch = Callable[..., Any]


@pytest.fixture
def launch(registration: LtiPlatform, platform: Platform) -> Launch:
    def run(client: Client, user_key: str) -> Any:
        form = authorize(platform, login(client, platform, user_key))
        return client.post("/api/lti/launch/", form)

    return run
