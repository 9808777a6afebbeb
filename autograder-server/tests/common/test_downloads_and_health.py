from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from autograder.courses.models import Role
from tests import factories
from tests.grading import pipeline_helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def download(settings: Any, prefix: str) -> Any:
    settings.PROTECTED_MEDIA_PREFIX = prefix
    project = h.project_with_catch_all()
    submission = h.submit(project, {"ünïcode name.py": b"print(1)\n"})
    staff = factories.add_role(project.course, factories.make_user(), Role.STAFF)
    client = APIClient()
    client.force_authenticate(staff)
    name = quote("ünïcode name.py")
    return submission, client.get(f"/api/submissions/{submission.pk}/files/content/?name={name}")


def test_django_streams_files_without_a_proxy(settings: Any) -> None:
    _, response = download(settings, "")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"print(1)\n"
    assert "X-Accel-Redirect" not in response


def test_behind_nginx_the_proxy_sends_the_bytes(settings: Any) -> None:
    submission, response = download(settings, "/protected/")

    assert response.status_code == 200
    assert response.content == b""
    expected = "/protected/" + quote(f"{submission.files_dir}/ünïcode name.py")
    assert response["X-Accel-Redirect"] == expected
    assert "attachment" in response["Content-Disposition"]


def test_health_reports_the_database() -> None:
    response = Client().get("/api/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True}


def test_health_is_503_without_the_database(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(connection, "cursor", broken)

    response = Client().get("/api/health/")

    assert response.status_code == 503
    assert response.json()["database"] is False
