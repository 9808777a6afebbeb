"""Names that would disguise a file in staff views, or that are not UTF-8, are refused with a
400 on `files` that names the file and the reason; nothing is stored."""

from pathlib import Path
from typing import Any

import pytest

from autograder.submissions.models import Submission
from tests.conftest import World
from tests.submissions.conftest import stored_files
from tests.submissions.helpers import BOUNDARY, accept_any_file

pytestmark = pytest.mark.django_db


def _post(w: World, names: list[bytes]) -> Any:
    body = b""
    for name in names:
        body += (
            f"--{BOUNDARY}\r\n".encode()
            + b'Content-Disposition: form-data; name="files"; filename="'
            + name
            + b'"\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n'
        )
    body += f"--{BOUNDARY}--\r\n".encode()
    return w.client("group_member").post(
        f"/api/groups/{w.group.pk}/submissions/",
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )


@pytest.fixture
def w(world: World) -> World:
    accept_any_file(world.project)
    return world


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("report\u202etxt.exe", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\u2067main.cpp", "U+2067"),
        ("\ufeffmain.cpp", "U+FEFF BYTE ORDER MARK"),
        ("main\u200d.cpp", "U+200D"),
    ],
)
def test_disguising_characters_are_a_400_naming_them(
    w: World, _media_root: Path, name: str, reason: str
) -> None:
    response = _post(w, [b"ok.cpp", name.encode()])
    assert response.status_code == 400, response.content
    assert response.data["code"] == "invalid_filename"
    assert reason in response.data["fields"]["files"][0]
    assert not Submission.objects.exists()
    assert stored_files(_media_root) == []


@pytest.mark.parametrize("raw", [b"caf\xe9.cpp", b"\xff\xfe.cpp", b"ok\xc3.cpp"])
def test_a_name_that_is_not_utf8_says_so_instead_of_no_files(
    w: World, _media_root: Path, raw: bytes
) -> None:
    response = _post(w, [raw])
    assert response.status_code == 400, response.content
    reason = response.data["fields"]["files"][0]
    assert "not valid UTF-8" in reason
    assert "Upload at least one file" not in reason
    assert not Submission.objects.exists()
    assert stored_files(_media_root) == []


def test_a_rfc2231_name_with_bad_bytes_is_refused_too(w: World) -> None:
    body = (
        f"--{BOUNDARY}\r\n"
        "Content-Disposition: form-data; name=\"files\"; filename*=UTF-8''caf%E9.cpp\r\n"
        "Content-Type: application/octet-stream\r\n\r\nx\r\n"
        f"--{BOUNDARY}--\r\n"
    )
    response = w.client("group_member").post(
        f"/api/groups/{w.group.pk}/submissions/",
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert response.status_code == 400, response.content
    assert "not valid UTF-8" in response.data["fields"]["files"][0]


def test_ordinary_unicode_names_are_still_accepted(w: World) -> None:
    response = _post(w, ["résumé.cpp".encode(), "数据.py".encode()])
    assert response.status_code == 201, response.data
    assert response.data["submitted_filenames"] == ["résumé.cpp", "数据.py"]
