"""Field lists and what every write of the test configuration shares: name and field checks,
saves that turn a concurrent duplicate into a 400, numbering and reordering siblings, locks."""

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from autograder.common import versioned_cache
from autograder.common.errors import ApplicationError, field_error, from_validation_error
from autograder.grading.config.models import (
    MAX_COMMAND_LENGTH,
    AGTestCase,
    AGTestCommand,
    AGTestSuite,
)
from autograder.projects.models import Project

MAX_TEXT_LENGTH = 8_000_000
"""Longest stdin or expected-output text stored in a command (as on autograder.io)."""
MIN_MEMORY_LIMIT_BYTES = 1024 * 1024

SUITE_FIELDS = (
    "name",
    "sandbox_image",
    "instructor_files_needed",
    "student_files_needed",
    "setup_command",
    "setup_name",
    "setup_time_limit_s",
    "reject_submission_if_setup_fails",
    "allow_network",
    "deferred",
    "results_format",
    "results_file_path",
    "results_points",
    "file_layout",
    "description",
    "staff_notes",
    "feedback",
)
CASE_TEXT_FIELDS = ("description", "student_hint", "staff_notes")
"""Markdown a test case carries besides its name; plain columns, copied as they are."""
CASE_FIELDS = ("name", *CASE_TEXT_FIELDS, "feedback")
COMMAND_FIELDS = (
    "name",
    "cmd",
    "stdin_source",
    "stdin_text",
    "stdin_instructor_file",
    "expected_return_code",
    "expected_stdout_source",
    "expected_stdout_text",
    "expected_stdout_instructor_file",
    "expected_stderr_source",
    "expected_stderr_text",
    "expected_stderr_instructor_file",
    "ignore_case",
    "ignore_whitespace",
    "ignore_whitespace_changes",
    "ignore_blank_lines",
    "points_for_correct_return_code",
    "points_for_correct_stdout",
    "points_for_correct_stderr",
    "deduction_for_wrong_return_code",
    "deduction_for_wrong_stdout",
    "deduction_for_wrong_stderr",
    "time_limit_s",
    "memory_limit_bytes",
    "block_process_spawn",
    "output_cap_bytes",
    "feedback",
)
COMMAND_FILE_FIELDS = (
    "stdin_instructor_file",
    "expected_stdout_instructor_file",
    "expected_stderr_instructor_file",
)
SUITE_M2M_FIELDS = ("instructor_files_needed", "student_files_needed")

Row = TypeVar("Row", AGTestSuite, AGTestCase, AGTestCommand)


def check_field_names(fields: Iterable[str], allowed: Sequence[str], what: str) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"Not editable {what} fields: {unknown}")


def clean_name(row: Row, what: str) -> None:
    row.name = row.name.strip()
    if not row.name:
        raise field_error("name", f"A {what} needs a name.")


def full_clean(row: models.Model, exclude: list[str]) -> None:
    try:
        row.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise from_validation_error(exc) from exc


def save_unique(row: Row, duplicate: ApplicationError) -> None:
    """Saves `row`; a concurrent insert of the same name becomes `duplicate`, not a 500."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        raise duplicate from exc


def next_order(siblings: "models.QuerySet[Any]") -> int:
    last: int | None = siblings.aggregate(last=models.Max("order"))["last"]
    return 0 if last is None else last + 1


def merged_feedback(stored: dict[str, Any], changes: Any) -> Any:
    """A PATCH of `feedback` changes only the categories and settings it names; a category
    set to null goes back to its defaults (for `first_failed_test`: no override)."""
    if not isinstance(changes, dict):
        return changes
    merged = dict(stored)
    for category, settings in changes.items():
        current = merged.get(category)
        if isinstance(settings, dict) and isinstance(current, dict):
            merged[category] = {**current, **settings}
        else:
            merged[category] = settings
    return {category: value for category, value in merged.items() if value is not None}


def command_line_problem(cmd: str, field: str) -> ApplicationError | None:
    if len(cmd) > MAX_COMMAND_LENGTH:
        return field_error(
            field,
            f"Commands may be at most {MAX_COMMAND_LENGTH} characters long; "
            f"this one has {len(cmd)}.",
        )
    return None


def describe(ids: Iterable[int]) -> str:
    return ", ".join(str(pk) for pk in sorted(ids))


def lock_project(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


def lock_suite(suite: AGTestSuite) -> AGTestSuite:
    return AGTestSuite.objects.select_for_update().get(pk=suite.pk)


def reorder(
    siblings: "models.QuerySet[Any]", ids: list[int], *, children: str, parent: str
) -> list[int]:
    """Sets `order` from `ids`, which must list every child of the parent exactly once."""
    rows = list(siblings.select_for_update())
    current = {row.pk for row in rows}
    duplicates = [pk for pk, count in Counter(ids).items() if count > 1]
    if duplicates:
        raise field_error(
            "ids", f"Listed more than once: {describe(duplicates)}.", code="wrong_ids"
        )
    if set(ids) != current:
        problems = []
        missing = current - set(ids)
        extra = set(ids) - current
        if missing:
            problems.append(f"missing {describe(missing)}")
        if extra:
            problems.append(f"not {children} of this {parent}: {describe(extra)}")
        raise field_error(
            "ids",
            f"List each of the {len(current)} {children} of this {parent} exactly once "
            f"({'; '.join(problems)}).",
            code="wrong_ids",
        )
    position = {pk: index for index, pk in enumerate(ids)}
    for row in rows:
        row.order = position[row.pk]
    siblings.model.objects.bulk_update(rows, ["order"])
    versioned_cache.bump([versioned_cache.CONFIG])  # bulk_update sends no signal
    return ids
