"""Every handgrading endpoint for every role. Graders are staff and handgraders; handgraders
read the rubric and grade but never change the rubric, assign, or (unless the rubric allows)
comment and adjust points; a group's members read their result only once it is released."""

from collections.abc import Callable
from typing import Any

import pytest

from autograder.handgrading import services
from autograder.handgrading.models import (
    AppliedAnnotation,
    Comment,
    HandgradingResult,
    HandgradingRubric,
)
from tests import factories
from tests.conftest import ROLE_NAMES, World
from tests.handgrading.helpers import make_graded, make_rubric, user
from tests.permission_matrix import Endpoint, assert_matrix

pytestmark = pytest.mark.django_db


def _is_event_stream(response: Any) -> None:
    assert response["Content-Type"] == "text/event-stream"  # not read: it never ends by itself


def roles(**statuses: int) -> dict[str, int]:
    """Anonymous → 401 and a student of another course → 403 unless given."""
    return {"anonymous": 401, "other_course_student": 403} | statuses


def graders(ok: int, *, handgrader: int | None = None, students: int = 403) -> dict[str, int]:
    return roles(
        student=students,
        group_member=students,
        handgrader=ok if handgrader is None else handgrader,
        staff=ok,
        admin=ok,
        superuser=ok,
    )


def staff_only(ok: int, students: int = 403) -> dict[str, int]:
    return graders(ok, handgrader=403, students=students)


def rubric(w: World, *, released: bool = False, **fields: Any) -> HandgradingRubric:
    found, _, _ = make_rubric(w.project, released=released, **fields)
    return found


def result(w: World, **rubric_fields: Any) -> HandgradingResult:
    rubric(w, **rubric_fields)
    make_graded(w.group)
    made = services.result_for_group(group=w.group)
    assert made is not None
    return made


def applied(w: World) -> int:
    made = result(w)
    annotation = HandgradingRubric.objects.get(project=made.project).annotations.get()
    return services.annotation_apply(
        result=made,
        annotation=annotation,
        filename="main.cpp",
        first_line=1,
        last_line=1,
        by=user(w, "staff"),
    ).pk


def comment(w: World, **rubric_fields: Any) -> int:
    made = result(w, **rubric_fields)
    return services.comment_create(result=made, text="Nice", by=user(w, "staff")).pk


def no_grader_names(w: World, role: str, response: Any) -> None:
    if role == "group_member":
        body = response.json()
        assert all(item["created_by"] is None for item in body["comments"])


def _my_result_shown(role: str, body: dict[str, Any]) -> None:
    """Only the group's member gets a result; everyone else has no group here."""
    assert (body["result"] is not None) == (role == "group_member"), body
    if body["result"] is not None:
        assert all(item["created_by"] is None for item in body["result"]["comments"])


def _rubric_url(w: World) -> str:
    return f"/api/projects/{w.project.pk}/handgrading_rubric/"


Url = Callable[[World], str]


ENDPOINTS: dict[str, Endpoint] = {
    "read rubric": Endpoint("GET", lambda w: _rubric_url(w) if rubric(w) else "", graders(200)),
    "read rubric of hidden project": Endpoint(
        "GET",
        lambda w: (
            f"/api/projects/{w.hidden_project.pk}/handgrading_rubric/"
            if make_rubric(w.hidden_project)
            else ""
        ),
        graders(200, students=404),
    ),
    "create rubric": Endpoint(
        "POST", _rubric_url, staff_only(201), body=lambda w: {"max_points": 10}
    ),
    "update rubric": Endpoint(
        "PATCH",
        lambda w: _rubric_url(w) if rubric(w) else "",
        staff_only(200),
        body=lambda w: {"released": True},
    ),
    "delete rubric": Endpoint(
        "DELETE", lambda w: _rubric_url(w) if rubric(w) else "", staff_only(204)
    ),
    "import rubric": Endpoint(
        "POST",
        lambda w: (
            f"/api/projects/{factories.make_project(w.course, name='P9').pk}"
            "/handgrading_rubric/import/"
        ),
        staff_only(201),
        body=lambda w: {"project": rubric(w).project_id},
    ),
    "add criterion": Endpoint(
        "POST",
        lambda w: f"/api/handgrading_rubrics/{rubric(w).pk}/criteria/",
        staff_only(201),
        body=lambda w: {"short_description": "Style", "points": 2},
    ),
    "edit criterion": Endpoint(
        "PATCH",
        lambda w: f"/api/handgrading_criteria/{rubric(w).criteria.all()[0].pk}/",
        staff_only(200),
        body=lambda w: {"points": 3},
    ),
    "delete criterion": Endpoint(
        "DELETE",
        lambda w: f"/api/handgrading_criteria/{rubric(w).criteria.all()[0].pk}/",
        staff_only(204),
    ),
    "reorder criteria": Endpoint(
        "PUT",
        lambda w: f"/api/handgrading_rubrics/{rubric(w).pk}/criteria/order/",
        staff_only(200),
        body=lambda w: {
            "ids": [c.pk for c in HandgradingRubric.objects.get(project=w.project).criteria.all()]
        },
    ),
    "reorder annotations": Endpoint(
        "PUT",
        lambda w: f"/api/handgrading_rubrics/{rubric(w).pk}/annotations/order/",
        staff_only(200),
        body=lambda w: {
            "ids": [
                a.pk for a in HandgradingRubric.objects.get(project=w.project).annotations.all()
            ]
        },
    ),
    "add annotation": Endpoint(
        "POST",
        lambda w: f"/api/handgrading_rubrics/{rubric(w).pk}/annotations/",
        staff_only(201),
        body=lambda w: {"short_description": "Leak", "deduction": -1},
    ),
    "edit annotation": Endpoint(
        "PATCH",
        lambda w: f"/api/handgrading_annotations/{rubric(w).annotations.get().pk}/",
        staff_only(200),
        body=lambda w: {"deduction": -2, "max_deduction": None},
    ),
    "delete annotation": Endpoint(
        "DELETE",
        lambda w: f"/api/handgrading_annotations/{rubric(w).annotations.get().pk}/",
        staff_only(204),
    ),
    "progress": Endpoint(
        "GET",
        lambda w: f"/api/projects/{w.project.pk}/handgrading_progress/" if rubric(w) else "",
        graders(200),
    ),
    "assign": Endpoint(
        "PUT",
        lambda w: f"/api/projects/{w.project.pk}/handgrading_assignments/",
        staff_only(200),
        body=lambda w: {"groups": [w.group.pk], "grader": "grader@example.edu"},
    ),
    "open a group's result": Endpoint(
        "GET",
        lambda w: (
            f"/api/groups/{w.group.pk}/handgrading_result/"
            if rubric(w) and make_graded(w.group)
            else ""
        ),
        # The member's result is not released (and not started): 404 for them.
        graders(200) | {"group_member": 404},
    ),
    "read a released result": Endpoint(
        "GET",
        lambda w: (
            f"/api/groups/{w.group.pk}/handgrading_result/" if comment(w, released=True) else ""
        ),
        graders(200) | {"group_member": 200},
        check=no_grader_names,
    ),
    "watch a result live (server-sent events)": Endpoint(
        "GET",
        lambda w: f"/api/handgrading_results/{result(w).pk}/events/",
        graders(200),
        check=lambda w, role, response: _is_event_stream(response),
    ),
    "finish a result": Endpoint(
        "PATCH",
        lambda w: f"/api/handgrading_results/{result(w).pk}/",
        graders(200),
        body=lambda w: {"finished": True},
    ),
    "adjust points (rubric forbids handgraders)": Endpoint(
        "PATCH",
        lambda w: f"/api/handgrading_results/{result(w).pk}/",
        graders(200, handgrader=403),
        body=lambda w: {"points_adjustment": 1},
    ),
    "adjust points (rubric allows handgraders)": Endpoint(
        "PATCH",
        lambda w: f"/api/handgrading_results/{result(w, handgraders_can_adjust_points=True).pk}/",
        graders(200),
        body=lambda w: {"points_adjustment": 1},
    ),
    "tick a criterion": Endpoint(
        "PUT",
        lambda w: (
            f"/api/handgrading_results/{(r := result(w)).pk}/criteria/"
            f"{HandgradingRubric.objects.get(project=r.project).criteria.all()[0].pk}/"
        ),
        graders(200),
        body=lambda w: {"selected": True},
    ),
    "apply an annotation": Endpoint(
        "POST",
        lambda w: f"/api/handgrading_results/{result(w).pk}/applied_annotations/",
        graders(201),
        body=lambda w: {
            "annotation": HandgradingRubric.objects.get(project=w.project).annotations.get().pk,
            "filename": "main.cpp",
            "first_line": 2,
            "last_line": 3,
        },
    ),
    "remove an applied annotation": Endpoint(
        "DELETE", lambda w: f"/api/handgrading_applied_annotations/{applied(w)}/", graders(204)
    ),
    "comment": Endpoint(
        "POST",
        lambda w: f"/api/handgrading_results/{result(w).pk}/comments/",
        graders(201),
        body=lambda w: {"text": "Good", "filename": "main.cpp", "first_line": 1},
    ),
    "comment (rubric forbids handgraders)": Endpoint(
        "POST",
        lambda w: (
            f"/api/handgrading_results/{result(w, handgraders_can_leave_comments=False).pk}"
            "/comments/"
        ),
        graders(201, handgrader=403),
        body=lambda w: {"text": "Good"},
    ),
    "edit a comment": Endpoint(
        "PATCH",
        lambda w: f"/api/handgrading_comments/{comment(w)}/",
        graders(200),
        body=lambda w: {"text": "Better"},
    ),
    "delete a comment": Endpoint(
        "DELETE", lambda w: f"/api/handgrading_comments/{comment(w)}/", graders(204)
    ),
    "my handgrading": Endpoint(
        "GET",
        lambda w: (
            f"/api/projects/{w.project.pk}/my_handgrading/" if comment(w, released=True) else ""
        ),
        roles(student=200, group_member=200, handgrader=200, staff=200, admin=200, superuser=200),
        check=lambda w, role, r: _my_result_shown(role, r.json()),
    ),
    "my handgrading in a hidden project": Endpoint(
        "GET",
        lambda w: f"/api/projects/{w.hidden_project.pk}/my_handgrading/",
        roles(student=404, group_member=404, handgrader=200, staff=200, admin=200, superuser=200),
    ),
    "missing result": Endpoint(
        "PATCH",
        lambda w: "/api/handgrading_results/999999/",
        {role: 404 for role in ROLE_NAMES} | {"anonymous": 401},
        body=lambda w: {"finished": True},
    ),
}


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_handgrading_endpoints(name: str) -> None:
    assert_matrix(ENDPOINTS[name])


def test_a_handgrader_in_the_group_may_not_grade_it(world: World) -> None:
    rubric(world)
    make_graded(world.group)
    member = user(world, "group_member")
    factories.add_role(world.course, member, "handgrader")
    response = world.client("group_member").get(f"/api/groups/{world.group.pk}/handgrading_result/")
    # As a member they see only a released result; as a grader of their own group, nothing.
    assert response.status_code == 404
    assert not HandgradingResult.objects.exists()
    assert not AppliedAnnotation.objects.exists() and not Comment.objects.exists()


@pytest.mark.parametrize(("rubric_allows", "status"), [(None, 200), (False, 403), (True, 200)])
def test_handgraders_read_test_results_only_where_the_rubric_allows(
    world: World, rubric_allows: bool | None, status: int
) -> None:
    """No rubric: the results layer's rule (handgraders see what staff see). A rubric: its
    `handgraders_can_see_test_results` decides; staff are never affected."""
    if rubric_allows is not None:
        rubric(world, handgraders_can_see_test_results=rubric_allows)
    submission = make_graded(world.group)
    url = f"/api/submissions/{submission.pk}/results/"
    assert world.client("handgrader").get(url).status_code == status
    assert world.client("staff").get(url).status_code == 200
