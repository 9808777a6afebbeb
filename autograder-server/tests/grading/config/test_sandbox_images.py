"""Suites run only on the site's sandbox images: anything else is a 400 on `sandbox_image`
listing the allowed ones; a suite stored with another image is not run; when the sandbox
itself fails, students read a plain message and only staff see Docker's."""

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from autograder.accounts.models import User
from autograder.grading.config import selectors as config_selectors
from autograder.grading.config import services
from autograder.grading.config.models import AGTestSuite
from autograder.grading.pipeline.jobs import GRADING_FAILED_MESSAGE
from autograder.grading.results.models import AGTestSuiteResult
from autograder.sandbox.pool import PoolManager
from autograder.submissions import services as submission_services
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories
from tests.conftest import World
from tests.grading import pipeline_helpers as h

pytestmark = pytest.mark.django_db

DEFAULT = "ag-sandbox-default:latest"
JAVA = "ag-h2-test-java:21"
MISSING = "ag-h2-test-missing:none"
"""Allowed in these tests but never built: Docker refuses to create a container from it."""


@pytest.fixture(autouse=True)
def _site_images(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> None:
    monkeypatch.setenv("AG_SANDBOX_IMAGE", DEFAULT)
    monkeypatch.setenv("AG_SANDBOX_IMAGES", f"{JAVA},{MISSING}")
    settings.MEDIA_ROOT = tmp_path / "media"


def _suites_url(w: World) -> str:
    return f"/api/projects/{w.project.pk}/suites/"


# --- Validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "code", "says"),
    [
        ("../../etc/passwd", "invalid_image", "not a Docker image reference"),
        ("Ubuntu Latest", "invalid_image", "not a Docker image reference"),
        ("python:3.12", "unknown_image", f"{DEFAULT}, {JAVA}, {MISSING}"),
    ],
)
def test_creating_a_suite_with_another_image_is_a_400_and_stores_nothing(
    world: World, image: str, code: str, says: str
) -> None:
    response = world.client("admin").post(
        _suites_url(world), {"name": "Tests", "sandbox_image": image}, format="json"
    )
    assert response.status_code == 400, response.data
    assert response.data["code"] == code
    assert says in response.data["fields"]["sandbox_image"][0]
    assert not AGTestSuite.objects.exists()


@pytest.mark.parametrize("image", ["", DEFAULT, JAVA])
def test_the_default_and_listed_images_are_accepted(world: World, image: str) -> None:
    response = world.client("admin").post(
        _suites_url(world), {"name": "Tests", "sandbox_image": image}, format="json"
    )
    assert response.status_code == 201, response.data
    assert AGTestSuite.objects.get().sandbox_image == image


def test_updating_to_an_unknown_image_keeps_the_stored_one(world: World) -> None:
    suite = services.suite_create(project=world.project, name="Tests", sandbox_image=JAVA)
    response = world.client("admin").patch(
        f"/api/suites/{suite.pk}/", {"sandbox_image": "gcc:14"}, format="json"
    )
    assert response.status_code == 400
    assert "sandbox_image" in response.data["fields"]
    suite.refresh_from_db()
    assert suite.sandbox_image == JAVA


def test_copying_a_suite_whose_image_was_withdrawn_is_a_400_and_copies_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite = services.suite_create(project=world.project, name="Tests", sandbox_image=JAVA)
    monkeypatch.setenv("AG_SANDBOX_IMAGES", MISSING)  # the site stopped offering JAVA
    response = world.client("admin").post(
        f"/api/suites/{suite.pk}/copy/", {"target_project": world.project.pk}, format="json"
    )
    assert response.status_code == 400
    assert JAVA in response.data["fields"]["sandbox_image"][0]
    assert list(AGTestSuite.objects.all()) == [suite]


def test_staff_see_the_images_a_suite_may_use(world: World) -> None:
    response = world.client("staff").get(f"/api/projects/{world.project.pk}/sandbox_images/")
    assert response.status_code == 200
    assert response.data["default_image"] == DEFAULT
    assert response.data["images"] == [DEFAULT, JAVA, MISSING]
    assert [o["reference"] for o in response.data["options"]] == [DEFAULT, JAVA, MISSING]


# --- Grading --------------------------------------------------------------------------------


def _submit(w: World) -> Submission:
    factories.make_expected_file(w.project, "*", 0, 100)
    member = w.users["group_member"]
    assert isinstance(member, User)
    return submission_services.submission_create(
        group=w.group,
        submitter=member,
        files=[SimpleUploadedFile("main.py", b"print('hi')\n")],
    )


def test_a_suite_stored_with_an_image_the_site_no_longer_offers_is_not_run(
    world: World, provider: PoolManager
) -> None:
    """Such a name never reaches Docker: no pool, no container, and the other suites run."""
    withdrawn = h.suite(world.project, name="Old image", sandbox_image="../../etc/passwd")
    h.command(
        withdrawn, "echo never", points_for_correct_return_code=2, expected_return_code="zero"
    )
    fine = h.suite(world.project, name="Fine")
    h.command(fine, "true", points_for_correct_return_code=1, expected_return_code="zero")

    submission = h.grade(provider, _submit(world))

    assert submission.status == SubmissionStatus.FINISHED_GRADING
    results = {r.suite_name: r for r in AGTestSuiteResult.objects.filter(submission=submission)}
    assert "not one this course may use" in results["Old image"].error_message
    assert "etc/passwd" not in results["Old image"].error_message
    assert results["Fine"].error_message == ""
    assert "../../etc/passwd" not in provider.images


def test_a_sandbox_fault_shows_students_a_plain_message_and_staff_the_detail(
    world: World, provider: PoolManager, settings: Any
) -> None:
    settings.GRADING_MAX_ATTEMPTS = 1
    h.command(h.suite(world.project, sandbox_image=MISSING), "true")

    submission = h.grade(provider, _submit(world))

    assert submission.status == SubmissionStatus.ERROR
    assert submission.error_msg == GRADING_FAILED_MESSAGE
    assert MISSING in submission.error_detail
    for role in ("group_member", "handgrader"):
        client = world.client(role)
        for url in (
            f"/api/submissions/{submission.pk}/",
            f"/api/submissions/{submission.pk}/status/",
        ):
            body = client.get(url).json()
            assert body["error_msg"] == GRADING_FAILED_MESSAGE, (role, url)
            assert body["error_detail"] == "", (role, url)
            assert MISSING not in str(body) and "Docker" not in str(body)
    for role in ("staff", "admin"):
        client = world.client(role)
        for url in (
            f"/api/submissions/{submission.pk}/",
            f"/api/submissions/{submission.pk}/status/",
        ):
            body = client.get(url).json()
            assert MISSING in body["error_detail"], (role, url)
    listed = world.client("group_member").get(f"/api/groups/{world.group.pk}/submissions/")
    assert listed.json()["results"][0]["error_detail"] == ""

    # The suite goes back to the default image: its old image is no longer kept warm.
    assert MISSING in provider.images
    AGTestSuite.objects.filter(project=world.project).update(sandbox_image="")
    provider.retain(config_selectors.sandbox_images_in_use())
    assert MISSING not in provider.images


def test_images_in_use_are_the_allowed_ones_suites_name(world: World) -> None:
    h.suite(world.project, sandbox_image="")
    h.suite(world.project, sandbox_image=JAVA)
    h.suite(world.project, sandbox_image="stale:1")  # stored before the site's list changed
    assert config_selectors.sandbox_images_in_use() == {DEFAULT, JAVA}
