"""Reads of a project's test configuration, for the staff UI and the grading pipeline.

The whole tree loads in a fixed number of queries (suites, their two file lists, test cases,
commands), however many tests a project has.
"""

from django.db.models import Prefetch, QuerySet

from autograder.common.errors import NotFoundError
from autograder.grading.config.models import AGTestCase, AGTestCommand, AGTestSuite
from autograder.images import selectors as image_selectors
from autograder.images.models import SandboxImage
from autograder.projects.models import Project
from autograder.sandbox.config import load_settings


def _commands() -> QuerySet[AGTestCommand]:
    return AGTestCommand.objects.select_related(
        "stdin_instructor_file",
        "expected_stdout_instructor_file",
        "expected_stderr_instructor_file",
    ).order_by("order", "pk")


def _cases() -> QuerySet[AGTestCase]:
    return AGTestCase.objects.order_by("order", "pk").prefetch_related(
        Prefetch("commands", queryset=_commands())
    )


def _suites() -> QuerySet[AGTestSuite]:
    return AGTestSuite.objects.order_by("order", "pk").prefetch_related(
        "instructor_files_needed",
        "student_files_needed",
        Prefetch("cases", queryset=_cases()),
    )


def project_test_config(*, project: Project) -> QuerySet[AGTestSuite]:
    """The project's suites in order, each with its files, test cases and commands (in
    order, with the instructor files they read) prefetched."""
    return _suites().filter(project=project)


def suite_tree(*, suite_id: int) -> AGTestSuite:
    """One suite with everything under it, as in `project_test_config`."""
    suite = _suites().filter(pk=suite_id).first()
    if suite is None:
        raise NotFoundError("No such suite.")
    return suite


def case_tree(*, case_id: int) -> AGTestCase:
    case = _cases().filter(pk=case_id).first()
    if case is None:
        raise NotFoundError("No such test case.")
    return case


def suite_cases(*, suite: AGTestSuite) -> QuerySet[AGTestCase]:
    return _cases().filter(suite=suite)


def case_commands(*, case: AGTestCase) -> QuerySet[AGTestCommand]:
    return _commands().filter(case=case)


def suite_get(*, suite_id: int) -> AGTestSuite:
    suite = AGTestSuite.objects.select_related("project").filter(pk=suite_id).first()
    if suite is None:
        raise NotFoundError("No such suite.")
    return suite


def case_get(*, case_id: int) -> AGTestCase:
    case = AGTestCase.objects.select_related("suite__project").filter(pk=case_id).first()
    if case is None:
        raise NotFoundError("No such test case.")
    return case


def command_get(*, command_id: int) -> AGTestCommand:
    command = (
        AGTestCommand.objects.select_related("case__suite__project").filter(pk=command_id).first()
    )
    if command is None:
        raise NotFoundError("No such command.")
    return command


def command_reload(*, command_id: int) -> AGTestCommand:
    return _commands().get(pk=command_id)


def suite_ids(*, project: Project) -> list[int]:
    return list(
        AGTestSuite.objects.filter(project=project)
        .order_by("order", "pk")
        .values_list("pk", flat=True)
    )


def case_ids(*, suite: AGTestSuite) -> list[int]:
    return list(
        AGTestCase.objects.filter(suite=suite).order_by("order", "pk").values_list("pk", flat=True)
    )


def command_ids(*, case: AGTestCase) -> list[int]:
    return list(
        AGTestCommand.objects.filter(case=case).order_by("order", "pk").values_list("pk", flat=True)
    )


def sandbox_images(*, project: Project) -> tuple[str, list[SandboxImage]]:
    """(the site's default image, every image a suite of this project may choose), for the
    suite editor."""
    images = list(image_selectors.usable_images(course_id=project.course_id))
    return image_selectors.default_reference(), images


def sandbox_images_in_use() -> set[str]:
    """The Docker tags some suite runs on now (an empty `sandbox_image` is the default): the
    only ones worth keeping warm."""
    settings = load_settings()
    chosen = AGTestSuite.objects.order_by().values_list("sandbox_image", flat=True).distinct()
    return image_selectors.tags_of({name or settings.image for name in chosen})
