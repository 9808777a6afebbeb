"""Copying a suite, with its test cases, commands and feedback, into the same or another
project; copying a whole project's configuration; cloning a test case within its suite."""

from django.db import transaction

from autograder.common.errors import ApplicationError
from autograder.grading.config import feedback_settings
from autograder.grading.config.models import AGTestCase, AGTestCommand, AGTestSuite
from autograder.grading.config.services.editing import (
    CASE_TEXT_FIELDS,
    COMMAND_FIELDS,
    COMMAND_FILE_FIELDS,
    SUITE_FIELDS,
    SUITE_M2M_FIELDS,
    lock_project,
    lock_suite,
    next_order,
)
from autograder.grading.config.services.suites import suite_validate_and_save
from autograder.images import services as image_services
from autograder.projects.models import ExpectedStudentFile, InstructorFile, Project


def _free_copy_name(*, project: Project, name: str) -> str:
    taken = set(AGTestSuite.objects.filter(project=project).values_list("name", flat=True))
    if name not in taken:
        return name
    max_length = AGTestSuite._meta.get_field("name").max_length or 255
    number = 1
    while True:
        suffix = " (copy)" if number == 1 else f" (copy {number})"
        candidate = name[: max_length - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        number += 1


def _instructor_files_used(suite: AGTestSuite) -> list[InstructorFile]:
    commands = AGTestCommand.objects.filter(case__suite=suite)
    ids = {
        pk
        for field in COMMAND_FILE_FIELDS
        for pk in commands.exclude(**{f"{field}__isnull": True}).values_list(field, flat=True)
    }
    ids |= set(suite.instructor_files_needed.values_list("pk", flat=True))
    return list(InstructorFile.objects.filter(pk__in=ids))


def _file_maps(
    suite: AGTestSuite, target: Project
) -> tuple[dict[int, InstructorFile], dict[int, ExpectedStudentFile]]:
    """Source file id → the target project's file of the same name (instructor files) or
    pattern (expected student files). Reports every missing one in a single 400."""
    used = _instructor_files_used(suite)
    by_name = {f.name: f for f in InstructorFile.objects.filter(project=target)}
    expected = list(suite.student_files_needed.all())
    by_pattern = {f.pattern: f for f in ExpectedStudentFile.objects.filter(project=target)}
    missing_names = sorted({f.name for f in used if f.name not in by_name})
    missing_patterns = sorted({f.pattern for f in expected if f.pattern not in by_pattern})
    if missing_names or missing_patterns:
        reasons = [f"Missing instructor file {name!r}." for name in missing_names]
        reasons += [f"Missing expected student file {pattern!r}." for pattern in missing_patterns]
        raise ApplicationError(
            f"The target project lacks {len(reasons)} file(s) this suite uses; add them there "
            "(same name or pattern) and copy again. Nothing was copied.",
            code="missing_files",
            fields={"target_project": reasons},
        )
    return (
        {f.pk: by_name[f.name] for f in used},
        {f.pk: by_pattern[f.pattern] for f in expected},
    )


_COPIED_SUITE_FIELDS = tuple(
    name for name in SUITE_FIELDS if name not in ("name", *SUITE_M2M_FIELDS)
)
_COPIED_COMMAND_FIELDS = tuple(
    name for name in COMMAND_FIELDS if name not in ("name", "cmd", *COMMAND_FILE_FIELDS)
)


def _copied_command(
    command: AGTestCommand, case: AGTestCase, files: dict[int, InstructorFile]
) -> AGTestCommand:
    copy = AGTestCommand(
        case=case,
        name=command.name,
        cmd=command.cmd,
        order=command.order,
        **{field: getattr(command, field) for field in _COPIED_COMMAND_FIELDS},
    )
    copy.feedback = feedback_settings.normalize_command_feedback(command.feedback)
    for field in COMMAND_FILE_FIELDS:
        source_id = getattr(command, f"{field}_id")
        setattr(copy, field, files[source_id] if source_id is not None else None)
    return copy


@transaction.atomic
def suite_copy(
    *, suite: AGTestSuite, target_project: Project, new_name: str | None = None
) -> AGTestSuite:
    """Copies `suite` with its test cases, commands and feedback to the end of
    `target_project` (which may be the suite's own project).

    Files are linked by name (instructor files) and pattern (expected student files) in the
    target; if any is missing there, nothing is copied and the 400 lists them all. Without
    `new_name` the copy keeps the name, or gets " (copy)", " (copy 2)", ... if it is taken.
    The copy rejects submissions when its setup fails only if it becomes the target's first
    non-deferred suite.
    """
    instructor_map, expected_map = _file_maps(suite, target_project)
    lock_project(target_project)
    name = (
        new_name
        if new_name is not None
        else _free_copy_name(project=target_project, name=suite.name)
    )
    copy = AGTestSuite(
        project=target_project,
        name=name,
        order=next_order(AGTestSuite.objects.filter(project=target_project)),
        **{field: getattr(suite, field) for field in _COPIED_SUITE_FIELDS},
    )
    if copy.sandbox_image:
        # A course's own image goes with the suite to another course (a copy of it there).
        copy.sandbox_image = image_services.image_reference_for_course(
            reference=copy.sandbox_image, course=target_project.course
        )
    suite_validate_and_save(copy, name_field="new_name")
    copy.instructor_files_needed.set(
        [instructor_map[f.pk] for f in suite.instructor_files_needed.all()]
    )
    copy.student_files_needed.set([expected_map[f.pk] for f in suite.student_files_needed.all()])
    if copy.reject_submission_if_setup_fails:
        _drop_setup_rejection_unless_first(copy)
    for case in suite.cases.prefetch_related("commands"):
        case_copy = AGTestCase.objects.create(
            suite=copy,
            name=case.name,
            order=case.order,
            feedback=feedback_settings.normalize_case_feedback(case.feedback),
            **{field: getattr(case, field) for field in CASE_TEXT_FIELDS},
        )
        AGTestCommand.objects.bulk_create(
            _copied_command(command, case_copy, instructor_map) for command in case.commands.all()
        )
    return copy


def _drop_setup_rejection_unless_first(copy: AGTestSuite) -> None:
    first = (
        AGTestSuite.objects.filter(project_id=copy.project_id, deferred=False)
        .order_by("order", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if first != copy.pk:
        copy.reject_submission_if_setup_fails = False
        copy.save(update_fields=["reject_submission_if_setup_fails", "last_modified"])


def project_config_copy(*, source: Project, target: Project) -> list[AGTestSuite]:
    """Copies every suite of `source`, in order and under the same names, to the end of
    `target`, whose instructor and expected files must have the source's names and patterns
    (as `project_copy` leaves them). Runs in the caller's transaction."""
    return [
        suite_copy(suite=suite, target_project=target, new_name=suite.name)
        for suite in AGTestSuite.objects.filter(project=source).order_by("order", "pk")
    ]


def _free_case_name(*, suite: AGTestSuite, name: str) -> str:
    taken = set(AGTestCase.objects.filter(suite=suite).values_list("name", flat=True))
    max_length = AGTestCase._meta.get_field("name").max_length or 255
    number = 1
    while True:
        suffix = " (copy)" if number == 1 else f" (copy {number})"
        candidate = name[: max_length - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        number += 1


@transaction.atomic
def case_clone(*, case: AGTestCase) -> AGTestCase:
    """A copy of `case` with its commands and feedback, placed right after it in its suite,
    named "<name> (copy)" (or " (copy 2)", ...). Commands keep their instructor files: the
    clone is in the same project."""
    suite = lock_suite(case.suite)
    later = AGTestCase.objects.filter(suite=suite, order__gt=case.order)
    for sibling in later.order_by("-order"):
        sibling.order += 1
        sibling.save(update_fields=["order"])
    clone = AGTestCase.objects.get(pk=case.pk)
    source_commands = list(clone.commands.order_by("order", "pk"))
    clone.pk = None
    clone._state.adding = True
    clone.name = _free_case_name(suite=suite, name=case.name)
    clone.order = case.order + 1
    clone.feedback = feedback_settings.normalize_case_feedback(clone.feedback)
    clone.save()
    files = {
        pk: file
        for pk, file in InstructorFile.objects.in_bulk(
            [
                getattr(command, f"{field}_id")
                for command in source_commands
                for field in COMMAND_FILE_FIELDS
                if getattr(command, f"{field}_id") is not None
            ]
        ).items()
    }
    AGTestCommand.objects.bulk_create(
        _copied_command(command, clone, files) for command in source_commands
    )
    return clone
