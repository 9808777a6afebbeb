"""Scores in submission lists: GET /api/groups/<id>/scores/."""

from typing import Any

import pytest

from autograder.submissions.models import SubmissionStatus
from tests import factories as base
from tests.conftest import World
from tests.grading import factories as f
from tests.permission_matrix import Endpoint, assert_matrix

pytestmark = pytest.mark.django_db


def two_commands(w: World, *, hide_second: bool = False) -> list[Any]:
    case = f.make_case(f.make_suite(w.project, "Public"), "Case")
    first = f.make_command(case, "a", points_for_correct_return_code=2)
    feedback = {"normal": {"visible": False}} if hide_second else {}
    second = f.make_command(case, "b", points_for_correct_return_code=3, feedback=feedback)
    return [first, second]


def test_member_sees_each_graded_submission_with_the_points_they_may_see(world: World) -> None:
    first, _ = two_commands(world, hide_second=True)
    older = f.make_submission(world.group)
    f.grade(older, {first: 0})
    newer = f.make_submission(world.group)
    f.grade(newer)
    f.make_submission(world.group, status=SubmissionStatus.QUEUED)
    response = world.client("group_member").get(f"/api/groups/{world.group.pk}/scores/")
    assert response.status_code == 200, response.data
    assert [
        (s["submission"], s["points_awarded"], s["points_possible"]) for s in response.data
    ] == [
        (newer.pk, 2, 2),
        (older.pk, 0, 2),
    ]
    assert {s["feedback_category"] for s in response.data} == {"normal"}
    staff = world.client("staff").get(f"/api/groups/{world.group.pk}/scores/")
    assert [(s["points_awarded"], s["points_possible"]) for s in staff.data] == [(5, 5), (3, 5)]
    assert {s["feedback_category"] for s in staff.data} == {"staff_viewer"}


def scores_url(hidden: bool = False) -> Any:
    def build(w: World) -> str:
        two_commands(w)
        group = w.group
        if hidden:
            member = w.users["group_member"]
            group = base.make_group(w.hidden_project, member)  # type: ignore[arg-type]
        f.grade(f.make_submission(group))
        return f"/api/groups/{group.pk}/scores/"

    return build


def _roles(**statuses: int) -> dict[str, int]:
    return {"anonymous": 401, "other_course_student": 403} | statuses


def EVERYONE(status: int) -> dict[str, int]:  # noqa: N802 - reads like the other role tables
    return {role: status for role in READ} | {"anonymous": 401}


READ = _roles(student=403, group_member=200, handgrader=200, staff=200, admin=200, superuser=200)


@pytest.mark.parametrize(
    "endpoint",
    [
        Endpoint("GET", scores_url(), READ),
        Endpoint("GET", scores_url(hidden=True), READ | {"student": 404, "group_member": 404}),
        Endpoint("GET", lambda w: "/api/groups/999999/scores/", EVERYONE(404)),
        Endpoint("POST", scores_url(), EVERYONE(405), body=lambda w: {}),
    ],
    ids=["read", "hidden project", "missing group", "post"],
)
def test_permission_matrix(endpoint: Endpoint) -> None:
    assert_matrix(endpoint)
