"""Only course staff (and superusers) register webhooks, send test deliveries and read the
delivery log; everyone else gets 403, anonymous 401."""

import pytest

from autograder.integrations.callbacks.models import Webhook
from tests.conftest import ROLE_NAMES, World
from tests.permission_matrix import Endpoint, assert_matrix

pytestmark = pytest.mark.django_db


def staff_only(ok: int) -> dict[str, int]:
    return {role: 403 for role in ROLE_NAMES} | {
        "anonymous": 401,
        "staff": ok,
        "admin": ok,
        "superuser": ok,
    }


def hook(w: World) -> Webhook:
    return Webhook.objects.create(
        project=w.project, url="http://example.org/hook", events=["grading_finished"], secret="s"
    )


ENDPOINTS = [
    Endpoint("GET", lambda w: f"/api/projects/{w.project.pk}/webhooks/", staff_only(200)),
    Endpoint(
        "POST",
        lambda w: f"/api/projects/{w.project.pk}/webhooks/",
        staff_only(201),
        body=lambda w: {"url": "https://example.org/hook", "events": ["rerun_finished"]},
    ),
    Endpoint("DELETE", lambda w: f"/api/webhooks/{hook(w).pk}/", staff_only(204)),
    Endpoint("POST", lambda w: f"/api/webhooks/{hook(w).pk}/ping/", staff_only(201)),
    Endpoint("GET", lambda w: f"/api/projects/{w.project.pk}/webhook-deliveries/", staff_only(200)),
]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method}")
def test_permissions(endpoint: Endpoint) -> None:
    assert_matrix(endpoint)
