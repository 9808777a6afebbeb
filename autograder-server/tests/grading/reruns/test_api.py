from typing import Any

import pytest
from rest_framework.test import APIClient

from autograder.courses.models import Role
from autograder.grading.config.models import AGTestCase, AGTestSuite
from autograder.grading.pipeline.models import GradingJob, JobState, RerunTask
from autograder.projects.models import Project
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db


def graded(world: World, count: int = 1) -> list[Submission]:
    member = world.group.members.get()
    return [
        Submission.objects.create(
            group=world.group,
            project=world.project,
            submitter=member,
            status=SubmissionStatus.FINISHED_GRADING,
        )
        for _ in range(count)
    ]


def start(client: APIClient, project: Project, body: dict[str, Any]) -> Any:
    return client.post(f"/api/projects/{project.pk}/reruns/", body, format="json")


def test_admin_starts_a_rerun_and_watches_its_progress(world: World) -> None:
    first, _ = graded(world, 2)
    admin = world.client("admin")

    created = start(admin, world.project, {"selection": "list", "submission_ids": [first.pk]})

    assert created.status_code == 201
    body = created.data
    assert body["creator"] == "admin@example.edu"
    assert (body["selection"], body["suite_selection"], body["skipped"]) == ("list", None, 0)
    assert body["image_choice"] == "current", "the suites' current images unless asked"
    assert (body["total"], body["completed"], body["percent"], body["finished"]) == (
        1,
        0,
        0.0,
        False,
    )
    assert GradingJob.objects.get(rerun_task_id=body["id"]).submission_id == first.pk

    again = start(admin, world.project, {"selection": "all"})
    assert (again.data["total"], again.data["skipped"]) == (1, 1)

    GradingJob.objects.filter(rerun_task_id=body["id"]).update(state=JobState.DONE)
    detail = world.client("staff").get(f"/api/reruns/{body['id']}/")
    assert detail.status_code == 200
    assert (detail.data["completed"], detail.data["percent"], detail.data["finished"]) == (
        1,
        100.0,
        True,
    )


def test_list_is_paginated_newest_first(world: World) -> None:
    graded(world)
    for _ in range(3):
        RerunTask.objects.create(project=world.project, selection="all")
    RerunTask.objects.create(project=world.hidden_project, selection="all")

    page = world.client("staff").get(f"/api/projects/{world.project.pk}/reruns/?page_size=2")

    assert page.status_code == 200
    assert page.data["count"] == 3 and page.data["next"] is not None
    ids = [row["id"] for row in page.data["results"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 2


def test_cancel_reports_cancelled_jobs(world: World) -> None:
    graded(world, 2)
    admin = world.client("admin")
    rerun_id = start(admin, world.project, {"selection": "all"}).data["id"]

    response = admin.post(f"/api/reruns/{rerun_id}/cancel/")

    assert response.status_code == 200
    assert response.data["is_cancelled"] and response.data["finished_at"] is not None
    assert (response.data["cancelled"], response.data["completed"], response.data["failed"]) == (
        2,
        0,
        0,
    )
    assert response.data["finished"] is True
    assert admin.post(f"/api/reruns/{rerun_id}/cancel/").status_code == 200


def test_cancelling_a_finished_rerun_is_a_conflict(world: World) -> None:
    rerun_id = start(world.client("admin"), world.project, {"selection": "all"}).data["id"]

    response = world.client("admin").post(f"/api/reruns/{rerun_id}/cancel/")

    assert response.status_code == 409
    assert response.data["code"] == "rerun_finished"


def test_missing_rerun_is_404(world: World) -> None:
    assert world.client("admin").get("/api/reruns/999999/").status_code == 404
    assert world.client("admin").post("/api/reruns/999999/cancel/").status_code == 404


def other_project_ids(world: World) -> dict[str, int]:
    other = factories.make_project(world.other_course)
    suite = AGTestSuite.objects.create(project=other, name="Theirs")
    case = AGTestCase.objects.create(suite=suite, name="Theirs")
    student = factories.add_role(world.other_course, factories.make_user(), Role.STUDENT)
    group = factories.make_group(other, student)
    theirs = Submission.objects.create(
        group=group, project=other, submitter=student, status=SubmissionStatus.FINISHED_GRADING
    )
    mine = AGTestSuite.objects.create(project=world.project, name="Mine")
    return {"suite": suite.pk, "case": case.pk, "submission": theirs.pk, "my_suite": mine.pk}


BAD_BODIES: dict[str, tuple[Any, str]] = {
    "unknown selection": (lambda ids: {"selection": "everything"}, "selection"),
    "selection missing": (lambda ids: {}, "selection"),
    "selection not a string": (lambda ids: {"selection": ["all"]}, "selection"),
    "unknown field": (lambda ids: {"selection": "all", "suites": []}, "suites"),
    "list without ids": (lambda ids: {"selection": "list"}, "submission_ids"),
    "empty id list": (lambda ids: {"selection": "list", "submission_ids": []}, "submission_ids"),
    "ids with all": (lambda ids: {"selection": "all", "submission_ids": [1]}, "submission_ids"),
    "ids not a list": (lambda ids: {"selection": "list", "submission_ids": 5}, "submission_ids"),
    "id not a number": (
        lambda ids: {"selection": "list", "submission_ids": ["five"]},
        "submission_ids",
    ),
    "another project's submission": (
        lambda ids: {"selection": "list", "submission_ids": [ids["submission"]]},
        "submission_ids",
    ),
    "another project's suite": (
        lambda ids: {"selection": "all", "suite_selection": {str(ids["suite"]): None}},
        "suite_selection",
    ),
    "another suite's case": (
        lambda ids: {"selection": "all", "suite_selection": {str(ids["my_suite"]): [ids["case"]]}},
        "suite_selection",
    ),
    "suite key not an id": (
        lambda ids: {"selection": "all", "suite_selection": {"public": None}},
        "suite_selection",
    ),
    "cases not a list": (
        lambda ids: {"selection": "all", "suite_selection": {str(ids["my_suite"]): 3}},
        "suite_selection",
    ),
    "suite selection not a dict": (
        lambda ids: {"selection": "all", "suite_selection": [ids["my_suite"]]},
        "suite_selection",
    ),
    "unknown image choice": (
        lambda ids: {"selection": "all", "image_choice": "newest"},
        "image_choice",
    ),
    "image choice null": (lambda ids: {"selection": "all", "image_choice": None}, "image_choice"),
    "empty suite selection": (
        lambda ids: {"selection": "all", "suite_selection": {}},
        "suite_selection",
    ),
}


@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_bad_input_is_a_400_naming_the_field(world: World, name: str) -> None:
    graded(world)
    ids = other_project_ids(world)
    make_body, field = BAD_BODIES[name]

    response = start(world.client("admin"), world.project, make_body(ids))

    assert response.status_code == 400, response.data
    assert field in response.data["fields"], response.data
    assert not RerunTask.objects.exists()


def test_ids_of_another_project_are_listed_in_the_error(world: World) -> None:
    ids = other_project_ids(world)
    mine = graded(world)[0]

    response = start(
        world.client("admin"),
        world.project,
        {"selection": "list", "submission_ids": [mine.pk, ids["submission"]]},
    )

    assert response.data["fields"]["submission_ids"] == [
        f"Not submissions of this project: {ids['submission']}."
    ]


def test_schema_types_the_list_as_pages_and_the_suite_selection(world: World) -> None:
    schema = world.client("staff").get("/api/schema/", {"format": "json"}).json()
    ok = schema["paths"]["/api/projects/{project_id}/reruns/"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"]["$ref"].endswith("/PaginatedRerunOutputList")
    selection = schema["components"]["schemas"]["RerunOutput"]["properties"]["suite_selection"]
    assert selection["additionalProperties"]["items"] == {"type": "integer"}


def test_a_rerun_on_the_original_images_says_so_in_the_list(world: World) -> None:
    graded(world)
    admin = world.client("admin")

    created = start(admin, world.project, {"selection": "all", "image_choice": "original"})

    assert created.status_code == 201, created.data
    assert RerunTask.objects.get(pk=created.data["id"]).image_choice == "original"
    listed = world.client("staff").get(f"/api/projects/{world.project.pk}/reruns/")
    assert [r["image_choice"] for r in listed.data["results"]] == ["original"]
