"""No request body makes the API answer 5xx: bad input is a 4xx that says what is wrong, and a
genuine bug is a logged JSON 500 that shows nothing of the server's insides."""

import io
import re
from typing import Any

import pytest
from django.db import DataError
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from rest_framework.exceptions import ParseError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from autograder.common.parsers import MAX_JSON_DEPTH, DepthLimitedJSONParser
from tests import factories
from tests.conftest import World
from tests.grading import pipeline_helpers as h

pytestmark = pytest.mark.django_db

ISSUE_DEPTH = 100_000
"""The depth of the body that used to answer 500 (RecursionError)."""


def deep_array(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def deep_object(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


DEEP_BODIES = {"array": deep_array(ISSUE_DEPTH), "object": deep_object(ISSUE_DEPTH)}


def assert_too_deep(response: Any) -> None:
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["code"] == "parse_error"
    assert f"nested more than {MAX_JSON_DEPTH} levels" in body["message"]


@pytest.mark.parametrize("shape", sorted(DEEP_BODIES))
def test_deep_json_on_the_anonymous_login_is_a_400(shape: str) -> None:
    response = APIClient(enforce_csrf_checks=False).post(
        "/api/auth/login/", DEEP_BODIES[shape], content_type="application/json"
    )
    assert_too_deep(response)


@pytest.mark.parametrize("shape", sorted(DEEP_BODIES))
def test_deep_json_on_an_authenticated_endpoint_is_a_400(shape: str) -> None:
    client = APIClient()
    client.force_authenticate(factories.make_user())
    response = client.post(
        "/api/users/me/tokens/", DEEP_BODIES[shape], content_type="application/json"
    )
    assert_too_deep(response)


def test_the_depth_limit_is_exact() -> None:
    parser = DepthLimitedJSONParser()
    at_limit = parser.parse(io.BytesIO(deep_array(MAX_JSON_DEPTH)))
    assert isinstance(at_limit, list)
    with pytest.raises(ParseError, match="nested more than"):
        parser.parse(io.BytesIO(deep_array(MAX_JSON_DEPTH + 1)))
    wide_and_shallow = b'{"a": [[1, 2], {"b": [3]}], "c": ' + deep_object(MAX_JSON_DEPTH - 1) + b"}"
    assert parser.parse(io.BytesIO(wide_and_shallow))["a"] == [[1, 2], {"b": [3]}]


def test_a_body_within_the_limit_reaches_validation() -> None:
    client = APIClient()
    client.force_authenticate(factories.make_user())
    body = b'{"name": "ok", "extra": ' + deep_array(MAX_JSON_DEPTH - 1) + b"}"
    response = client.post("/api/users/me/tokens/", body, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["extra"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"username": ', "application/json"),
        (b'{"username": "a", "password": "b"', "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b'{"username": NaN, "password": Infinity}', "application/json"),
        (b'{"username": ' + b"9" * 5000 + b"}", "application/json"),
    ],
    ids=["truncated", "unclosed", "not-utf8", "nan", "huge-number"],
)
def test_malformed_json_on_the_login_is_a_400(body: bytes, content_type: str) -> None:
    response = APIClient().post("/api/auth/login/", body, content_type=content_type)
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "parse_error"


def test_a_deeply_bracketed_form_field_is_a_400_naming_it() -> None:
    key = "username" + "[a]" * ISSUE_DEPTH
    response = APIClient().post(
        "/api/auth/login/", f"{key}=x&password=y", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "username" in response.json()["fields"]


def test_deep_json_text_in_a_multipart_field_is_a_400() -> None:
    client = APIClient()
    client.force_authenticate(factories.make_user())
    response = client.post(
        "/api/users/me/tokens/",
        {"name": DEEP_BODIES["array"].decode()},
        format="multipart",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["name"]


def test_too_many_form_fields_is_a_400() -> None:
    fields = "&".join(f"f{n}=1" for n in range(2000))
    response = APIClient().post(
        "/api/auth/login/", fields, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    assert response.json()["message"] == "Too many form fields: at most 1000."


def _write_operations() -> list[tuple[str, str]]:
    # drf-spectacular has no type hints.
    generator = SchemaGenerator()  # type: ignore[no-untyped-call]
    schema = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    return [
        (route, method)
        for route, operations in schema["paths"].items()
        for method in operations
        if method in {"post", "put", "patch"}
    ]


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, ISSUE_DEPTH])
def test_no_write_endpoint_answers_5xx_to_deep_json(
    world: World, settings: Any, tmp_path: Any, depth: int
) -> None:
    """Every POST/PUT/PATCH of the API, as a superuser (past every permission check) on rows
    that exist where the route names them, gets a body just over the limit and one 100,000
    levels deep. Each answer is a 4xx; those that read the body say it is too deep."""
    settings.MEDIA_ROOT = tmp_path
    suite = h.suite(world.project)
    command = h.command(suite, "true")
    ids = {
        "course_id": world.course.pk,
        "project_id": world.project.pk,
        "group_id": world.group.pk,
        "suite_id": suite.pk,
        "case_id": command.case_id,
        "command_id": command.pk,
        "instructor_file_id": h.instructor_file(world.project, "data.txt", b"1\n").pk,
        "user_id": world.users["student"].pk,
        "role": "student",
    }
    client = world.client("superuser")
    answers: dict[str, Any] = {}
    for route, method in _write_operations():
        url = re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), route)
        answers[f"{method.upper()} {route}"] = getattr(client, method)(
            url, deep_array(depth), content_type="application/json"
        )
    assert len(answers) > 30
    statuses = {op: response.status_code for op, response in answers.items()}
    assert {op: code for op, code in statuses.items() if code >= 500} == {}
    too_deep = [op for op, response in answers.items() if response.status_code == 400]
    for op in too_deep:
        assert_too_deep(answers[op])
    assert len(too_deep) >= 25, statuses
    assert "PATCH /api/instructor_files/{instructor_file_id}/" in too_deep


class _Broken(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        raise RuntimeError("internal detail: /srv/secret/settings.py")


class _DatabaseRefuses(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        raise DataError("value too long for type character varying(100)")


urlpatterns = [path("broken/", _Broken.as_view()), path("refused/", _DatabaseRefuses.as_view())]


def test_a_bug_is_a_json_500_without_internals(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    response = APIClient(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "server_error"
    assert "secret" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert "internal detail: /srv/secret/settings.py" in caplog.text  # logged for the admins


def test_a_bug_is_reported_like_any_unhandled_exception(settings: Any) -> None:
    """Error reporters (and the test client) hear of it through Django's signal."""
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    with pytest.raises(RuntimeError, match="internal detail"):
        APIClient().get("/broken/")


def test_with_debug_explicitly_on_a_bug_gets_the_debug_page(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = True
    response = APIClient(raise_request_exception=False).get("/broken/", HTTP_ACCEPT="text/html")
    assert response.status_code == 500
    assert "internal detail" in response.content.decode()


def test_a_value_the_database_refuses_is_a_400(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__
    response = APIClient().get("/refused/")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "character varying" not in response.content.decode()
