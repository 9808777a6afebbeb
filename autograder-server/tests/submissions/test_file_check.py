"""The dry run of an upload's files (`selectors.file_check`, `file_check/`) says what the upload
of the same files then does: what is kept, left out and missing, and what it refuses."""

from typing import Any

import pytest
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from autograder.accounts.models import User
from autograder.common.errors import ApplicationError
from autograder.courses.models import Role
from autograder.groups.models import Group
from autograder.projects import services as project_services
from autograder.projects.models import Project
from autograder.submissions import selectors, services
from tests import factories
from tests.submissions.conftest import upload

pytestmark = pytest.mark.django_db

ChosenFile = selectors.ChosenFile


def setup(*patterns: tuple[str, int, int]) -> tuple[Project, Group, User]:
    project = factories.make_project()
    for pattern, lo, hi in patterns:
        factories.make_expected_file(project, pattern, lo, hi)
    alice = factories.add_role(project.course, factories.make_user(), Role.STUDENT)
    return project, factories.make_group(project, alice), alice


def check(project: Project, *names: str, sizes: list[int] | None = None) -> selectors.FileCheck:
    sized: list[int | None] = list(sizes) if sizes else [None] * len(names)
    return selectors.file_check(
        project=project, files=[ChosenFile(n, s) for n, s in zip(names, sized, strict=True)]
    )


def upload_does_the_same(check_result: selectors.FileCheck, group: Group, user: User) -> None:
    names = check_result.match.accepted + check_result.match.discarded
    files = [upload(name) for name in dict.fromkeys(names)]
    if check_result.refusals:
        with pytest.raises(ApplicationError) as info:
            services.submission_create(group=group, submitter=user, files=files)
        first = check_result.refusals[0]
        assert (info.value.code, info.value.message) == (first.code, first.message)
        return
    sub = services.submission_create(group=group, submitter=user, files=files)
    assert sub.submitted_filenames == check_result.match.accepted
    assert sub.discarded_files == check_result.match.discarded


def test_kept_left_out_and_matched_like_the_upload() -> None:
    project, group, alice = setup(("main.cpp", 1, 1), ("*.h", 0, 2))
    result = check(project, "main.cpp", "a.h", "b.h", "c.h", "notes.txt")
    assert result.match.accepted == ["main.cpp", "a.h", "b.h"]
    assert result.match.discarded == ["c.h", "notes.txt"]
    assert result.match.matched == {"main.cpp": ["main.cpp"], "*.h": ["a.h", "b.h"]}
    assert result.match.missing == {} and result.acceptable
    upload_does_the_same(result, group, alice)


def test_a_pattern_still_missing_files_is_what_the_upload_refuses() -> None:
    project, group, alice = setup(("main.cpp", 1, 1), ("test_*.cpp", 2, 3))
    result = check(project, "main.cpp", "test_a.cpp")
    assert result.match.missing == {"test_*.cpp": 1}
    assert [r.code for r in result.refusals] == ["missing_files"]
    assert "test_*.cpp (1 more)" in result.refusals[0].message
    upload_does_the_same(result, group, alice)


def test_every_bad_name_is_named() -> None:
    project, _, _ = setup(("*", 0, 100))
    result = check(project, "ok.py", "bad\u202etxt.py", "..", "tab\tname")
    refused = [(r.code, r.name) for r in result.refusals]
    assert refused == [
        ("invalid_filename", "bad\u202etxt.py"),
        ("invalid_filename", ".."),
        ("invalid_filename", "tab\tname"),
    ]
    assert "U+202E" in result.refusals[0].message


def test_an_instructor_file_name_is_refused_only_when_kept() -> None:
    project, group, alice = setup(("*.py", 0, 10))
    project_services.instructor_file_create(
        project=project, name="grader.py", content=ContentFile(b"x")
    )
    kept = check(project, "grader.py", "main.py")
    assert [(r.code, r.name) for r in kept.refusals] == [("instructor_file_name", "grader.py")]
    upload_does_the_same(kept, group, alice)

    project.expected_student_files.all().delete()
    factories.make_expected_file(project, "main.py", 1, 1)
    left_out = check(project, "grader.py", "main.py")
    assert left_out.match.discarded == ["grader.py"] and left_out.acceptable


def test_count_and_size_limits(settings: Any) -> None:
    settings.MAX_FILES_PER_SUBMISSION = 2
    settings.MAX_UPLOAD_BYTES = 10
    project, _, _ = setup(("*", 0, 100))
    result = check(project, "a", "b", "c", sizes=[4, 4, 4])
    assert [r.code for r in result.refusals] == ["too_many_files", "upload_too_large"]
    assert result.refusals[1].status == 413
    assert check(project, "a", "b").acceptable  # sizes unknown: the size rule is skipped
    assert [r.code for r in check(project).refusals] == ["no_files"]


def test_upload_refuses_the_first_of_the_same_problems(settings: Any) -> None:
    settings.MAX_FILES_PER_SUBMISSION = 2
    project, group, alice = setup(("*", 0, 100))
    result = check(project, "a", "b", "c")
    upload_does_the_same(result, group, alice)


# --- The endpoint ------------------------------------------------------------------------------


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_endpoint_answers_for_the_chosen_names() -> None:
    project, _, alice = setup(("main.cpp", 1, 1), ("*.h", 0, 1))
    response = client_for(alice).post(
        f"/api/projects/{project.pk}/file_check/",
        {"files": [{"name": "main.cpp", "size": 10}, {"name": "a.h"}, {"name": "b.h"}]},
        format="json",
    )
    assert response.status_code == 200, response.data
    assert response.data == {
        "accepted": ["main.cpp", "a.h"],
        "discarded": ["b.h"],
        "missing": {},
        "matched": {"main.cpp": ["main.cpp"], "*.h": ["a.h"]},
        "problems": [],
        "acceptable": True,
    }
    missing = client_for(alice).post(
        f"/api/projects/{project.pk}/file_check/", {"files": [{"name": "x/y"}]}, format="json"
    )
    assert missing.data["missing"] == {"main.cpp": 1}
    assert [(p["code"], p["name"]) for p in missing.data["problems"]] == [
        ("invalid_filename", "x/y"),
        ("missing_files", None),
    ]
    assert missing.data["acceptable"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "files"),
        ({"files": "main.cpp"}, "files"),
        ({"files": [{"name": "a", "size": -1}]}, "files"),
        ({"files": [{"size": 1}]}, "files"),
        ({"files": [{"name": "a", "path": "/etc"}]}, "files"),
        ({"files": [], "extra": 1}, "extra"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(body: dict[str, Any], field: str) -> None:
    project, _, alice = setup(("*", 0, 10))
    response = client_for(alice).post(
        f"/api/projects/{project.pk}/file_check/", body, format="json"
    )
    assert response.status_code == 400, response.data
    assert field in response.data["fields"]


def test_a_lone_surrogate_is_a_400_not_an_unencodable_answer() -> None:
    project, _, alice = setup(("*", 0, 10))
    response = client_for(alice).post(
        f"/api/projects/{project.pk}/file_check/",
        data=b'{"files": [{"name": "\\ud800.py"}]}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "files" in response.json()["fields"]


def test_too_many_names_for_one_request_is_a_400() -> None:
    project, _, alice = setup(("*", 0, 10))
    body = {"files": [{"name": f"f{i}"} for i in range(10_001)]}
    response = client_for(alice).post(
        f"/api/projects/{project.pk}/file_check/", body, format="json"
    )
    assert response.status_code == 400
    assert "files" in response.data["fields"]
