"""Importing autograder zips over the API: who may, and every bad zip is a 4xx naming the
field and the reason, with nothing stored (no image, no suite, no instructor file)."""

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from autograder.grading.config.autograders import dockerfile, services, zips
from autograder.grading.config.autograders.models import AutograderImport
from autograder.grading.config.models import AGTestSuite
from autograder.images import services as image_services
from autograder.images.models import ImageBuild, SandboxImage
from autograder.projects.models import InstructorFile
from tests.conftest import ROLE_NAMES, World, build_world
from tests.grading import autograder_zips as z
from tests.permission_matrix import Endpoint, assert_matrix

pytestmark = pytest.mark.django_db


def roles(**statuses: int) -> dict[str, int]:
    return {"anonymous": 401, "other_course_student": 403} | statuses


def staff_read() -> dict[str, int]:
    return roles(student=403, group_member=403, handgrader=403, staff=200, admin=200, superuser=200)


def admin_write() -> dict[str, int]:
    return roles(student=403, group_member=403, handgrader=403, staff=403, admin=201, superuser=201)


def gs_body(w: World) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("ag.zip", z.gradescope_python_zip())}


def pl_body(w: World) -> dict[str, Any]:
    return {
        "file": SimpleUploadedFile("tests.zip", z.prairielearn_c_zip()),
        "command": "/grade/tests/run.sh",
    }


def an_import(w: World) -> int:
    return AutograderImport.objects.create(
        project=w.project, kind="prairielearn", suite_name="x", command="x", time_limit_s=1
    ).pk


def a_built_import(w: World) -> int:
    """A Gradescope import whose first build is ready (its suite made): open to new versions."""
    imported = services.gradescope_import(
        project=w.project,
        upload=SimpleUploadedFile("ag.zip", z.gradescope_python_zip()),
        suite_name="Gradescope autograder",
        time_limit_s=60,
        user=None,
    )
    assert imported.image is not None
    ImageBuild.objects.filter(image=imported.image).update(status="ready")
    finish_build(imported.image)
    return imported.pk


def version_body(w: World) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("ag.zip", z.gradescope_python_zip()), "time_limit_s": 30}


ENDPOINTS = {
    "list": Endpoint(
        "GET", lambda w: f"/api/projects/{w.project.pk}/autograder_imports/", staff_read()
    ),
    "gradescope": Endpoint(
        "POST",
        lambda w: f"/api/projects/{w.project.pk}/autograder_imports/gradescope/",
        admin_write(),
        body=gs_body,
        fmt="multipart",
    ),
    "prairielearn": Endpoint(
        "POST",
        lambda w: f"/api/projects/{w.project.pk}/autograder_imports/prairielearn/",
        admin_write(),
        body=pl_body,
        fmt="multipart",
    ),
    "detail": Endpoint("GET", lambda w: f"/api/autograder_imports/{an_import(w)}/", staff_read()),
    "new version": Endpoint(
        "POST",
        lambda w: f"/api/autograder_imports/{a_built_import(w)}/versions/",
        admin_write(),
        body=version_body,
        fmt="multipart",
    ),
    "new version of a missing import": Endpoint(
        "POST",
        lambda w: "/api/autograder_imports/999999/versions/",
        {role: 404 for role in ROLE_NAMES} | {"anonymous": 401},
        body=version_body,
        fmt="multipart",
    ),
    "missing": Endpoint(
        "GET",
        lambda w: "/api/autograder_imports/999999/",
        {role: 404 for role in ROLE_NAMES} | {"anonymous": 401},
    ),
}


@pytest.mark.parametrize("name", ENDPOINTS)
def test_permissions(name: str, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    assert_matrix(ENDPOINTS[name])


def raw_zip(write: Any) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        write(archive)
    return buffer.getvalue()


def symlink_zip(archive: zipfile.ZipFile) -> None:
    archive.writestr("run_autograder", "true\n")
    link = zipfile.ZipInfo("secrets")
    link.external_attr = 0o120777 << 16
    archive.writestr(link, "/etc/shadow")


BAD_GRADESCOPE = {
    "not a zip": (b"hello", "not_a_zip", "not a zip"),
    "traversal": (
        raw_zip(lambda a: (a.writestr("run_autograder", "x"), a.writestr("../evil", "x"))),
        "unsafe_member",
        "outside the zip",
    ),
    "absolute": (
        raw_zip(lambda a: (a.writestr("run_autograder", "x"), a.writestr("/etc/evil", "x"))),
        "unsafe_member",
        "outside the zip",
    ),
    "symlink": (raw_zip(symlink_zip), "unsafe_member", "symbolic link"),
    "no run_autograder": (
        raw_zip(lambda a: a.writestr("setup.sh", "true")),
        "missing_run_autograder",
        "no run_autograder at its root",
    ),
    "folder zipped": (
        raw_zip(lambda a: a.writestr("hw1/run_autograder", "true")),
        "missing_run_autograder",
        "zip the folder's contents",
    ),
    "empty": (raw_zip(lambda a: None), "empty_zip", "no files"),
}


@pytest.fixture
def world(settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def post(w: World, kind: str, **data: Any) -> Any:
    client: APIClient = w.client("admin")
    return client.post(
        f"/api/projects/{w.project.pk}/autograder_imports/{kind}/", data, format="multipart"
    )


def nothing_stored(w: World) -> bool:
    return not (
        SandboxImage.objects.filter(course=w.course).exists()
        or AGTestSuite.objects.filter(project=w.project).exists()
        or InstructorFile.objects.filter(project=w.project).exists()
        or AutograderImport.objects.exists()
    )


@pytest.mark.parametrize("case", BAD_GRADESCOPE)
def test_a_bad_gradescope_zip_is_a_400_naming_the_file(world: World, case: str) -> None:
    content, code, reason = BAD_GRADESCOPE[case]
    response = post(world, "gradescope", file=SimpleUploadedFile("ag.zip", content))
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert reason in response.json()["fields"]["file"][0]
    assert nothing_stored(world)


def test_a_zip_over_the_limit_is_a_413(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zips, "MAX_ZIP_BYTES", 100)
    response = post(
        world, "gradescope", file=SimpleUploadedFile("ag.zip", z.gradescope_python_zip())
    )
    assert response.status_code == 413
    assert "at most 100 bytes" in response.json()["fields"]["file"][0]
    assert nothing_stored(world)


def test_a_taken_suite_name_is_a_400_before_anything_is_built(world: World) -> None:
    AGTestSuite.objects.create(project=world.project, name="Gradescope autograder")
    response = post(
        world, "gradescope", file=SimpleUploadedFile("ag.zip", z.gradescope_python_zip())
    )
    assert response.status_code == 400
    assert "suite_name" in response.json()["fields"]
    assert not SandboxImage.objects.filter(course=world.course).exists()


def test_a_gradescope_import_queues_an_image_build_and_waits_for_it(world: World) -> None:
    response = post(
        world, "gradescope", file=SimpleUploadedFile("ag.zip", z.gradescope_python_zip())
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["suite"], body["image_status"]) == ("building", None, "pending")
    image = SandboxImage.objects.get(pk=body["image"])
    assert "bash ./setup.sh" in image.dockerfile
    assert image.dockerfile.startswith("# A Gradescope autograder")
    assert sorted(body["files"]) == ["run_autograder", "run_tests.py", "setup.sh", "test_calc.py"]


def test_prairielearn_needs_a_command_and_flat_files(world: World) -> None:
    response = post(world, "prairielearn", file=SimpleUploadedFile("t.zip", z.prairielearn_c_zip()))
    assert response.status_code == 400
    assert "command" in response.json()["fields"]
    nested = raw_zip(lambda a: a.writestr("tests/run.sh", "true"))
    response = post(
        world, "prairielearn", file=SimpleUploadedFile("t.zip", nested), command="run.sh"
    )
    assert response.status_code == 400
    assert "without folders" in response.json()["fields"]["file"][0]
    assert nothing_stored(world)


def test_prairielearn_with_an_unknown_image_stores_no_file(world: World) -> None:
    response = post(
        world,
        "prairielearn",
        file=SimpleUploadedFile("t.zip", z.prairielearn_c_zip()),
        command="/grade/tests/run.sh",
        sandbox_image="nope:latest",
    )
    assert response.status_code == 400
    assert "sandbox_image" in response.json()["fields"]
    assert nothing_stored(world)


def test_the_largest_zip_accepted_fits_in_an_images_build_files(world: World) -> None:
    """The zip travels base64-encoded in the image's build files, whose count and size the
    images app limits: the largest zip an import accepts must fit."""
    files = dockerfile.build_files(bytes(zips.MAX_ZIP_BYTES))
    image = image_services.image_create(
        course=world.course, display_name="Largest", dockerfile="FROM x\n", build_files=files
    )
    assert image.build_files == files


def waiting_import(w: World) -> AutograderImport:
    response = post(w, "gradescope", file=SimpleUploadedFile("ag.zip", z.gradescope_python_zip()))
    assert response.status_code == 201, response.content
    return AutograderImport.objects.get(pk=response.json()["id"])


def finish_build(image: SandboxImage) -> None:
    """What the images worker does to the image when its build is ready."""
    image.status, image.tag = "ready", f"{image.reference}:b1"
    image.save(update_fields=["status", "tag", "updated_at"])


def test_the_suite_is_made_when_the_image_is_ready(world: World) -> None:
    imported = waiting_import(world)
    assert imported.image is not None
    finish_build(imported.image)

    imported.refresh_from_db()
    assert imported.state == "ready"
    suite = imported.suite
    assert suite is not None
    assert suite.sandbox_image == imported.image.reference
    assert suite.setup_command.startswith("find /opt/ag-autograder ")
    command = suite.cases.get().commands.get()
    assert (command.cmd, command.time_limit_s) == ("/autograder/run_autograder", 90)
    # A later build of the same image makes no second suite.
    finish_build(imported.image)
    assert AGTestSuite.objects.filter(project=world.project).count() == 1


def test_a_suite_name_taken_while_the_image_built_is_shown_on_the_import(world: World) -> None:
    imported = waiting_import(world)
    assert imported.image is not None
    AGTestSuite.objects.create(project=world.project, name="Gradescope autograder")
    finish_build(imported.image)

    imported.refresh_from_db()
    assert imported.state == "failed"
    assert "already has a suite named 'Gradescope autograder'" in imported.error
