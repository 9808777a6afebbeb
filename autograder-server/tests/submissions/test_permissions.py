from collections.abc import Callable
from typing import Any

import pytest

from autograder.accounts.models import User
from autograder.submissions.models import Submission, SubmissionStatus
from tests.conftest import World
from tests.permission_matrix import Endpoint, assert_matrix
from tests.submissions.conftest import upload
from tests.submissions.helpers import (
    accept_any_file,
    hidden_group,
    hidden_submission,
    submission_of,
)

pytestmark = pytest.mark.django_db


def roles(**statuses: int) -> dict[str, int]:
    """Anonymous → 401 and a student of another course → 403 unless given."""
    return {"anonymous": 401, "other_course_student": 403} | statuses


READ = roles(student=403, group_member=200, handgrader=200, staff=200, admin=200, superuser=200)
HIDDEN_READ = READ | {"student": 404, "group_member": 404}
SUBMIT = roles(student=403, group_member=201, handgrader=403, staff=403, admin=403, superuser=403)
REMOVE = roles(student=403, group_member=200, handgrader=403, staff=200, admin=200, superuser=200)
NOT_FOUND = roles(
    other_course_student=404,
    student=404,
    group_member=404,
    handgrader=404,
    staff=404,
    admin=404,
    superuser=404,
)


def files_body(w: World) -> dict[str, Any]:
    accept_any_file(w.project)
    return {"files": [upload("main.cpp")]}


def hidden_files_body(w: World) -> dict[str, Any]:
    accept_any_file(w.hidden_project)
    return {"files": [upload("main.cpp")]}


def only_this_group(w: World, role: str, response: Any) -> None:
    assert response.data["count"] == 1
    assert {s["group"] for s in response.data["results"]} == {w.group.pk}


def is_removed(w: World, role: str, response: Any) -> None:
    assert response.data["status"] == SubmissionStatus.REMOVED_FROM_QUEUE


def created_for_group(w: World, role: str, response: Any) -> None:
    assert Submission.objects.get(pk=response.data["id"]).group_id == w.group.pk


PROJECT_READ = roles(
    student=200, group_member=200, handgrader=200, staff=200, admin=200, superuser=200
)
"""Anyone who may read the project; each gets their own answer (a student without a group
gets one too)."""
HIDDEN_PROJECT_READ = PROJECT_READ | {"student": 404, "group_member": 404}


def own_limits(w: World, role: str, response: Any) -> None:
    """Only the member sees the world's group; nobody sees another group's counts."""
    expected = w.group.pk if role == "group_member" else None
    assert response.data["group"] == expected
    user = w.users[role]
    assert isinstance(user, User)
    assert [m["username"] for m in response.data["members"]] == [user.username]


def own_submissions(w: World, role: str, response: Any) -> None:
    expected = 1 if role == "group_member" else 0
    assert response.data["count"] == expected
    assert {s["group"] for s in response.data["results"]} <= {w.group.pk}


def checked_files(w: World, role: str, response: Any) -> None:
    assert response.data["accepted"] == ["main.cpp"]


def project_url(suffix: str, hidden: bool = False) -> Callable[[World], str]:
    def build(w: World) -> str:
        submission_of(w, w.other_group, w.other_group.members.get())
        submission_of(w)
        project = w.hidden_project if hidden else w.project
        return f"/api/projects/{project.pk}/{suffix}"

    return build


def chosen_files(w: World) -> dict[str, Any]:
    return {"files": [{"name": "main.cpp", "size": 12}]}


def list_url(w: World) -> str:
    submission_of(w, w.other_group, w.other_group.members.get())
    submission_of(w)
    return f"/api/groups/{w.group.pk}/submissions/"


def sub_url(suffix: str = "", hidden: bool = False) -> Callable[[World], str]:
    def build(w: World) -> str:
        sub = hidden_submission(w) if hidden else submission_of(w)
        return f"/api/submissions/{sub.pk}/{suffix}"

    return build


ENDPOINTS = [
    Endpoint("GET", list_url, READ, check=only_this_group),
    Endpoint(
        "POST",
        lambda w: f"/api/groups/{w.group.pk}/submissions/",
        SUBMIT,
        body=files_body,
        fmt="multipart",
        check=created_for_group,
    ),
    Endpoint("GET", lambda w: f"/api/groups/{hidden_group(w).pk}/submissions/", HIDDEN_READ),
    Endpoint(
        "POST",
        lambda w: f"/api/groups/{hidden_group(w).pk}/submissions/",
        roles(
            student=404,
            group_member=404,
            handgrader=403,
            staff=403,
            admin=403,
            superuser=403,
        ),
        body=hidden_files_body,
        fmt="multipart",
    ),
    Endpoint("GET", lambda w: "/api/groups/999999/submissions/", NOT_FOUND),
    Endpoint("GET", sub_url(), READ),
    Endpoint("GET", sub_url(hidden=True), HIDDEN_READ),
    Endpoint("GET", lambda w: "/api/submissions/999999/", NOT_FOUND),
    Endpoint("POST", sub_url("remove_from_queue/"), REMOVE, check=is_removed),
    Endpoint(
        "POST",
        sub_url("remove_from_queue/", hidden=True),
        REMOVE | {"student": 404, "group_member": 404},
    ),
    Endpoint("GET", sub_url("files/"), READ),
    Endpoint("GET", sub_url("files/", hidden=True), HIDDEN_READ),
    Endpoint("GET", sub_url("files/content/?name=main.cpp"), READ),
    Endpoint("GET", sub_url("files/content/?name=main.cpp", hidden=True), HIDDEN_READ),
    Endpoint("GET", project_url("my_limits/"), PROJECT_READ, check=own_limits),
    Endpoint("GET", project_url("my_limits/", hidden=True), HIDDEN_PROJECT_READ),
    Endpoint("GET", lambda w: "/api/projects/999999/my_limits/", NOT_FOUND),
    Endpoint("GET", project_url("my_submissions/"), PROJECT_READ, check=own_submissions),
    Endpoint("GET", project_url("my_submissions/", hidden=True), HIDDEN_PROJECT_READ),
    Endpoint("GET", lambda w: "/api/projects/999999/my_submissions/", NOT_FOUND),
    Endpoint(
        "POST", project_url("file_check/"), PROJECT_READ, body=chosen_files, check=checked_files
    ),
    Endpoint(
        "POST", project_url("file_check/", hidden=True), HIDDEN_PROJECT_READ, body=chosen_files
    ),
    Endpoint("POST", lambda w: "/api/projects/999999/file_check/", NOT_FOUND, body=chosen_files),
]


@pytest.mark.parametrize(
    "endpoint", ENDPOINTS, ids=[f"{e.method} {i}" for i, e in enumerate(ENDPOINTS)]
)
def test_permission_matrix(endpoint: Endpoint) -> None:
    assert_matrix(endpoint)
