"""A project's time zone is "UTC" or an IANA Area/Location name; abbreviations and legacy
aliases are refused, because they don't follow a place's daylight saving rules."""

import zoneinfo
from typing import Any

import pytest

from autograder.projects.models import Project, timezone_problem
from tests.conftest import World

pytestmark = pytest.mark.django_db

FIELD = "submission_limit_reset_timezone"


@pytest.mark.parametrize(
    "name",
    [
        "EST",
        "CET",
        "EST5EDT",
        "PST",
        "PST8PDT",
        "GMT",
        "Zulu",
        "US/Eastern",
        "Etc/GMT+5",
        "Mars/Olympus",
        "america/detroit",
    ],
)
def test_abbreviations_and_legacy_names_are_a_400_naming_the_field(world: World, name: str) -> None:
    url = f"/api/projects/{world.project.pk}/"
    before = Project.objects.get(pk=world.project.pk).submission_limit_reset_timezone
    response = world.client("admin").patch(url, {FIELD: name}, format="json")
    assert response.status_code == 400, response.data
    reason = response.data["fields"][FIELD][0]
    assert "America/Detroit" in reason and "UTC" in reason
    assert Project.objects.get(pk=world.project.pk).submission_limit_reset_timezone == before


@pytest.mark.parametrize(
    "name",
    ["UTC", "America/Detroit", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Asia/Kolkata"],
)
def test_place_names_and_utc_are_accepted(world: World, name: str) -> None:
    url = f"/api/projects/{world.project.pk}/"
    response = world.client("admin").patch(url, {FIELD: name}, format="json")
    assert response.status_code == 200, response.data
    assert Project.objects.get(pk=world.project.pk).submission_limit_reset_timezone == name


def test_the_reason_tells_an_alias_from_an_unknown_name() -> None:
    assert "abbreviation or a legacy alias" in (timezone_problem("EST") or "")
    assert "not a known time zone" in (timezone_problem("Mars/Olympus") or "")


def test_every_accepted_name_is_a_zone_python_can_load() -> None:
    accepted = [name for name in zoneinfo.available_timezones() if timezone_problem(name) is None]
    assert "UTC" in accepted and len(accepted) > 300
    for name in accepted:
        assert zoneinfo.ZoneInfo(name) is not None
        assert name == "UTC" or "/" in name


def test_creating_a_project_with_an_abbreviation_stores_nothing(world: World) -> None:
    before = Project.objects.count()
    body: dict[str, Any] = {"name": "Zoned", FIELD: "CET"}
    response = world.client("admin").post(
        f"/api/courses/{world.course.pk}/projects/", body, format="json"
    )
    assert response.status_code == 400
    assert FIELD in response.data["fields"]
    assert Project.objects.count() == before
