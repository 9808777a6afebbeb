"""New versions of an imported autograder over the API: the same suite (id, feedback settings)
gets the new version; a refused upload changes nothing. Image builds are finished here as the
images worker would finish them (tests/grading/pipeline/test_imported_autograders.py builds
for real)."""

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from autograder.accounts.models import User
from autograder.grading.config import services as config_services
from autograder.grading.config.autograders import services
from autograder.grading.config.autograders.models import AutograderImport
from autograder.grading.config.models import AGTestCommand, AGTestSuite
from autograder.images import builder
from autograder.images import selectors as image_selectors
from autograder.images import services as image_services
from autograder.images.models import ImageBuild, SandboxImage
from autograder.projects import services as project_services
from autograder.projects.models import InstructorFile
from tests.conftest import World, build_world
from tests.grading import autograder_zips as z
from tests.grading.config.test_autograder_imports import BAD_GRADESCOPE, raw_zip

pytestmark = pytest.mark.django_db

RUN_V2 = z.GS_RUN_AUTOGRADER.replace(b"graded in", b"version 2 graded in")


def admin(w: World) -> User:
    user = w.users["admin"]
    assert isinstance(user, User)
    return user


@pytest.fixture
def world(settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def finish_build(image: SandboxImage, *, ok: bool = True) -> ImageBuild:
    """What the images worker does when the image's latest build ends (services._finish)."""
    build = image.builds.order_by("-pk").first()
    assert build is not None
    build.tag = f"{image.reference}:b{build.pk}" if ok else ""
    build.save(update_fields=["tag"])
    image_services._finish(build, "ready" if ok else "failed")
    build.refresh_from_db()
    return build


def gradescope_import(w: World, zip_bytes: bytes | None = None) -> AutograderImport:
    imported = services.gradescope_import(
        project=w.project,
        upload=SimpleUploadedFile("ag.zip", zip_bytes or z.gradescope_python_zip()),
        suite_name="Gradescope autograder",
        time_limit_s=90,
        user=admin(w),
    )
    assert imported.image is not None
    return imported


def built_import(w: World) -> AutograderImport:
    imported = gradescope_import(w)
    assert imported.image is not None
    finish_build(imported.image)
    imported.refresh_from_db()
    assert imported.suite is not None
    return imported


def post_version(w: World, imported: AutograderImport, content: bytes, **data: Any) -> Any:
    client: APIClient = w.client("admin")
    return client.post(
        f"/api/autograder_imports/{imported.pk}/versions/",
        {"file": SimpleUploadedFile("v.zip", content), **data},
        format="multipart",
    )


def gs_v2() -> bytes:
    return z.make_zip(
        {"run_autograder": RUN_V2, "run_tests.py": z.GS_RUN_TESTS, "test_calc.py": z.GS_TESTS},
        executable=("run_autograder",),
    )


def image_snapshot(image: SandboxImage) -> tuple[str, dict[str, str], str, int]:
    image.refresh_from_db()
    return image.dockerfile, image.build_files, image.tag, image.builds.count()


def test_a_gradescope_version_rebuilds_the_same_image_for_the_same_suite(world: World) -> None:
    imported = built_import(world)
    suite = imported.suite
    assert suite is not None and imported.image is not None
    config_services.suite_update(suite=suite, feedback={"normal": {"show_individual_tests": False}})
    suite.refresh_from_db()
    feedback_before, first_tag = suite.feedback, imported.image.tag

    response = post_version(world, imported, gs_v2(), time_limit_s=30)

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["id"], body["suite"], body["image"]) == (imported.pk, suite.pk, imported.image.pk)
    assert body["version"] == 2
    assert [v["number"] for v in body["versions"]] == [2, 1]
    assert body["versions"][0]["build_status"] == "pending"
    assert body["versions"][0]["created_by"] == world.users["admin"].username
    assert body["versions"][1]["build_status"] == "ready"
    assert sorted(body["files"]) == ["run_autograder", "run_tests.py", "test_calc.py"]
    image = SandboxImage.objects.get(pk=imported.image.pk)
    assert "setup.sh" not in image.dockerfile  # the new zip has none
    assert image.builds.count() == 2
    # Until the new build is ready, the suite runs on the last good build.
    assert image_selectors.resolve(course_id=world.course.pk, reference=suite.sandbox_image)
    assert image.tag == first_tag
    # Same suite, same settings; its command has the new time limit.
    assert list(AGTestSuite.objects.filter(project=world.project)) == [suite]
    suite.refresh_from_db()
    assert suite.feedback == feedback_before
    assert AGTestCommand.objects.get(case__suite=suite).time_limit_s == 30

    second = finish_build(image)
    image.refresh_from_db()
    assert image.tag == second.tag != first_tag
    assert AGTestSuite.objects.filter(project=world.project).count() == 1


def test_a_failed_build_of_a_new_version_keeps_the_previous_build_grading(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    imported = built_import(world)
    assert imported.image is not None and imported.suite is not None
    first_tag = imported.image.tag
    response = post_version(world, imported, gs_v2())
    assert response.status_code == 201, response.content

    def fail(**kwargs: Any) -> Any:
        raise builder.BuildFailedError("setup.sh exited with 7")

    monkeypatch.setattr(builder, "run_build", fail)
    monkeypatch.setattr(builder, "remove_image", lambda tag: None)
    build_id = response.json()["versions"][0]["build"]
    image_services.build_run(build_id=build_id)  # as the images worker runs it

    resolved = image_selectors.resolve(
        course_id=world.course.pk, reference=imported.suite.sandbox_image
    )
    assert resolved is not None and resolved.tag == first_tag
    detail = world.client("staff").get(f"/api/autograder_imports/{imported.pk}/").json()
    assert detail["state"] == "ready"
    assert detail["image_status"] == "failed"
    assert detail["versions"][0]["build_status"] == "failed"


@pytest.mark.parametrize("case", BAD_GRADESCOPE)
def test_a_bad_zip_is_a_400_and_the_image_is_unchanged(world: World, case: str) -> None:
    imported = built_import(world)
    assert imported.image is not None
    before = image_snapshot(imported.image)
    content, code, reason = BAD_GRADESCOPE[case]

    response = post_version(world, imported, content, time_limit_s=5)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert reason in response.json()["fields"]["file"][0]
    assert image_snapshot(imported.image) == before
    assert imported.versions.count() == 1
    assert AGTestCommand.objects.get(case__suite=imported.suite).time_limit_s == 90


def test_a_version_while_the_image_builds_is_a_409(world: World) -> None:
    imported = gradescope_import(world)  # its first build is still pending
    assert imported.image is not None
    before = image_snapshot(imported.image)

    response = post_version(world, imported, gs_v2())

    assert response.status_code == 409
    assert response.json()["code"] == "build_running"
    assert image_snapshot(imported.image) == before
    assert imported.versions.count() == 1


def test_a_gradescope_version_takes_no_command(world: World) -> None:
    imported = built_import(world)
    response = post_version(world, imported, gs_v2(), command="/bin/true")
    assert response.status_code == 400
    assert "command" in response.json()["fields"]


def test_an_import_whose_suite_was_deleted_takes_no_version(world: World) -> None:
    imported = built_import(world)
    assert imported.suite is not None and imported.image is not None
    config_services.suite_delete(suite=imported.suite)
    before = image_snapshot(imported.image)

    response = post_version(world, imported, gs_v2())

    assert response.status_code == 409
    assert response.json()["code"] == "suite_deleted"
    assert "was deleted" in response.json()["message"]
    assert image_snapshot(imported.image) == before
    detail = world.client("admin").get(f"/api/autograder_imports/{imported.pk}/").json()
    assert detail["state"] == "suite_deleted"
    # A rebuild of the image (e.g. from the Images page) doesn't bring the suite back.
    image_services.build_start(image=imported.image, user=None)
    finish_build(imported.image)
    assert not AGTestSuite.objects.filter(project=world.project).exists()


def test_a_version_of_a_failed_import_makes_its_suite_when_built(world: World) -> None:
    imported = gradescope_import(world)
    assert imported.image is not None
    finish_build(imported.image, ok=False)
    imported.refresh_from_db()
    assert imported.state == "failed"

    response = post_version(world, imported, gs_v2(), time_limit_s=20)
    assert response.status_code == 201, response.content
    assert response.json()["state"] == "building"
    finish_build(imported.image)

    imported.refresh_from_db()
    assert imported.state == "ready" and imported.suite is not None
    assert AGTestCommand.objects.get(case__suite=imported.suite).time_limit_s == 20


# PrairieLearn


def pl_import(w: World) -> AutograderImport:
    return services.prairielearn_import(
        project=w.project,
        upload=SimpleUploadedFile("tests.zip", z.prairielearn_c_zip()),
        suite_name="PrairieLearn grader",
        command="/grade/tests/run.sh",
        sandbox_image="",
        time_limit_s=30,
        user=admin(w),
    )


def staff_file(w: World, name: str) -> InstructorFile:
    return project_services.instructor_file_create(
        project=w.project, name=name, content=ContentFile(b"staff's own", name=name)
    )


def files_of(w: World) -> dict[str, tuple[int, bytes]]:
    return {
        f.name: (f.pk, f.file_obj.open("rb").read())
        for f in InstructorFile.objects.filter(project=w.project)
    }


def suite_files(suite: AGTestSuite) -> set[str]:
    return set(suite.instructor_files_needed.values_list("name", flat=True))


def test_a_prairielearn_version_replaces_the_instructor_files(world: World) -> None:
    imported = pl_import(world)
    suite = imported.suite
    assert suite is not None
    before = files_of(world)
    # out2.txt is also used by another suite; staff attached a file of their own to this one.
    other = AGTestSuite.objects.create(project=world.project, name="Other")
    other.instructor_files_needed.add(InstructorFile.objects.get(name="out2.txt"))
    notes = staff_file(world, "notes.txt")
    suite.instructor_files_needed.add(notes)
    v2 = z.make_zip(
        {
            "run.sh": b"#!/bin/sh\necho v2\n",
            "in1.txt": b"1 2\n",
            "out1.txt": b"3\n",
            "in3.txt": b"7\n",
        }
    )

    response = post_version(world, imported, v2, command="/grade/tests/run.sh --v2")

    assert response.status_code == 201, response.content
    assert response.json()["version"] == 2
    after = files_of(world)
    # Same names replaced in place (same rows), new ones added.
    assert after["run.sh"] == (before["run.sh"][0], b"#!/bin/sh\necho v2\n")
    assert after["in1.txt"][0] == before["in1.txt"][0]
    assert after["in3.txt"][1] == b"7\n"
    # Gone from the zip: in2.txt deleted; out2.txt kept for the other suite.
    assert "in2.txt" not in after
    assert after["out2.txt"] == before["out2.txt"]
    assert suite_files(suite) == {"run.sh", "in1.txt", "out1.txt", "in3.txt", "notes.txt"}
    assert suite_files(other) == {"out2.txt"}
    command = AGTestCommand.objects.get(case__suite=suite)
    assert (command.cmd, command.time_limit_s) == ("/grade/tests/run.sh --v2", 30)
    suite.refresh_from_db()
    assert AGTestSuite.objects.filter(project=world.project).count() == 2


def test_a_bad_prairielearn_zip_leaves_the_instructor_files(world: World) -> None:
    imported = pl_import(world)
    assert imported.suite is not None
    before = files_of(world)
    nested = raw_zip(lambda a: a.writestr("tests/run.sh", "true"))

    response = post_version(world, imported, nested, time_limit_s=5, command="x")

    assert response.status_code == 400
    assert "without folders" in response.json()["fields"]["file"][0]
    assert files_of(world) == before
    assert suite_files(imported.suite) == set(before)
    command = AGTestCommand.objects.get(case__suite=imported.suite)
    assert (command.cmd, command.time_limit_s) == ("/grade/tests/run.sh", 30)


def test_a_prairielearn_file_named_like_a_staff_file_is_refused(world: World) -> None:
    imported = pl_import(world)
    staff_file(world, "mine.txt")
    before = files_of(world)
    v2 = z.make_zip({"run.sh": b"true\n", "mine.txt": b"x"})

    response = post_version(world, imported, v2)

    assert response.status_code == 400
    assert response.json()["code"] == "duplicate_name"
    assert "mine.txt" in response.json()["fields"]["file"][0]
    assert files_of(world) == before
