"""What every reader of a project gets besides its settings."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_a_project_names_its_course(world: World) -> None:
    """The student project page shows the course in its breadcrumbs from this alone, instead of
    asking for the course after the project arrives."""
    body: Any = world.client("group_member").get(f"/api/projects/{world.project.pk}/").data
    assert (body["course"], body["course_name"]) == (world.course.pk, "EECS 280")


def test_the_project_list_names_the_course_without_a_query_per_project(world: World) -> None:
    client = world.client("staff")
    url = f"/api/courses/{world.course.pk}/projects/"
    client.get(url)  # the first request also loads what every request then has at hand
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(5):
        factories.make_project(world.course, name=f"Extra {number}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert {p["course_name"] for p in response.data["results"]} == {"EECS 280"}
    assert len(response.data["results"]) == 7
    assert len(many.captured_queries) == len(few.captured_queries)
