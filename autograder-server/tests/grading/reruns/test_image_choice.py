"""Reruns on the original image or the current one, with real image builds and real sandboxes:
a submission graded on version A of a course image, the image rebuilt as version B (a file
whose content the test command prints), then reruns that choose each. Also: what happens when
the original can't be had, pulling it back from the registry by digest, and garbage collection
keeping the images pinned results need."""

import contextlib
import os
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from autograder.grading.config.models import ExpectedOutputSource
from autograder.grading.pipeline import worker
from autograder.grading.pipeline.models import GradingJob, JobState
from autograder.grading.reruns import services as reruns
from autograder.grading.results.models import AGTestCommandResult, AGTestSuiteResult
from autograder.grading.results.output_storage import output_read
from autograder.images import garbage, services
from autograder.images.limits import gc_settings
from autograder.images.models import ImageBuild, ImageStatus, SandboxImage
from autograder.projects.models import Project
from autograder.sandbox.docker_pool import DockerPoolManager
from autograder.sandbox.pool import PoolManager
from autograder.submissions.models import Submission, SubmissionStatus
from tests.grading import pipeline_helpers as h
from tests.images import test_distribution

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

PREFIX = f"rerunimg{os.getpid()}"

registry = test_distribution.registry
"""The stack's registry stand-in, a real one (the fixture the distribution tests use)."""


@pytest.fixture(autouse=True)
def _images(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("AG_IMAGE_TAG_PREFIX", PREFIX)
    monkeypatch.setenv("AG_IMAGE_BUILD_NETWORK", "none")
    monkeypatch.setenv("AG_IMAGE_BUILD_TIMEOUT", "120")
    monkeypatch.delenv("AG_SANDBOX_REGISTRY", raising=False)
    yield
    listed = subprocess.run(
        ["docker", "images", "--format", "{{.ID}} {{.Repository}}"],
        capture_output=True, text=True, check=False,
    ).stdout.split("\n")  # fmt: skip
    mine = {line.split()[0] for line in listed if PREFIX in line}
    if mine:
        subprocess.run(["docker", "image", "rm", "-f", *mine], capture_output=True, check=False)


def _build(image: SandboxImage, version: str) -> SandboxImage:
    services.image_update(
        image=image,
        dockerfile=f"FROM ag-sandbox-default:latest\nRUN echo {version} > /etc/version\n",
    )
    build = services.build_start(image=image, user=None)
    services.build_run(build_id=build.pk)
    build.refresh_from_db()
    assert build.status == ImageStatus.READY, build.log
    image.refresh_from_db()
    return image


def _project_on(version: str) -> tuple[Project, SandboxImage]:
    """A project whose one suite prints /etc/version of a course image built as `version`;
    the command is worth 3 points when it prints "A"."""
    project = h.project_with_catch_all()
    image = services.image_create(
        course=project.course, display_name="versioned", dockerfile="FROM scratch\n"
    )
    _build(image, version)
    suite = h.suite(project, sandbox_image=image.reference)
    h.command(
        suite,
        "cat /etc/version",
        name="version",
        expected_stdout_source=ExpectedOutputSource.TEXT,
        expected_stdout_text="A\n",
        points_for_correct_stdout=3,
    )
    return project, image


def _image_id(reference: str) -> str:
    return subprocess.run(
        ["docker", "image", "inspect", "--format", "{{.Id}}", reference],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


@contextlib.contextmanager
def _grader() -> Iterator[PoolManager]:
    """A grader slot with no warm sandboxes, whose containers are gone once it closes (so a
    test can remove an image nothing uses any more)."""
    manager = DockerPoolManager(pool_size=0)
    try:
        yield manager
    finally:
        manager.close()


def _grade(project: Project) -> Submission:
    with _grader() as provider:
        return h.grade(provider, h.submit(project))


def _rerun(project: Project, image_choice: str) -> None:
    task = reruns.rerun_create(
        project=project, creator=None, selection="all", image_choice=image_choice
    ).task
    with _grader() as provider:
        while worker.work_one("rerun", provider=provider) is not None:
            pass
    assert not GradingJob.objects.filter(rerun_task=task).exclude(state=JobState.DONE).exists()


def _graded(submission: Submission) -> tuple[bytes, Decimal, AGTestSuiteResult]:
    """What the version command printed, its points, and the suite result."""
    command = AGTestCommandResult.objects.get(case_result__suite_result__submission=submission)
    return (
        output_read(command, "stdout"),
        Decimal(command.points_awarded),
        AGTestSuiteResult.objects.get(submission=submission),
    )


def test_original_reruns_on_the_digest_graded_on_and_current_on_the_rebuilt_image() -> None:
    project, image = _project_on("A")
    tag_a = image.tag
    id_a = _image_id(tag_a)
    submission = _grade(project)
    stdout, points, result = _graded(submission)
    assert (stdout, points, result.image, result.image_digest) == (b"A\n", Decimal(3), tag_a, id_a)

    _build(image, "B")
    assert image.tag != tag_a
    id_b = _image_id(image.tag)
    assert id_b != id_a

    _rerun(project, "original")
    stdout, points, result = _graded(submission)
    assert (stdout, points, result.image, result.image_digest) == (b"A\n", Decimal(3), tag_a, id_a)
    assert result.error_message == ""

    _rerun(project, "current")
    stdout, points, result = _graded(submission)
    assert (stdout, points, result.image, result.image_digest) == (
        b"B\n",
        Decimal(0),
        image.tag,
        id_b,
    )

    # The result now records B: "original" means the image the stored result ran on.
    _rerun(project, "original")
    assert _graded(submission)[0] == b"B\n"


def test_an_original_image_that_is_gone_fails_that_suite_with_a_message_and_keeps_the_pin() -> None:
    project, image = _project_on("A")
    submission = _grade(project)
    id_a = _graded(submission)[2].image_digest
    tag_a = image.tag
    _build(image, "B")
    subprocess.run(["docker", "image", "rm", "-f", id_a], capture_output=True, check=True)

    _rerun(project, "original")

    stdout, points, result = _graded(submission)
    assert (stdout, points) == (b"", Decimal(0))
    assert "originally graded on" in result.error_message
    assert "no longer on this grader" in result.error_message
    assert (result.image, result.image_digest) == (tag_a, id_a), "a later rerun may try again"
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.FINISHED_GRADING

    _rerun(project, "current")
    assert _graded(submission)[:2] == (b"B\n", Decimal(0))


def test_a_result_without_a_digest_is_not_rerun_on_an_original_image() -> None:
    project, _ = _project_on("A")
    submission = _grade(project)
    AGTestSuiteResult.objects.filter(submission=submission).update(image_digest="")

    _rerun(project, "original")

    result = _graded(submission)[2]
    assert "recorded no image digest" in result.error_message
    assert "Rerun it on the current image" in result.error_message


def test_an_original_image_missing_here_is_pulled_back_from_the_registry_by_digest(
    registry: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AG_SANDBOX_REGISTRY", registry)
    project, image = _project_on("A")
    tag_a = image.tag
    assert tag_a.startswith(f"{registry}/") and "@sha256:" in tag_a
    submission = _grade(project)
    id_a = _graded(submission)[2].image_digest
    _build(image, "B")
    # This node loses A (a new grader, or garbage collection): only the registry has it.
    subprocess.run(["docker", "image", "rm", "-f", id_a], capture_output=True, check=True)

    _rerun(project, "original")

    stdout, points, result = _graded(submission)
    assert (stdout, points, result.image, result.image_digest) == (b"A\n", Decimal(3), tag_a, id_a)


def test_an_original_image_the_registry_no_longer_has_fails_that_suite(
    registry: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AG_SANDBOX_REGISTRY", registry)
    project, _ = _project_on("A")
    submission = _grade(project)
    gone = f"{registry}/{PREFIX}-never-pushed@sha256:" + "0" * 64
    AGTestSuiteResult.objects.filter(submission=submission).update(
        image=gone, image_digest="sha256:" + "1" * 64
    )

    _rerun(project, "original")

    result = _graded(submission)[2]
    assert "is no longer in the registry" in result.error_message, result.error_message
    assert result.image == gone


def _present(reference: str) -> bool:
    inspect = ["docker", "image", "inspect", reference]
    return subprocess.run(inspect, capture_output=True, check=False).returncode == 0


def test_garbage_collection_keeps_images_that_final_graded_results_may_be_rerun_on() -> None:
    project, image = _project_on("A")
    tag_a = image.tag
    _grade(project)  # no warm container keeps A in use afterwards
    _build(image, "B")
    tag_b = image.tag
    _build(image, "C")  # B graded nothing, and is old now
    ImageBuild.objects.exclude(tag=image.tag).update(
        finished_at=timezone.now() - timedelta(days=60)
    )

    keep = services.images_needed(retention_days=14)
    garbage.collect(keep=keep, min_age_s=0)

    assert tag_a in keep and _present(tag_a), "the final graded submission ran on A"
    assert tag_b not in keep and not _present(tag_b)
    assert _present(image.tag)

    # A course with no submission for longer than AG_IMAGE_GC_PIN_DAYS is over: A may go ...
    old = timezone.now() - timedelta(days=gc_settings().pin_days + 1)
    Submission.objects.filter(project=project).update(timestamp=old)
    assert tag_a not in services.images_needed(retention_days=14)
    # ... unless a rerun on the original images waits to run on it.
    reruns.rerun_create(project=project, creator=None, selection="all", image_choice="original")
    assert tag_a in services.images_needed(retention_days=14)
    garbage.collect(keep=services.images_needed(retention_days=14), min_age_s=0)
    assert _present(tag_a)
