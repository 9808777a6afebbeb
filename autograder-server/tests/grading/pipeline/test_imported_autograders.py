"""Autograders imported as staff upload them: a Gradescope zip becomes a sandbox image with a
real `docker build` (setup.sh at build time, no network), then a suite; a PrairieLearn grader's
files become instructor files and a suite. A worker grades a submission on each to the
expected per-test results."""

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from autograder.grading.config import services as config_services
from autograder.grading.config.autograders import services, versions
from autograder.grading.config.autograders.models import AutograderImport, ImportState
from autograder.grading.config.feedback_settings import FeedbackCategory as C
from autograder.grading.results.feedback import submission_feedback
from autograder.grading.results.models import AGTestCommandResult, AGTestSuiteResult
from autograder.grading.results.output_storage import output_read
from autograder.images import services as image_services
from autograder.images.models import ImageStatus
from autograder.sandbox.pool import PoolManager
from autograder.submissions.models import Submission, SubmissionStatus
from tests.grading import autograder_zips as z
from tests.grading import pipeline_helpers as h

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

PREFIX = "gszip-test"


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _builds(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AG_IMAGE_TAG_PREFIX", PREFIX)
    monkeypatch.setenv("AG_IMAGE_BUILD_NETWORK", "none")  # these setup scripts need none
    monkeypatch.setenv("AG_IMAGE_BUILD_TIMEOUT", "300")
    yield
    tags = subprocess.run(
        ["docker", "images", "--format", "{{.Repository}}:{{.Tag}}", f"{PREFIX}-*"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    if tags:
        subprocess.run(
            ["docker", "image", "rm", "--force", *tags], capture_output=True, check=False
        )


def shown(submission: Submission, category: C) -> dict[str, tuple[int, int]]:
    tree = submission_feedback(submission=submission, category=category)
    return {
        case.name: (case.points_awarded, case.points_possible)
        for suite in tree.suites
        for case in suite.cases or []
    }


def setup_succeeded(submission: Submission) -> bool:
    """The suite's setup (copying the built /autograder into the sandbox) exited 0."""
    result = AGTestSuiteResult.objects.get(submission=submission)
    return result.setup_return_code == 0 and not result.setup_timed_out


def build(imported: AutograderImport) -> AutograderImport:
    """Runs the import's queued build as the `images` worker does."""
    assert imported.image is not None
    image_services.build_run(build_id=imported.image.builds.get().pk)
    imported.refresh_from_db()
    return imported


def gradescope(zip_bytes: bytes, name: str) -> AutograderImport:
    project = h.project_with_catch_all()
    imported = services.gradescope_import(
        project=project,
        upload=SimpleUploadedFile("autograder.zip", zip_bytes),
        suite_name=name,
        time_limit_s=60,
        user=None,
    )
    assert imported.state == ImportState.BUILDING
    assert imported.suite is None  # the suite waits for the image
    return build(imported)


def test_gradescope_python_unittest_zip_runs_unchanged(provider: PoolManager) -> None:
    imported = gradescope(z.gradescope_python_zip(), "Gradescope")
    assert imported.image is not None
    assert imported.image.status == ImageStatus.READY, imported.image.builds.get().log
    assert imported.state == ImportState.READY
    suite = imported.suite
    assert suite is not None
    assert (suite.file_layout, suite.results_format) == ("gradescope", "gradescope")
    assert suite.sandbox_image == imported.image.reference

    submission = h.grade(provider, h.submit(imported.project, {"calc.py": z.CALC}))

    assert submission.status == SubmissionStatus.FINISHED_GRADING
    assert setup_succeeded(submission)
    # test_setup_ran_at_build passes only if setup.sh ran when the image was built and what
    # it left in /autograder/source is there when run_autograder runs.
    assert shown(submission, C.NORMAL) == {
        "test_add": (2, 2),
        "test_mul": (0, 3),
        "test_setup_ran_at_build": (1, 1),
    }
    grader = AGTestCommandResult.objects.get(
        case_result__suite_result__submission=submission, command_name="run_autograder"
    )
    assert output_read(grader, "stdout") == b"graded in /autograder/source\n"


def test_gradescope_c_zip_diffs_the_program_output(provider: PoolManager) -> None:
    imported = gradescope(z.gradescope_c_zip(), "C with diff")
    assert imported.state == ImportState.READY, imported.image and imported.image.builds.get().log

    submission = h.grade(provider, h.submit(imported.project, {"main.c": z.SUM_C}))

    assert setup_succeeded(submission)
    assert shown(submission, C.NORMAL) == {"case 1": (1, 1), "case 2": (0, 1)}
    case_2 = AGTestCommandResult.objects.get(
        case_result__suite_result__submission=submission, command_name="case 2"
    )
    assert b"-10\n+11\n" in output_read(case_2, "stdout")


def test_a_failed_build_makes_no_suite() -> None:
    bad_setup = z.make_zip(
        {"setup.sh": b"#!/bin/sh\necho no such package; exit 7\n", "run_autograder": b"true\n"}
    )
    imported = gradescope(bad_setup, "Broken")
    assert imported.image is not None
    assert imported.image.status == ImageStatus.FAILED
    assert "no such package" in imported.image.builds.get().log
    assert imported.state == ImportState.FAILED
    assert imported.suite is None


def new_version(imported: AutograderImport, zip_bytes: bytes) -> ImageStatus:
    """Uploads a new version and runs its build as the `images` worker does."""
    versions.import_new_version(
        imported=imported,
        upload=SimpleUploadedFile("autograder.zip", zip_bytes),
        time_limit_s=45,
        command=None,
        user=None,
    )
    assert imported.image is not None
    latest = imported.image.builds.order_by("-pk").first()
    assert latest is not None
    image_services.build_run(build_id=latest.pk)
    latest.refresh_from_db()
    return ImageStatus(latest.status)


def test_a_new_version_grades_on_the_same_suite_once_built(provider: PoolManager) -> None:
    """Staff fix their autograder (test_mul now weighs 5) and upload it again: the next
    submission is graded by the new version on the same suite, with the same feedback
    settings. A later version whose build fails leaves that version grading."""
    imported = gradescope(z.gradescope_python_zip(), "Versions")
    suite = imported.suite
    assert suite is not None
    config_services.suite_update(suite=suite, feedback={"past_limit": {"visible": False}})
    suite.refresh_from_db()
    feedback = suite.feedback
    first = h.grade(provider, h.submit(imported.project, {"calc.py": z.CALC}))
    assert shown(first, C.NORMAL)["test_mul"] == (0, 3)

    fixed_tests = z.GS_TESTS.replace(b"@weight(3)", b"@weight(5)")
    fixed = z.make_zip(
        {
            "setup.sh": z.GS_SETUP,
            "run_autograder": z.GS_RUN_AUTOGRADER,
            "run_tests.py": z.GS_RUN_TESTS,
            "test_calc.py": fixed_tests,
        }
    )
    assert new_version(imported, fixed) == ImageStatus.READY
    second = h.grade(provider, h.submit(imported.project, {"calc.py": z.CALC}))

    assert setup_succeeded(second)
    assert shown(second, C.NORMAL) == {
        "test_add": (2, 2),
        "test_mul": (0, 5),
        "test_setup_ran_at_build": (1, 1),
    }
    imported.refresh_from_db()
    assert imported.suite == suite
    assert imported.versions.count() == 2
    suite.refresh_from_db()
    assert suite.feedback == feedback
    assert suite.cases.get().commands.get().time_limit_s == 45

    broken = z.make_zip({"setup.sh": b"#!/bin/sh\nexit 7\n", "run_autograder": b"true\n"})
    assert new_version(imported, broken) == ImageStatus.FAILED
    third = h.grade(provider, h.submit(imported.project, {"calc.py": z.CALC}))

    assert shown(third, C.NORMAL) == shown(second, C.NORMAL)


def test_prairielearn_c_grader_with_diff(provider: PoolManager) -> None:
    project = h.project_with_catch_all()
    imported = services.prairielearn_import(
        project=project,
        upload=SimpleUploadedFile("tests.zip", z.prairielearn_c_zip()),
        suite_name="PrairieLearn",
        command="/grade/tests/run.sh",
        sandbox_image="",
        time_limit_s=30,
        user=None,
    )
    assert imported.state == ImportState.READY
    assert sorted(project.instructor_files.values_list("name", flat=True)) == sorted(
        ["run.sh", "in1.txt", "out1.txt", "in2.txt", "out2.txt"]
    )

    submission = h.grade(provider, h.submit(project, {"main.c": z.SUM_C}))

    assert shown(submission, C.NORMAL) == {"case 1": (1, 1), "case 2": (0, 1)}


def test_the_package_mirror_settings_reach_setup_sh(monkeypatch: pytest.MonkeyPatch) -> None:
    """For builders without internet access: setup.sh sees the configured Debian mirror in the
    apt sources and the Python index in PIP_INDEX_URL."""
    monkeypatch.setenv("AG_AUTOGRADER_APT_MIRROR", "http://mirror.example.edu/debian")
    monkeypatch.setenv("AG_AUTOGRADER_PIP_INDEX_URL", "http://mirror.example.edu/pypi/simple")
    setup = b"""#!/bin/sh
cat /etc/apt/sources.list > /autograder/source/seen.txt
echo "pip: $PIP_INDEX_URL" >> /autograder/source/seen.txt
"""
    imported = gradescope(z.make_zip({"setup.sh": setup, "run_autograder": b"true\n"}), "Mirror")
    seen_path = "/opt/ag-autograder/source/seen.txt"
    assert imported.image is not None
    assert imported.state == ImportState.READY, imported.image.builds.get().log
    seen = subprocess.run(
        ["docker", "run", "--rm", "--network", "none", imported.image.tag, "cat", seen_path],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "deb http://mirror.example.edu/debian bookworm main" in seen
    assert "deb.debian.org" not in seen
    assert "pip: http://mirror.example.edu/pypi/simple" in seen
