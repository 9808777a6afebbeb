import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db


def test_oversize_request_is_refused_before_reading_with_the_limit_named() -> None:
    client = APIClient()
    client.force_authenticate(factories.make_user())
    with override_settings(MAX_UPLOAD_BYTES=1000):
        response = client.post("/api/users/me/tokens/", {"name": "x" * 2000}, format="json")
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "request_too_large"
    assert "limit is 1000 bytes" in body["message"]


def test_malformed_json_is_a_400_not_a_500() -> None:
    client = APIClient()
    client.force_authenticate(factories.make_user())
    response = client.post(
        "/api/users/me/tokens/", data=b"{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.data["code"] == "parse_error"


def test_validation_errors_have_code_message_and_fields() -> None:
    client = APIClient()
    client.force_authenticate(factories.make_user())
    response = client.post("/api/users/me/tokens/", {"name": ""}, format="json")
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["message"].startswith("name: ")
    assert list(response.data["fields"]) == ["name"]


def test_openapi_schema_is_served() -> None:
    client = APIClient()
    client.force_authenticate(factories.make_user())
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/users/me/" in response.json()["paths"]
    assert client.get("/api/docs/").status_code == 200
