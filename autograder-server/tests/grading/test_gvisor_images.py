"""A suite whose sandbox image runs under gVisor (`runsc`) really runs there, and a command
that exhausts the container's memory under gVisor is reported `out_of_memory` as under runc
(not a sandbox fault that turns the submission into `error`)."""

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autograder.grading.results.models import AGTestCommandResult
from autograder.grading.results.output_storage import output_read
from autograder.images.models import ImageStatus, Runtime, SandboxImage
from autograder.projects.models import Project
from autograder.sandbox.config import load_settings
from autograder.sandbox.docker_pool import DockerPoolManager
from autograder.submissions.models import SubmissionStatus
from tests.grading import pipeline_helpers as h

pytestmark = pytest.mark.django_db

DEFAULT = "ag-sandbox-default:latest"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="module")
def small_provider() -> Iterator[DockerPoolManager]:
    """Containers of 256 MiB, so exhausting their memory is quick."""
    settings = dataclasses.replace(load_settings(), memory_bytes=256 * 1024**2)
    manager = DockerPoolManager(settings=settings, pool_size=1)
    yield manager
    manager.close()


def _image(project: Project, runtime: str) -> SandboxImage:
    """A course image with a good build (the default image's tag) under `runtime`."""
    return SandboxImage.objects.create(
        course=project.course,
        display_name=f"img-test {runtime}",
        reference=f"img-test-{runtime}",
        tag=DEFAULT,
        status=ImageStatus.READY,
        runtime=runtime,
    )


def _stdout(command_name: str) -> str:
    result = AGTestCommandResult.objects.get(command_name=command_name)
    return output_read(result, "stdout").decode()


@pytest.mark.parametrize("runtime", [Runtime.RUNSC, Runtime.RUNC])
def test_a_suite_runs_under_its_images_runtime(
    small_provider: DockerPoolManager, runtime: str
) -> None:
    project = h.project_with_catch_all()
    suite = h.suite(project, sandbox_image=_image(project, runtime).reference)
    h.command(suite, "dmesg 2>&1 | head -n 3; cat /proc/version", name="kernel")

    submission = h.grade(small_provider, h.submit(project))

    assert submission.status == SubmissionStatus.FINISHED_GRADING
    shown = _stdout("kernel")
    assert ("Starting gVisor" in shown) == (runtime == Runtime.RUNSC), shown


@pytest.mark.parametrize("runtime", [Runtime.RUNSC, Runtime.RUNC])
def test_exhausting_memory_is_out_of_memory_under_both_runtimes(
    small_provider: DockerPoolManager, runtime: str
) -> None:
    project = h.project_with_catch_all()
    suite = h.suite(project, sandbox_image=_image(project, runtime).reference)
    h.command(
        suite,
        "python3 -c 'b = bytearray(1024 * 1024 * 1024)'",
        name="hog",
        memory_limit_bytes=None,
    )

    submission = h.grade(small_provider, h.submit(project))

    assert submission.status == SubmissionStatus.FINISHED_GRADING
    result = AGTestCommandResult.objects.get(command_name="hog")
    assert result.out_of_memory, (runtime, result.return_code)
