from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from autograder.accounts.models import User
from autograder.projects.models import ExpectedStudentFile, InstructorFile, Project
from autograder.submissions.models import Submission
from tests import factories
from tests.conftest import World
from tests.projects.conftest import stored_files

pytestmark = pytest.mark.django_db


def _projects_url(w: World) -> str:
    return f"/api/courses/{w.course.pk}/projects/"


def _assert_400(response: Any, field: str) -> None:
    assert response.status_code == 400, response.data
    codes = {"invalid", "invalid_filename", "duplicate_name", "duplicate_pattern"}
    assert response.data["code"] in codes
    assert field in response.data["fields"], response.data
    assert response.data["message"]


# --- Projects -------------------------------------------------------------------------------


def test_admin_creates_a_project_with_every_policy(world: World) -> None:
    body = {
        "name": "P3 Graphs",
        "visible_to_students": True,
        "closing_time": "2026-10-01T23:59:00-04:00",
        "soft_closing_time": "2026-10-01T20:00:00-04:00",
        "disallow_student_submissions": False,
        "guests_can_submit": True,
        "min_group_size": 1,
        "max_group_size": 2,
        "submission_limit_per_day": 3,
        "submission_limit_reset_time": "08:00:00",
        "submission_limit_reset_timezone": "America/Detroit",
        "groups_combine_daily_submissions": True,
        "allow_submissions_past_limit": False,
        "num_bonus_submissions": 2,
        "total_submission_limit": 40,
        "allow_late_days": True,
        "final_graded_policy": "best",
        "hide_final_graded_feedback": True,
        "use_honor_pledge": True,
        "honor_pledge_text": "I worked alone.",
    }
    response = world.client("admin").post(_projects_url(world), body, format="json")
    assert response.status_code == 201, response.data
    project = Project.objects.get(pk=response.data["id"])
    assert project.course == world.course
    assert project.submission_limit_reset_timezone == "America/Detroit"
    assert project.closing_time is not None
    assert project.closing_time.isoformat() == "2026-10-02T03:59:00+00:00"
    for key in body.keys() - {"closing_time", "soft_closing_time"}:
        assert response.data[key] == body[key], key


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "colour": "red"}, "colour"),
        ({"name": "X", "course": 5}, "course"),
        ({"name": "X", "id": 5}, "id"),
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "X", "max_group_size": "many"}, "max_group_size"),
        ({"name": "X", "max_group_size": 0}, "max_group_size"),
        ({"name": "X", "visible_to_students": "maybe"}, "visible_to_students"),
        ({"name": "X", "closing_time": "next tuesday"}, "closing_time"),
        ({"name": "X", "soft_closing_time": "2026-13-45T00:00"}, "soft_closing_time"),
        ({"name": "X", "submission_limit_reset_time": "25:00"}, "submission_limit_reset_time"),
        (
            {"name": "X", "submission_limit_reset_timezone": "Mars/Olympus"},
            "submission_limit_reset_timezone",
        ),
        ({"name": "X", "min_group_size": 3, "max_group_size": 2}, "min_group_size"),
        ({"name": "X", "use_honor_pledge": True}, "honor_pledge_text"),
        ({"name": "X", "final_graded_policy": "worst"}, "final_graded_policy"),
        ({"name": "X", "submission_limit_per_day": -1}, "submission_limit_per_day"),
        ({"name": "P1 Stats"}, "name"),
    ],
)
def test_bad_project_input_is_a_400_naming_the_field(
    world: World, body: dict[str, Any], field: str
) -> None:
    before = Project.objects.count()
    response = world.client("admin").post(_projects_url(world), body, format="json")
    _assert_400(response, field)
    assert Project.objects.count() == before


def test_invalid_datetime_message_says_what_format_to_use(world: World) -> None:
    response = world.client("admin").post(
        _projects_url(world), {"name": "X", "closing_time": "soon"}, format="json"
    )
    assert "format" in response.data["fields"]["closing_time"][0]


def test_invalid_timezone_message_gives_an_example(world: World) -> None:
    response = world.client("admin").patch(
        f"/api/projects/{world.project.pk}/",
        {"submission_limit_reset_timezone": "EST5"},
        format="json",
    )
    _assert_400(response, "submission_limit_reset_timezone")
    assert "America/Detroit" in response.data["message"]


def test_patch_checks_group_sizes_against_the_stored_values(world: World) -> None:
    url = f"/api/projects/{world.project.pk}/"
    response = world.client("admin").patch(url, {"min_group_size": 4}, format="json")
    _assert_400(response, "min_group_size")
    response = world.client("admin").patch(url, {"min_group_size": 3}, format="json")
    assert response.status_code == 200
    assert response.data["min_group_size"] == 3


def test_a_soft_deadline_after_the_hard_one_is_allowed(world: World) -> None:
    response = world.client("admin").patch(
        f"/api/projects/{world.project.pk}/",
        {"closing_time": "2026-10-01T12:00:00Z", "soft_closing_time": "2026-10-02T12:00:00Z"},
        format="json",
    )
    assert response.status_code == 200


def test_project_with_submissions_cannot_be_deleted(world: World) -> None:
    member = world.users["group_member"]
    assert isinstance(member, User)
    Submission.objects.create(group=world.group, project=world.project, submitter=member)
    response = world.client("admin").delete(f"/api/projects/{world.project.pk}/")
    assert response.status_code == 409
    assert response.data["code"] == "project_has_submissions"
    assert "submission" in response.data["message"]
    assert Project.objects.filter(pk=world.project.pk).exists()


def test_project_list_is_paginated(world: World) -> None:
    for number in range(5):
        factories.make_project(world.course, name=f"Extra {number}")
    response = world.client("staff").get(_projects_url(world), {"page_size": 3})
    assert response.status_code == 200
    assert response.data["count"] == 7
    assert len(response.data["results"]) == 3
    assert response.data["next"] is not None
    assert response.data["previous"] is None


def test_copy_into_the_same_course_auto_suffixes_or_refuses_a_taken_name(world: World) -> None:
    url = f"/api/projects/{world.project.pk}/copy/"
    client = world.client("admin")
    response = client.post(url, {"target_course": world.course.pk}, format="json")
    assert response.status_code == 201
    assert response.data["name"] == "P1 Stats (copy)"
    assert response.data["visible_to_students"] is False

    response = client.post(
        url, {"target_course": world.course.pk, "name": "P2 Hidden"}, format="json"
    )
    _assert_400(response, "name")

    response = client.post(url, {"target_course": world.course.pk, "name": "P1b"}, format="json")
    assert response.status_code == 201
    assert response.data["name"] == "P1b"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "target_course"),
        ({"target_course": 999999}, "target_course"),
        ({"target_course": "abc"}, "target_course"),
        ({"target_course": None}, "target_course"),
        ({"target_course": 1, "visible": True}, "visible"),
    ],
)
def test_bad_copy_input(world: World, body: dict[str, Any], field: str) -> None:
    response = world.client("admin").post(
        f"/api/projects/{world.project.pk}/copy/", body, format="json"
    )
    _assert_400(response, field)


# --- Expected files -------------------------------------------------------------------------


def _expected_url(w: World) -> str:
    return f"/api/projects/{w.project.pk}/expected_files/"


def test_admin_manages_expected_files(world: World) -> None:
    client = world.client("admin")
    response = client.post(
        _expected_url(world), {"pattern": "*.cpp", "min_num_matches": 0}, format="json"
    )
    assert response.status_code == 201
    assert (response.data["min_num_matches"], response.data["max_num_matches"]) == (0, 1)
    url = f"/api/expected_files/{response.data['id']}/"

    response = client.patch(url, {"max_num_matches": 10, "pattern": "*.[ch]"}, format="json")
    assert response.status_code == 200
    assert (response.data["pattern"], response.data["max_num_matches"]) == ("*.[ch]", 10)

    listed = world.client("student").get(_expected_url(world)).data
    assert [item["pattern"] for item in listed["results"]] == ["*.[ch]"]

    assert client.delete(url).status_code == 204
    assert not ExpectedStudentFile.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"pattern": ""}, "pattern"),
        ({"pattern": "src/*.c"}, "pattern"),
        ({"pattern": "../*"}, "pattern"),
        ({"pattern": ".."}, "pattern"),
        ({"pattern": "a\x00b"}, "pattern"),
        ({"pattern": "a\x07b"}, "pattern"),
        ({"pattern": True}, "pattern"),
        ({"pattern": {"glob": "*.c"}}, "pattern"),
        ({"pattern": ["*.c"]}, "pattern"),
        ({"pattern": "*.c", "min_num_matches": 2, "max_num_matches": 1}, "min_num_matches"),
        ({"pattern": "*.c", "max_num_matches": 0}, "max_num_matches"),
        ({"pattern": "*.c", "min_num_matches": -1}, "min_num_matches"),
        ({"pattern": "*.c", "min_num_matches": "one"}, "min_num_matches"),
        ({"pattern": "*.c", "max_num_matches": 2**63 - 1}, "max_num_matches"),
        ({"pattern": "*.c", "min_num_matches": 2**40, "max_num_matches": 2**40}, "min_num_matches"),
        ({"pattern": "*.c", "required": True}, "required"),
        ({"pattern": "*.py"}, "pattern"),
    ],
)
def test_bad_expected_file_input(world: World, body: dict[str, Any], field: str) -> None:
    factories.make_expected_file(world.project, "*.py")
    response = world.client("admin").post(_expected_url(world), body, format="json")
    _assert_400(response, field)
    assert ExpectedStudentFile.objects.count() == 1


def test_patch_expected_file_checks_against_stored_values(world: World) -> None:
    expected = factories.make_expected_file(world.project, "*.py", 2, 4)
    response = world.client("admin").patch(
        f"/api/expected_files/{expected.pk}/", {"max_num_matches": 1}, format="json"
    )
    _assert_400(response, "min_num_matches")
    expected.refresh_from_db()
    assert expected.max_num_matches == 4


# --- Instructor files -----------------------------------------------------------------------


def _files_url(w: World) -> str:
    return f"/api/projects/{w.project.pk}/instructor_files/"


def _upload(client: Any, url: str, name: str, data: bytes, **extra: Any) -> Any:
    return client.post(url, {"file": SimpleUploadedFile(name, data), **extra}, format="multipart")


def test_upload_list_download_rename_replace_delete(
    world: World, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = world.client("admin")
    response = _upload(client, _files_url(world), "driver.py", b"print('hi')\n")
    assert response.status_code == 201, response.data
    assert (response.data["name"], response.data["size"]) == ("driver.py", 12)
    detail = f"/api/instructor_files/{response.data['id']}/"

    listed = world.client("staff").get(_files_url(world)).data
    assert listed["count"] == 1
    assert listed["results"][0]["name"] == "driver.py"

    download = world.client("staff").get(detail + "content/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"] == 'attachment; filename="driver.py"'
    assert download.getvalue() == b"print('hi')\n"

    response = client.patch(detail, {"name": "tests.py"}, format="json")
    assert response.status_code == 200
    assert response.data["name"] == "tests.py"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.put(
            detail, {"file": SimpleUploadedFile("other.py", b"new")}, format="multipart"
        )
    assert response.status_code == 200
    assert (response.data["name"], response.data["size"]) == ("tests.py", 3)
    assert [p.read_bytes() for p in stored_files(media_root)] == [b"new"]

    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(detail).status_code == 204
    assert stored_files(media_root) == []
    assert not InstructorFile.objects.exists()


def test_empty_files_are_allowed(world: World) -> None:
    response = _upload(world.client("admin"), _files_url(world), "empty.txt", b"")
    assert response.status_code == 201
    assert response.data["size"] == 0


def test_oversize_upload_is_413_with_the_limit_and_stores_nothing(
    world: World, settings: Any, media_root: Path
) -> None:
    settings.MAX_INSTRUCTOR_FILE_BYTES = 10
    response = _upload(world.client("admin"), _files_url(world), "big.bin", b"x" * 11)
    assert response.status_code == 413
    assert response.data["code"] == "file_too_large"
    assert "10 bytes" in response.data["message"]
    assert "file" in response.data["fields"]
    assert stored_files(media_root) == []
    assert not InstructorFile.objects.exists()

    instructor_file = InstructorFile.objects.create(project=world.project, name="a", size=0)
    response = world.client("admin").put(
        f"/api/instructor_files/{instructor_file.pk}/",
        {"file": SimpleUploadedFile("a", b"x" * 11)},
        format="multipart",
    )
    assert response.status_code == 413
    assert stored_files(media_root) == []


def test_duplicate_name_is_400_and_stores_nothing(world: World, media_root: Path) -> None:
    client = world.client("admin")
    assert _upload(client, _files_url(world), "a.txt", b"1").status_code == 201
    response = _upload(client, _files_url(world), "a.txt", b"2")
    _assert_400(response, "file")
    assert [p.read_bytes() for p in stored_files(media_root)] == [b"1"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "file"),
        ({"file": "not a file"}, "file"),
        ({"file": SimpleUploadedFile("a.txt", b"1"), "name": "b.txt"}, "name"),
    ],
)
def test_bad_upload_forms(world: World, media_root: Path, body: dict[str, Any], field: str) -> None:
    response = world.client("admin").post(_files_url(world), body, format="multipart")
    _assert_400(response, field)
    assert stored_files(media_root) == []


def test_json_body_to_the_upload_endpoint_is_415(world: World) -> None:
    response = world.client("admin").post(_files_url(world), {"file": "x"}, format="json")
    assert response.status_code == 415


@pytest.mark.parametrize("name", ["..", ".", "", "../"])
def test_an_upload_whose_name_is_only_dots_or_a_path_is_refused(
    world: World, media_root: Path, name: str
) -> None:
    """Test clients refuse to build these names, so the multipart body is written by hand."""
    boundary = "XyZzY"
    body = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
        "data\r\n"
        f"--{boundary}--\r\n"
    )
    response = world.client("admin").generic(
        "POST", _files_url(world), body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    _assert_400(response, "file")
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    "name", ["..", ".", "a/b", "a\\b", "nul\x00byte", "bell\x07", "", "x" * 256, 7]
)
def test_rename_refuses_unsafe_names(world: World, name: Any) -> None:
    instructor_file = InstructorFile.objects.create(project=world.project, name="a", size=0)
    response = world.client("admin").patch(
        f"/api/instructor_files/{instructor_file.pk}/", {"name": name}, format="json"
    )
    if name == 7:
        assert response.status_code == 200  # DRF coerces numbers to strings: a safe "7".
        return
    _assert_400(response, "name")
    instructor_file.refresh_from_db()
    assert instructor_file.name == "a"


def test_rename_to_a_taken_name_is_400(world: World) -> None:
    InstructorFile.objects.create(project=world.project, name="a", size=0)
    second = InstructorFile.objects.create(project=world.project, name="b", size=0)
    response = world.client("admin").patch(
        f"/api/instructor_files/{second.pk}/", {"name": "a"}, format="json"
    )
    _assert_400(response, "name")


def test_non_ascii_names_download_with_an_encoded_disposition(world: World) -> None:
    client = world.client("admin")
    response = _upload(client, _files_url(world), 'résumé "final".txt', b"ok")
    assert response.status_code == 201
    download = client.get(f"/api/instructor_files/{response.data['id']}/content/")
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert "r%C3%A9sum%C3%A9" in disposition
    assert "\n" not in disposition


def test_missing_bytes_are_a_404_not_a_500(world: World) -> None:
    instructor_file = InstructorFile.objects.create(
        project=world.project, name="gone", size=1, file_obj="projects/0/instructor_files/gone"
    )
    response = world.client("staff").get(f"/api/instructor_files/{instructor_file.pk}/content/")
    assert response.status_code == 404
