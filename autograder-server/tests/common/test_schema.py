"""The OpenAPI schema tells clients the truth: error answers, DELETE bodies, times of day and
event streams are documented as the API sends them (scripts/fuzz-api checks real answers)."""

import re
from functools import cache
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from autograder.courses.models import Role
from tests import factories
from tests.conftest import World


@cache
def _schema() -> dict[str, Any]:
    generator = SchemaGenerator()  # type: ignore[no-untyped-call]  # drf-spectacular is untyped
    schema: dict[str, Any] = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    return schema


def _operation(path: str, method: str) -> dict[str, Any]:
    operation: dict[str, Any] = _schema()["paths"][path][method]
    return operation


def _resolve(ref: str) -> dict[str, Any]:
    schema: dict[str, Any] = _schema()["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return schema


# Contracts of other systems answer in their own shape, which keeps our error body's fields
# beside theirs (the runner API speaks correctomatic's `{success, message}`).
ERROR_BODY_EXTENDED = {"/api/runner/grade/": "#/components/schemas/RunnerRefused"}


def test_every_error_answer_has_the_error_body() -> None:
    error = _resolve("#/components/schemas/Error")
    assert error["required"] == ["code", "fields", "message"]
    for path, operations in _schema()["paths"].items():
        expected = ERROR_BODY_EXTENDED.get(path, "#/components/schemas/Error")
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if code.startswith("4"):
                    body = response["content"]["application/json"]["schema"]
                    assert body == {"$ref": expected}, (method, path, code)
                assert not code.startswith("5"), (method, path, code)
    for ref in ERROR_BODY_EXTENDED.values():
        extended = _resolve(ref)
        assert set(error["required"]) <= set(extended["required"]), ref
        for name in error["required"]:
            assert extended["properties"][name]["type"] == error["properties"][name]["type"]


@pytest.mark.parametrize(
    ("path", "method", "codes"),
    [
        # Reads an object: it may be missing; no input to be invalid; nothing to conflict.
        ("/api/projects/{project_id}/", "get", {"200", "401", "403", "404", "429"}),
        # Writes with a body: all of them.
        ("/api/projects/{project_id}/", "patch", {"200", "400", "401", "403", "404", "409", "429"}),
        # A paged list: a page past the end is a 404, a bad page size a 400.
        ("/api/courses/", "get", {"200", "400", "401", "403", "404", "429"}),
        # Login authenticates too (a bad token is refused before the view runs).
        ("/api/auth/login/", "post", {"200", "400", "401", "403", "409", "429"}),
    ],
)
def test_operations_document_the_error_codes_they_can_answer(
    path: str, method: str, codes: set[str]
) -> None:
    assert set(_operation(path, method)["responses"]) == codes


def test_a_delete_that_takes_a_body_documents_it() -> None:
    body = _operation("/api/courses/{course_id}/roster/{role}/", "delete")["requestBody"]
    assert "application/json" in body["content"]
    assert "requestBody" not in _operation("/api/projects/{project_id}/", "delete")


@pytest.mark.django_db
def test_times_of_day_are_documented_as_the_api_writes_them(world: World) -> None:
    field = _resolve("#/components/schemas/ProjectOutput")["properties"][
        "submission_limit_reset_time"
    ]
    assert "format" not in field  # JSON Schema's "time" demands a UTC offset we never send
    client = APIClient()
    client.force_authenticate(world.users["staff"])
    sent = client.get(f"/api/projects/{world.project.pk}/").json()["submission_limit_reset_time"]
    assert re.fullmatch(field["pattern"], sent)


def test_the_event_stream_documents_one_event() -> None:
    media = _operation("/api/submissions/{submission_id}/events/", "get")["responses"]["200"][
        "content"
    ]["text/event-stream"]
    event = media["schema"]
    assert event["required"] == ["event", "data"]
    assert event["properties"]["data"]["type"] == "string"


@pytest.mark.django_db
def test_a_delete_with_a_body_is_honoured(world: World) -> None:
    """What the schema now documents is what the endpoint does."""
    student = factories.make_user("leaving@example.edu")
    factories.add_role(world.course, student, Role.STUDENT)
    client = APIClient()
    client.force_authenticate(world.users["admin"])
    response = client.delete(
        f"/api/courses/{world.course.pk}/roster/student/",
        {"users": ["leaving@example.edu"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert not world.course.memberships.filter(user=student).exists()


def test_query_limits_are_documented_as_enforced() -> None:
    """`max_bytes` outside 1..50 MB is a 400; the schema says so, so clients (and the fuzzer)
    don't send values the API is documented to take and then refuses."""
    parameters = _operation("/api/command_results/{command_result_id}/stdout/", "get")["parameters"]
    max_bytes = next(p for p in parameters if p["name"] == "max_bytes")["schema"]
    assert (max_bytes["minimum"], max_bytes["maximum"]) == (1, 50_000_000)
