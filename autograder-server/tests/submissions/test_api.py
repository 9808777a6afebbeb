from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from autograder.accounts.models import User
from autograder.courses.models import Role
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories
from tests.conftest import World
from tests.submissions.conftest import stored_files, upload
from tests.submissions.helpers import accept_any_file, member, raw_multipart

pytestmark = pytest.mark.django_db


def url(w: World) -> str:
    return f"/api/groups/{w.group.pk}/submissions/"


def post(w: World, files: list[Any], **fields: Any) -> Any:
    return w.client("group_member").post(url(w), {"files": files, **fields}, format="multipart")


def post_raw(w: World, files: list[tuple[str, bytes]]) -> Any:
    body, content_type = raw_multipart(files)
    return w.client("group_member").post(url(w), body, content_type=content_type)


def download(client: APIClient, sub_id: int, name: str) -> Any:
    return client.get(f"/api/submissions/{sub_id}/files/content/", {"name": name})


@pytest.fixture
def w(world: World) -> World:
    accept_any_file(world.project)
    return world


def test_upload_list_detail_files_and_download(w: World) -> None:
    binary = bytes(range(256)) * 40
    response = post(w, [upload("main.cpp", b"int main(){}"), upload("data.bin", binary)])
    assert response.status_code == 201, response.data
    body = response.data
    assert body["status"] == "queued"
    assert body["submitter"] == "member@example.edu"
    assert body["submitted_filenames"] == ["main.cpp", "data.bin"]
    assert body["total_size"] == len(binary) + 12
    assert body["does_not_count_for"] == [] and body["is_late"] is False

    client = w.client("group_member")
    files = client.get(f"/api/submissions/{body['id']}/files/")
    assert files.data == [{"name": "main.cpp", "size": 12}, {"name": "data.bin", "size": 10240}]
    got = download(client, body["id"], "data.bin")
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == binary
    assert got["Content-Disposition"].startswith("attachment;")

    detail = w.client("staff").get(f"/api/submissions/{body['id']}/")
    assert detail.data == body


def test_list_is_paginated_newest_first(w: World) -> None:
    ids = []
    for _ in range(3):
        response = post(w, [upload("a.cpp")])
        ids.append(response.data["id"])
        Submission.objects.filter(pk=response.data["id"]).update(status="finished_grading")
    listed = w.client("group_member").get(url(w), {"page_size": 2})
    assert listed.data["count"] == 3
    assert [s["id"] for s in listed.data["results"]] == ids[::-1][:2]
    assert listed.data["next"]


def test_unicode_and_odd_but_legal_names_round_trip(w: World) -> None:
    names = ["résumé 📄.cpp", "...", "-rf", "a b  c", "名前.py", "x" * 255]
    response = post(w, [upload(name, name.encode()) for name in names])
    assert response.status_code == 201, response.data
    assert response.data["submitted_filenames"] == names
    client = w.client("group_member")
    for name in names:
        got = download(client, response.data["id"], name)
        assert b"".join(got.streaming_content) == name.encode()


def test_empty_file_is_accepted(w: World) -> None:
    response = post(w, [upload("empty.txt", b"")])
    assert response.status_code == 201
    files = w.client("group_member").get(f"/api/submissions/{response.data['id']}/files/")
    assert files.data == [{"name": "empty.txt", "size": 0}]


@pytest.mark.parametrize(
    "name",
    [
        "../evil.cpp",
        "dir/main.cpp",
        "..",
        ".",
        "C:\\\\x.cpp",
        "tab\there.cpp",
        "bell\x07.cpp",
        "nul\x00.cpp",
    ],
)
def test_bad_file_names_are_400_naming_files(w: World, name: str, _media_root: Path) -> None:
    response = post_raw(w, [("ok.cpp", b"1"), (name, b"2")])
    assert response.status_code == 400, response.content
    assert response.data["code"] == "invalid_filename"
    assert "files" in response.data["fields"]
    assert not Submission.objects.exists()
    assert stored_files(_media_root) == []


def test_too_long_name_is_400(w: World) -> None:
    response = post_raw(w, [("é" * 128, b"x")])
    assert response.status_code == 400
    assert "255 bytes" in response.data["message"]


def test_more_files_than_the_cap_is_400(w: World) -> None:
    response = post_raw(w, [(f"f{i}.txt", b"x") for i in range(1200)])
    assert response.status_code == 400
    assert response.data["code"] == "too_many_files"
    assert "at most 500 files" in response.data["fields"]["files"][0]
    assert not Submission.objects.exists()


def test_thousands_of_files_within_a_raised_cap(w: World, settings: Any) -> None:
    settings.MAX_FILES_PER_SUBMISSION = 2000
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2000
    response = post_raw(w, [(f"f{i}.txt", str(i).encode()) for i in range(1200)])
    assert response.status_code == 201, response.data
    assert len(response.data["submitted_filenames"]) == 1200
    got = download(w.client("group_member"), response.data["id"], "f1199.txt")
    assert b"".join(got.streaming_content) == b"1199"


def test_oversize_upload_is_413_with_the_limit(w: World, settings: Any) -> None:
    settings.MAX_UPLOAD_BYTES = 4096
    response = post(w, [upload("big.bin", b"x" * 5000)])
    assert response.status_code == 413
    assert "4096 bytes" in response.json()["message"]
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("files", "code"),
    [([], "no_files"), ([("a.cpp", b"1"), ("a.cpp", b"2")], "duplicate_files")],
)
def test_no_files_or_duplicates_are_400(w: World, files: list[Any], code: str) -> None:
    response = post_raw(w, files)
    assert response.status_code == 400
    assert response.data["code"] == code and "files" in response.data["fields"]


def test_missing_required_files_are_named(world: World) -> None:
    factories.make_expected_file(world.project, "main.cpp")
    factories.make_expected_file(world.project, "*.h", 1, 3)
    response = post(world, [upload("main.cpp"), upload("readme.md")])
    assert response.status_code == 400
    assert response.data["code"] == "missing_files"
    assert "*.h (1 more)" in response.data["message"]


def test_unknown_fields_and_bad_types_are_400_naming_them(w: World) -> None:
    response = post(w, [upload("a.cpp")], colour="blue")
    assert response.status_code == 400 and "colour" in response.data["fields"]
    response = post(w, [upload("a.cpp")], honor_pledge_accepted="perhaps")
    assert response.status_code == 400 and "honor_pledge_accepted" in response.data["fields"]


def test_json_body_is_415(w: World) -> None:
    response = w.client("group_member").post(url(w), {"files": []}, format="json")
    assert response.status_code == 415


def test_honor_pledge(w: World) -> None:
    w.project.use_honor_pledge = True
    w.project.honor_pledge_text = "My own work."
    w.project.save()
    response = post(w, [upload("a.cpp")])
    assert response.data["code"] == "honor_pledge_required"
    assert post(w, [upload("a.cpp")], honor_pledge_accepted="true").status_code == 201


def test_second_upload_while_active_is_409_then_remove_from_queue(w: World) -> None:
    first = post(w, [upload("a.cpp")])
    second = post(w, [upload("a.cpp")])
    assert second.status_code == 409 and second.data["code"] == "active_submission_exists"

    remove_url = f"/api/submissions/{first.data['id']}/remove_from_queue/"
    removed = w.client("group_member").post(remove_url)
    assert removed.status_code == 200 and removed.data["status"] == "removed_from_queue"
    again = w.client("staff").post(remove_url)
    assert again.status_code == 409 and again.data["code"] == "not_removable"
    assert post(w, [upload("a.cpp")]).status_code == 201


def test_being_graded_cannot_be_removed(w: World) -> None:
    sub_id = post(w, [upload("a.cpp")]).data["id"]
    Submission.objects.filter(pk=sub_id).update(status=SubmissionStatus.BEING_GRADED)
    response = w.client("staff").post(f"/api/submissions/{sub_id}/remove_from_queue/")
    assert response.status_code == 409


def test_daily_limit_refusal_says_when_it_resets(w: World) -> None:
    w.project.submission_limit_per_day = 1
    w.project.allow_submissions_past_limit = False
    w.project.save()
    sub_id = post(w, [upload("a.cpp")]).data["id"]
    Submission.objects.filter(pk=sub_id).update(status="finished_grading")
    response = post(w, [upload("a.cpp")])
    assert response.status_code == 400 and response.data["code"] == "daily_limit_reached"
    assert "resets at" in response.data["message"]


def test_staff_in_their_own_group_may_submit_to_a_hidden_project(world: World) -> None:
    staff = world.users["staff"]
    assert isinstance(staff, User)
    group = factories.make_group(world.hidden_project, staff)
    accept_any_file(world.hidden_project)
    response = world.client("staff").post(
        f"/api/groups/{group.pk}/submissions/", {"files": [upload("a.cpp")]}, format="multipart"
    )
    assert response.status_code == 201


def test_download_name_rules(w: World) -> None:
    sub_id = post(w, [upload("a.cpp")]).data["id"]
    client = w.client("group_member")
    assert download(client, sub_id, "b.cpp").status_code == 404
    bad = download(client, sub_id, "../a.cpp")
    assert bad.status_code == 400 and "name" in bad.data["fields"]
    assert client.get(f"/api/submissions/{sub_id}/files/content/").status_code == 400


def test_discarded_files_are_listed_but_not_downloadable(world: World) -> None:
    factories.make_expected_file(world.project, "main.cpp")
    response = post(world, [upload("main.cpp"), upload("notes.txt")])
    assert response.data["discarded_files"] == ["notes.txt"]
    assert download(world.client("staff"), response.data["id"], "notes.txt").status_code == 404


def test_member_of_another_group_cannot_read_or_remove(w: World) -> None:
    sub_id = post(w, [upload("a.cpp")]).data["id"]
    other = factories.add_role(w.course, factories.make_user(), Role.STUDENT)
    factories.make_group(w.project, other)
    client = APIClient()
    client.force_authenticate(user=other)
    assert client.get(f"/api/submissions/{sub_id}/").status_code == 403
    assert client.post(f"/api/submissions/{sub_id}/remove_from_queue/").status_code == 403
    assert member(w).pk != other.pk


def test_schema_types_the_file_lists_and_the_final_graded_marker(w: World) -> None:
    schema = w.client("staff").get("/api/schema/", {"format": "json"}).json()
    fields = schema["components"]["schemas"]["SubmissionOutput"]["properties"]
    for name in ("submitted_filenames", "discarded_files"):
        assert fields[name]["items"] == {"type": "string"}, name
    assert fields["missing_files"]["additionalProperties"] == {"type": "integer"}
    assert fields["is_final_graded"]["type"] == "boolean"
    assert fields["is_final_graded"]["readOnly"] is True
