"""Writes of commands: create, update, delete, reorder, with every field checked."""

from typing import Any

from django.db import transaction

from autograder.common.errors import ApplicationError, field_error
from autograder.grading.config import feedback_settings, value_checks
from autograder.grading.config.models import (
    MAX_TIME_LIMIT_S,
    AGTestCase,
    AGTestCommand,
    ExpectedOutputSource,
    StdinSource,
)
from autograder.grading.config.services.editing import (
    COMMAND_FIELDS,
    COMMAND_FILE_FIELDS,
    MAX_TEXT_LENGTH,
    MIN_MEMORY_LIMIT_BYTES,
    check_field_names,
    clean_name,
    command_line_problem,
    full_clean,
    merged_feedback,
    next_order,
    reorder,
    save_unique,
)
from autograder.projects.models import InstructorFile


def _command_duplicate(case_name: str, name: str) -> ApplicationError:
    return field_error(
        "name",
        f"Test case {case_name!r} already has a command named {name!r}.",
        code="duplicate_name",
    )


def _require_file_for_source(
    command: AGTestCommand, source_field: str, file_field: str, what: str
) -> None:
    from_file = getattr(command, source_field) in (
        StdinSource.INSTRUCTOR_FILE,
        ExpectedOutputSource.INSTRUCTOR_FILE,
    )
    if from_file and getattr(command, f"{file_field}_id") is None:
        raise field_error(
            file_field,
            f"Choose the instructor file {what} ({source_field} is instructor_file).",
            code="file_required",
        )


def _check_value_sources(command: AGTestCommand) -> None:
    if command.expected_stderr_source == ExpectedOutputSource.VALUES:
        raise field_error(
            "expected_stderr_source", "Returned values are checked on the output (stdout) only."
        )
    if command.expected_stdout_source == ExpectedOutputSource.VALUES:
        try:
            spec = value_checks.spec_parse(command.expected_stdout_text)
        except value_checks.ValueSpecError as error:
            raise field_error(
                "expected_stdout_text", f"A returned-value check: {error}", code="invalid_values"
            ) from None
        command.expected_stdout_text = spec.text()


def _check_command(command: AGTestCommand, project_id: int) -> None:
    clean_name(command, "command")
    if not command.cmd.strip():
        raise field_error("cmd", "The command may not be empty.")
    problem = command_line_problem(command.cmd, "cmd")
    if problem:
        raise problem
    if not 1 <= command.time_limit_s <= MAX_TIME_LIMIT_S:
        raise field_error(
            "time_limit_s", f"The time limit must be 1 to {MAX_TIME_LIMIT_S} seconds."
        )
    if command.memory_limit_bytes is not None and (
        command.memory_limit_bytes < MIN_MEMORY_LIMIT_BYTES
    ):
        raise field_error(
            "memory_limit_bytes",
            f"The memory limit must be at least {MIN_MEMORY_LIMIT_BYTES} bytes (1 MiB), "
            "or null for none.",
        )
    for field in ("stdin_text", "expected_stdout_text", "expected_stderr_text"):
        if len(getattr(command, field)) > MAX_TEXT_LENGTH:
            raise field_error(field, f"At most {MAX_TEXT_LENGTH} characters.")
    _check_value_sources(command)
    _require_file_for_source(command, "stdin_source", "stdin_instructor_file", "stdin comes from")
    for stream in ("stdout", "stderr"):
        _require_file_for_source(
            command,
            f"expected_{stream}_source",
            f"expected_{stream}_instructor_file",
            f"with the expected {stream}",
        )
    for field in COMMAND_FILE_FIELDS:
        chosen = getattr(command, f"{field}_id")
        if (
            chosen is not None
            and not InstructorFile.objects.filter(pk=chosen, project_id=project_id).exists()
        ):
            raise field_error(
                field,
                f"Instructor file {chosen} is not a file of this project.",
                code="file_of_other_project",
            )
    command.feedback = feedback_settings.normalize_command_feedback(command.feedback)
    full_clean(command, exclude=["case", *COMMAND_FILE_FIELDS])


def _command_validate_and_save(command: AGTestCommand, case: AGTestCase) -> None:
    _check_command(command, case.suite.project_id)
    duplicate = _command_duplicate(case.name, command.name)
    taken = AGTestCommand.objects.filter(case_id=case.pk, name=command.name)
    if taken.exclude(pk=command.pk).exists():
        raise duplicate
    save_unique(command, duplicate)


def _lock_case(case: AGTestCase) -> AGTestCase:
    return (
        AGTestCase.objects.select_for_update(of=("self",)).select_related("suite").get(pk=case.pk)
    )


@transaction.atomic
def command_create(*, case: AGTestCase, name: str, cmd: str, **fields: Any) -> AGTestCommand:
    """Adds a command at the end of `case`. `fields` are any of COMMAND_FIELDS."""
    check_field_names(fields, COMMAND_FIELDS, "command")
    locked = _lock_case(case)
    command = AGTestCommand(
        case=locked,
        name=name,
        cmd=cmd,
        order=next_order(AGTestCommand.objects.filter(case=locked)),
        **fields,
    )
    _command_validate_and_save(command, locked)
    return command


@transaction.atomic
def command_update(*, command: AGTestCommand, **changes: Any) -> AGTestCommand:
    """Applies `changes` (any of COMMAND_FIELDS) and validates the whole command, so e.g. a
    source of instructor_file needs its file whichever field changed."""
    check_field_names(changes, COMMAND_FIELDS, "command")
    locked = (
        AGTestCommand.objects.select_for_update(of=("self",))
        .select_related("case__suite")
        .get(pk=command.pk)
    )
    for key, value in changes.items():
        if key == "feedback":
            value = merged_feedback(locked.feedback, value)
        setattr(locked, key, value)
    _command_validate_and_save(locked, locked.case)
    return locked


def command_delete(*, command: AGTestCommand) -> None:
    """Deletes a command; its results stay, unlinked."""
    command.delete()


@transaction.atomic
def command_reorder(*, parent: AGTestCase, ids: list[int]) -> list[int]:
    _lock_case(parent)
    return reorder(
        AGTestCommand.objects.filter(case=parent), ids, children="commands", parent="test case"
    )
