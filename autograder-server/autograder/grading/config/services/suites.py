"""Writes of suites: create, update, delete, reorder, with the project's files they use."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from autograder.common.errors import ApplicationError, field_error
from autograder.grading.config import feedback_settings
from autograder.grading.config.models import AGTestSuite
from autograder.grading.config.services.editing import (
    SUITE_FIELDS,
    SUITE_M2M_FIELDS,
    check_field_names,
    clean_name,
    command_line_problem,
    describe,
    full_clean,
    lock_project,
    merged_feedback,
    next_order,
    reorder,
    save_unique,
)
from autograder.images import selectors as image_selectors
from autograder.projects.models import ExpectedStudentFile, InstructorFile, Project
from autograder.sandbox.config import image_reference_problem


def _check_instructor_files(project_id: int, files: Iterable[InstructorFile], field: str) -> None:
    foreign = {f.pk for f in files if f.project_id != project_id}
    if foreign:
        raise field_error(
            field,
            f"Instructor files must belong to this project; these don't: {describe(foreign)}.",
            code="file_of_other_project",
        )


def _check_expected_files(
    project_id: int, files: Iterable[ExpectedStudentFile], field: str
) -> None:
    foreign = {f.pk for f in files if f.project_id != project_id}
    if foreign:
        raise field_error(
            field,
            "Expected student files must belong to this project; these don't: "
            f"{describe(foreign)}.",
            code="file_of_other_project",
        )


def _suite_duplicate(name: str, *, field: str = "name") -> ApplicationError:
    return field_error(
        field, f"This project already has a suite named {name!r}.", code="duplicate_name"
    )


def check_sandbox_image(image: str, *, course_id: int) -> None:
    """Suites run only on images their course may use (the site's images and the course's
    images with a good build, see autograder.images): any other name would reach Docker from
    every worker, and students would see Docker's error. Empty means the site's default image."""
    if not image:
        return
    problem = image_reference_problem(image)
    if problem:
        raise field_error("sandbox_image", problem, code="invalid_image")
    allowed = list(
        image_selectors.usable_images(course_id=course_id).values_list("reference", flat=True)
    )
    if image not in allowed:
        raise field_error(
            "sandbox_image",
            f"{image!r} is not one of the sandbox images this course may use: "
            f"{', '.join(allowed)}. Leave it empty for the default; course admins add images "
            "on the course's Sandbox images page.",
            code="unknown_image",
        )


def suite_validate_and_save(suite: AGTestSuite, *, name_field: str = "name") -> None:
    clean_name(suite, "suite")
    check_sandbox_image(suite.sandbox_image, course_id=suite.project.course_id)
    problem = command_line_problem(suite.setup_command, "setup_command")
    if problem:
        raise problem
    suite.feedback = feedback_settings.normalize_suite_feedback(suite.feedback)
    full_clean(suite, exclude=["project", *SUITE_M2M_FIELDS])
    taken = AGTestSuite.objects.filter(project_id=suite.project_id, name=suite.name)
    if taken.exclude(pk=suite.pk).exists():
        raise _suite_duplicate(suite.name, field=name_field)
    save_unique(suite, _suite_duplicate(suite.name, field=name_field))


def _set_suite_files(suite: AGTestSuite, fields: dict[str, Any]) -> None:
    if "instructor_files_needed" in fields:
        files = list(fields["instructor_files_needed"])
        _check_instructor_files(suite.project_id, files, "instructor_files_needed")
        suite.instructor_files_needed.set(files)
    if "student_files_needed" in fields:
        expected = list(fields["student_files_needed"])
        _check_expected_files(suite.project_id, expected, "student_files_needed")
        suite.student_files_needed.set(expected)


def _check_setup_rejection(project_id: int, *, field: str) -> None:
    """Only the first non-deferred suite may reject a submission whose setup fails: it runs
    first, so a rejected submission never has results of other suites."""
    suites = list(
        AGTestSuite.objects.filter(project_id=project_id)
        .order_by("order", "pk")
        .values("pk", "name", "deferred", "reject_submission_if_setup_fails")
    )
    non_deferred = [suite for suite in suites if not suite["deferred"]]
    first = non_deferred[0]["pk"] if non_deferred else None
    for suite in suites:
        if suite["reject_submission_if_setup_fails"] and suite["pk"] != first:
            raise field_error(
                field,
                f"Suite {suite['name']!r} rejects submissions whose setup fails, which only the "
                "first non-deferred suite may do. Turn that off, or keep that suite first and "
                "not deferred.",
                code="setup_rejection_not_first",
            )


@transaction.atomic
def suite_create(*, project: Project, name: str, **fields: Any) -> AGTestSuite:
    """Adds a suite at the end of the project's suites. `fields` are any of SUITE_FIELDS."""
    check_field_names(fields, SUITE_FIELDS, "suite")
    lock_project(project)
    plain = {key: value for key, value in fields.items() if key not in SUITE_M2M_FIELDS}
    suite = AGTestSuite(
        project=project,
        name=name,
        order=next_order(AGTestSuite.objects.filter(project=project)),
        **plain,
    )
    suite_validate_and_save(suite)
    _set_suite_files(suite, fields)
    _check_setup_rejection(project.pk, field="reject_submission_if_setup_fails")
    return suite


@transaction.atomic
def suite_update(*, suite: AGTestSuite, **changes: Any) -> AGTestSuite:
    """Applies `changes` (any of SUITE_FIELDS). `feedback` is merged into what is stored."""
    check_field_names(changes, SUITE_FIELDS, "suite")
    Project.objects.select_for_update().filter(pk=suite.project_id).first()
    locked = AGTestSuite.objects.select_for_update().get(pk=suite.pk)
    for key, value in changes.items():
        if key == "feedback":
            value = merged_feedback(locked.feedback, value)
        if key not in SUITE_M2M_FIELDS:
            setattr(locked, key, value)
    suite_validate_and_save(locked)
    _set_suite_files(locked, changes)
    field = "deferred" if "deferred" in changes else "reject_submission_if_setup_fails"
    _check_setup_rejection(locked.project_id, field=field)
    return locked


def suite_delete(*, suite: AGTestSuite) -> None:
    """Deletes a suite with its test cases and commands; their results stay, unlinked."""
    suite.delete()


@transaction.atomic
def suite_reorder(*, parent: Project, ids: list[int]) -> list[int]:
    lock_project(parent)
    ordered = reorder(
        AGTestSuite.objects.filter(project=parent), ids, children="suites", parent="project"
    )
    _check_setup_rejection(parent.pk, field="ids")
    return ordered
