"""A test case's description, student hint and staff notes through the API."""

from typing import Any

import pytest

from autograder.grading.config import services
from autograder.grading.config.models import MAX_NOTE_LENGTH, AGTestSuite
from autograder.projects.models import Project
from tests.conftest import World, build_world
from tests.grading import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def suite(world: World) -> AGTestSuite:
    return f.make_suite(world.project, "Public")


def test_admin_writes_the_texts_and_staff_read_them(world: World, suite: AGTestSuite) -> None:
    admin = world.client("admin")
    texts = {
        "description": "  Checks `add`\n",
        "student_hint": "Think about *zero*",
        "staff_notes": "Seen in office hours",
    }
    created = admin.post(f"/api/suites/{suite.pk}/cases/", {"name": "Adds", **texts}, format="json")
    assert created.status_code == 201, created.data
    assert {key: created.data[key] for key in texts} == texts
    changed = admin.patch(
        f"/api/cases/{created.data['id']}/", {"student_hint": "Try -1"}, format="json"
    )
    assert changed.status_code == 200, changed.data
    listed = world.client("staff").get(f"/api/suites/{suite.pk}/cases/")
    assert listed.data[0]["student_hint"] == "Try -1"
    assert listed.data[0]["description"] == texts["description"]


@pytest.mark.parametrize(
    "body",
    [{"description": "x" * (MAX_NOTE_LENGTH + 1)}, {"staff_notes": ["a"]}, {"student_hint": None}],
)
def test_bad_texts_name_the_field(world: World, suite: AGTestSuite, body: dict[str, Any]) -> None:
    response = world.client("admin").post(
        f"/api/suites/{suite.pk}/cases/", {"name": "C", **body}, format="json"
    )
    assert response.status_code == 400, response.data
    assert set(body) <= set(response.data["fields"])


def test_suite_copy_keeps_the_texts(world: World, suite: AGTestSuite) -> None:
    services.case_create(
        suite=suite, name="Adds", description="d", student_hint="h", staff_notes="s"
    )
    other: Project = world.hidden_project
    copy = services.suite_copy(suite=suite, target_project=other)
    case = copy.cases.get()
    assert (case.description, case.student_hint, case.staff_notes) == ("d", "h", "s")


def test_project_instructions_are_rendered_and_sanitized(world: World) -> None:
    url = f"/api/projects/{world.project.pk}/"
    text = "## Part 1\n\nWrite `add`.\n\n<script>steal()</script>"
    response = world.client("admin").patch(url, {"instructions": text}, format="json")
    assert response.status_code == 200, response.data
    seen = world.client("student").get(url)
    assert seen.status_code == 200
    assert seen.data["instructions"] == text
    assert "<h2>Part 1</h2>" in seen.data["instructions_html"]
    assert "<code>add</code>" in seen.data["instructions_html"]
    assert "<script" not in seen.data["instructions_html"]


@pytest.mark.django_db(transaction=True)
def test_creating_a_case_outside_a_test_transaction() -> None:
    """As a real request runs it: autocommit, so the service must open its own transaction
    for the row locks it takes."""
    w = build_world()
    suite = f.make_suite(w.project, "Public")
    response = w.client("admin").post(
        f"/api/suites/{suite.pk}/cases/", {"name": "Adds", "student_hint": "h"}, format="json"
    )
    assert response.status_code == 201, response.data
    assert response.data["student_hint"] == "h"
