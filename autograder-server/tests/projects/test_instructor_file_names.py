"""Instructor file names are checked like students': a name that is a path, a directory, or
would disguise the file is a 400 on `file` saying what is wrong, never quietly cleaned."""

from pathlib import Path
from typing import Any

import pytest

from autograder.projects.models import InstructorFile
from tests.conftest import World
from tests.projects.conftest import stored_files

pytestmark = pytest.mark.django_db

BOUNDARY = "instructorXyZzY"


def _upload_raw(w: World, name: bytes) -> Any:
    """Test clients strip directories from names, so the multipart body is written by hand."""
    body = (
        f"--{BOUNDARY}\r\n".encode()
        + b'Content-Disposition: form-data; name="file"; filename="'
        + name
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\ndata\r\n'
        + f"--{BOUNDARY}--\r\n".encode()
    )
    return w.client("admin").post(
        f"/api/projects/{w.project.pk}/instructor_files/",
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../../evil.py", "path separator"),
        ("/etc/cron.d/x", "path separator"),
        ("..\\evil.py", "path separator"),
        ("..", "is not a file name"),
        (".", "is not a file name"),
        ("ev\x01il.py", "U+0001"),
        ("test\u202eyp.sh", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\ufeffdriver.py", "U+FEFF BYTE ORDER MARK"),
    ],
)
def test_an_unsafe_name_is_a_400_that_says_why_and_stores_nothing(
    world: World, media_root: Path, name: str, reason: str
) -> None:
    response = _upload_raw(world, name.encode())
    assert response.status_code == 400, response.content
    assert response.data["code"] == "invalid_filename"
    assert reason in response.data["fields"]["file"][0]
    assert "No file was submitted" not in response.data["message"]
    assert not InstructorFile.objects.exists()
    assert stored_files(media_root) == []


def test_a_name_that_is_not_utf8_is_a_400_that_says_so(world: World, media_root: Path) -> None:
    response = _upload_raw(world, b"caf\xe9.py")
    assert response.status_code == 400, response.content
    assert "not valid UTF-8" in response.data["fields"]["file"][0]
    assert not InstructorFile.objects.exists()
    assert stored_files(media_root) == []


def test_renaming_to_a_disguised_name_is_refused(world: World) -> None:
    instructor_file = InstructorFile.objects.create(project=world.project, name="a.py", size=0)
    response = world.client("admin").patch(
        f"/api/instructor_files/{instructor_file.pk}/",
        {"name": "tests\u202eyp.sh"},
        format="json",
    )
    assert response.status_code == 400
    assert "U+202E" in response.data["fields"]["name"][0]
    instructor_file.refresh_from_db()
    assert instructor_file.name == "a.py"


def test_a_plain_name_is_kept_exactly(world: World) -> None:
    response = _upload_raw(world, "driver résumé.py".encode())
    assert response.status_code == 201, response.content
    assert InstructorFile.objects.get().name == "driver résumé.py"


def test_staff_who_are_not_admins_get_403_before_any_name_check(world: World) -> None:
    """Permission comes first: the body is parsed only after the role check."""
    body = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="../x"\r\n\r\nx\r\n'
        f"--{BOUNDARY}--\r\n"
    )
    response = world.client("staff").generic(
        "POST",
        f"/api/projects/{world.project.pk}/instructor_files/",
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert response.status_code == 403
