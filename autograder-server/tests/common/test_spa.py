from collections.abc import Iterator
from pathlib import Path

import pytest
from django.http import FileResponse
from django.test import Client, override_settings


@pytest.fixture
def dist(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=app></div>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log('app')")
    (tmp_path / "secret.txt").write_text("not an asset")
    with override_settings(WEBSITE_DIST_DIR=str(tmp_path)):
        yield tmp_path


@pytest.mark.parametrize(
    "path",
    ["/", "/login", "/projects/7", "/projects/7/submissions/3?tab=x", "/users", "/lms", "/monitor"],
)
def test_app_paths_get_the_index_page_for_the_browser_router(dist: Path, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    assert b"<div id=app>" in response.content
    assert response["Content-Type"].startswith("text/html")
    assert response["Cache-Control"] == "no-cache"


def test_assets_are_served_with_their_type_and_a_long_cache(dist: Path) -> None:
    response = Client().get("/assets/index-abc123.js")
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    assert b"".join(response.streaming_content) == b"console.log('app')"
    assert "javascript" in response["Content-Type"]
    assert "immutable" in response["Cache-Control"]


@pytest.mark.parametrize(
    "path", ["/assets/missing.js", "/assets/../secret.txt", "/assets/%2e%2e/secret.txt"]
)
def test_missing_assets_and_escapes_are_404(dist: Path, path: str) -> None:
    assert Client().get(path).status_code == 404


@pytest.mark.django_db
def test_unknown_api_paths_stay_api_404s(dist: Path) -> None:
    response = Client().get("/api/no-such-endpoint/")
    assert response.status_code == 404
    assert b"<div id=app>" not in response.content


@pytest.mark.django_db
def test_api_answers_are_unchanged(dist: Path) -> None:
    response = Client().get("/api/users/me/")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


def test_writes_to_app_paths_are_refused(dist: Path) -> None:
    assert Client().post("/projects/7").status_code == 405


def test_without_a_build_the_page_says_how_to_build_it(tmp_path: Path) -> None:
    with override_settings(WEBSITE_DIST_DIR=str(tmp_path / "nothing")):
        response = Client().get("/courses/1")
    assert response.status_code == 503
    assert b"scripts/build-website.sh" in response.content


@pytest.mark.parametrize(("old", "new"), [("/admin/users", "/users"), ("/admin/lti", "/lms")])
def test_the_superuser_pages_old_addresses_lead_to_the_website_not_djangos_admin(
    dist: Path, old: str, new: str
) -> None:
    response = Client().get(old)
    assert (response.status_code, response["Location"]) == (301, new)
