"""Every write to a project's test configuration: suites → test cases → commands.

Results point at configuration with SET_NULL and keep the names they ran under, so nothing
here writes to a result row: editing or deleting tests leaves what was graded as it was.
Each service runs in one transaction and locks the parent whose children it numbers, so
concurrent creates and reorders can't interleave.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from autograder.common.errors import ApplicationError, field_error, from_validation_error
from autograder.grading import feedback_config
from autograder.grading.models import (
    AGTestCase,
    AGTestCommand,
    AGTestSuite,
    ExpectedOutputSource,
    StdinSource,
)
from autograder.grading.models.config import MAX_COMMAND_LENGTH, MAX_TIME_LIMIT_S
from autograder.projects.models import ExpectedStudentFile, InstructorFile, Project
from autograder.sandbox.config import image_reference_problem, load_settings

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
    "feedback",
)
CASE_FIELDS = ("name", "feedback")
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
_SUITE_M2M_FIELDS = ("instructor_files_needed", "student_files_needed")

Row = TypeVar("Row", AGTestSuite, AGTestCase, AGTestCommand)


def _check_field_names(fields: Iterable[str], allowed: Sequence[str], what: str) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"Not editable {what} fields: {unknown}")


def _clean_name(row: Row, what: str) -> None:
    row.name = row.name.strip()
    if not row.name:
        raise field_error("name", f"A {what} needs a name.")


def _full_clean(row: models.Model, exclude: list[str]) -> None:
    try:
        row.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise from_validation_error(exc) from exc


def _save_unique(row: Row, duplicate: ApplicationError) -> None:
    """Saves `row`; a concurrent insert of the same name becomes `duplicate`, not a 500."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        raise duplicate from exc


def _next_order(siblings: "models.QuerySet[Any]") -> int:
    last: int | None = siblings.aggregate(last=models.Max("order"))["last"]
    return 0 if last is None else last + 1


def _merged_feedback(stored: dict[str, Any], changes: Any) -> Any:
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


def _command_line_problem(cmd: str, field: str) -> ApplicationError | None:
    if len(cmd) > MAX_COMMAND_LENGTH:
        return field_error(
            field,
            f"Commands may be at most {MAX_COMMAND_LENGTH} characters long; "
            f"this one has {len(cmd)}.",
        )
    return None


# --- Files of the project -------------------------------------------------------------------


def _describe(ids: Iterable[int]) -> str:
    return ", ".join(str(pk) for pk in sorted(ids))


def _check_instructor_files(project_id: int, files: Iterable[InstructorFile], field: str) -> None:
    foreign = {f.pk for f in files if f.project_id != project_id}
    if foreign:
        raise field_error(
            field,
            f"Instructor files must belong to this project; these don't: {_describe(foreign)}.",
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
            f"{_describe(foreign)}.",
            code="file_of_other_project",
        )


# --- Suites ---------------------------------------------------------------------------------


def _suite_duplicate(name: str, *, field: str = "name") -> ApplicationError:
    return field_error(
        field, f"This project already has a suite named {name!r}.", code="duplicate_name"
    )


def _check_sandbox_image(image: str) -> None:
    """Suites run only on images the site lists (AG_SANDBOX_IMAGE and AG_SANDBOX_IMAGES):
    any other name would reach Docker from every worker, and students would see Docker's
    error. Empty means the site's default image."""
    if not image:
        return
    allowed = load_settings().allowed_images
    problem = image_reference_problem(image)
    if problem:
        raise field_error("sandbox_image", problem, code="invalid_image")
    if image not in allowed:
        raise field_error(
            "sandbox_image",
            f"{image!r} is not one of this site's sandbox images: {', '.join(allowed)}. "
            "Leave it empty for the default; the site's administrators can add images "
            "(AG_SANDBOX_IMAGES).",
            code="unknown_image",
        )


def _suite_validate_and_save(suite: AGTestSuite, *, name_field: str = "name") -> None:
    _clean_name(suite, "suite")
    _check_sandbox_image(suite.sandbox_image)
    problem = _command_line_problem(suite.setup_command, "setup_command")
    if problem:
        raise problem
    suite.feedback = feedback_config.normalize_suite_feedback(suite.feedback)
    _full_clean(suite, exclude=["project", *_SUITE_M2M_FIELDS])
    taken = AGTestSuite.objects.filter(project_id=suite.project_id, name=suite.name)
    if taken.exclude(pk=suite.pk).exists():
        raise _suite_duplicate(suite.name, field=name_field)
    _save_unique(suite, _suite_duplicate(suite.name, field=name_field))


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


def _lock_project(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


@transaction.atomic
def suite_create(*, project: Project, name: str, **fields: Any) -> AGTestSuite:
    """Adds a suite at the end of the project's suites. `fields` are any of SUITE_FIELDS."""
    _check_field_names(fields, SUITE_FIELDS, "suite")
    _lock_project(project)
    plain = {key: value for key, value in fields.items() if key not in _SUITE_M2M_FIELDS}
    suite = AGTestSuite(
        project=project,
        name=name,
        order=_next_order(AGTestSuite.objects.filter(project=project)),
        **plain,
    )
    _suite_validate_and_save(suite)
    _set_suite_files(suite, fields)
    _check_setup_rejection(project.pk, field="reject_submission_if_setup_fails")
    return suite


@transaction.atomic
def suite_update(*, suite: AGTestSuite, **changes: Any) -> AGTestSuite:
    """Applies `changes` (any of SUITE_FIELDS). `feedback` is merged into what is stored."""
    _check_field_names(changes, SUITE_FIELDS, "suite")
    Project.objects.select_for_update().filter(pk=suite.project_id).first()
    locked = AGTestSuite.objects.select_for_update().get(pk=suite.pk)
    for key, value in changes.items():
        if key == "feedback":
            value = _merged_feedback(locked.feedback, value)
        if key not in _SUITE_M2M_FIELDS:
            setattr(locked, key, value)
    _suite_validate_and_save(locked)
    _set_suite_files(locked, changes)
    field = "deferred" if "deferred" in changes else "reject_submission_if_setup_fails"
    _check_setup_rejection(locked.project_id, field=field)
    return locked


def suite_delete(*, suite: AGTestSuite) -> None:
    """Deletes a suite with its test cases and commands; their results stay, unlinked."""
    suite.delete()


def _reorder(
    siblings: "models.QuerySet[Any]", ids: list[int], *, children: str, parent: str
) -> list[int]:
    """Sets `order` from `ids`, which must list every child of the parent exactly once."""
    rows = list(siblings.select_for_update())
    current = {row.pk for row in rows}
    duplicates = [pk for pk, count in Counter(ids).items() if count > 1]
    if duplicates:
        raise field_error(
            "ids", f"Listed more than once: {_describe(duplicates)}.", code="wrong_ids"
        )
    if set(ids) != current:
        problems = []
        missing = current - set(ids)
        extra = set(ids) - current
        if missing:
            problems.append(f"missing {_describe(missing)}")
        if extra:
            problems.append(f"not {children} of this {parent}: {_describe(extra)}")
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
    return ids


@transaction.atomic
def suite_reorder(*, parent: Project, ids: list[int]) -> list[int]:
    _lock_project(parent)
    ordered = _reorder(
        AGTestSuite.objects.filter(project=parent), ids, children="suites", parent="project"
    )
    _check_setup_rejection(parent.pk, field="ids")
    return ordered


# --- Test cases -----------------------------------------------------------------------------


def _case_duplicate(suite_name: str, name: str, *, field: str) -> ApplicationError:
    return field_error(
        field,
        f"Suite {suite_name!r} already has a test case named {name!r}.",
        code="duplicate_name",
    )


def _case_validate_and_save(case: AGTestCase, *, name_field: str = "name") -> None:
    _clean_name(case, "test case")
    case.feedback = feedback_config.normalize_case_feedback(case.feedback)
    _full_clean(case, exclude=["suite"])
    duplicate = _case_duplicate(case.suite.name, case.name, field=name_field)
    if (
        AGTestCase.objects.filter(suite_id=case.suite_id, name=case.name)
        .exclude(pk=case.pk)
        .exists()
    ):
        raise duplicate
    _save_unique(case, duplicate)


def _lock_suite(suite: AGTestSuite) -> AGTestSuite:
    return AGTestSuite.objects.select_for_update().get(pk=suite.pk)


@transaction.atomic
def case_create(
    *, suite: AGTestSuite, name: str, feedback: dict[str, Any] | None = None
) -> AGTestCase:
    """Adds a test case at the end of `suite`."""
    locked = _lock_suite(suite)
    case = AGTestCase(
        suite=locked,
        name=name,
        order=_next_order(AGTestCase.objects.filter(suite=locked)),
        feedback=feedback if feedback is not None else {},
    )
    _case_validate_and_save(case)
    return case


@transaction.atomic
def case_update(
    *,
    case: AGTestCase,
    name: str | None = None,
    feedback: dict[str, Any] | None = None,
    suite: AGTestSuite | None = None,
) -> AGTestCase:
    """Renames, changes feedback (merged into what is stored) and/or moves the case to the
    end of another `suite` of the same project, all or nothing."""
    locked = (
        AGTestCase.objects.select_for_update(of=("self",)).select_related("suite").get(pk=case.pk)
    )
    moving = False
    if suite is not None and suite.pk != locked.suite_id:
        moving = True
        if suite.project_id != locked.suite.project_id:
            raise field_error(
                "suite",
                "A test case can only move to a suite of the same project.",
                code="other_project",
            )
        target = _lock_suite(suite)
        locked.suite = target
        locked.order = _next_order(AGTestCase.objects.filter(suite=target))
    if name is not None:
        locked.name = name
    if feedback is not None:
        locked.feedback = _merged_feedback(locked.feedback, feedback)
    _case_validate_and_save(locked, name_field="suite" if moving and name is None else "name")
    return locked


def case_move(*, case: AGTestCase, target_suite: AGTestSuite) -> AGTestCase:
    """Moves a test case to the end of another suite of the same project."""
    return case_update(case=case, suite=target_suite)


def case_delete(*, case: AGTestCase) -> None:
    """Deletes a test case with its commands; their results stay, unlinked."""
    case.delete()


@transaction.atomic
def case_reorder(*, parent: AGTestSuite, ids: list[int]) -> list[int]:
    _lock_suite(parent)
    return _reorder(
        AGTestCase.objects.filter(suite=parent), ids, children="test cases", parent="suite"
    )


# --- Commands -------------------------------------------------------------------------------


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


def _check_command(command: AGTestCommand, project_id: int) -> None:
    _clean_name(command, "command")
    if not command.cmd.strip():
        raise field_error("cmd", "The command may not be empty.")
    problem = _command_line_problem(command.cmd, "cmd")
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
    command.feedback = feedback_config.normalize_command_feedback(command.feedback)
    _full_clean(command, exclude=["case", *COMMAND_FILE_FIELDS])


def _command_validate_and_save(command: AGTestCommand, case: AGTestCase) -> None:
    _check_command(command, case.suite.project_id)
    duplicate = _command_duplicate(case.name, command.name)
    taken = AGTestCommand.objects.filter(case_id=case.pk, name=command.name)
    if taken.exclude(pk=command.pk).exists():
        raise duplicate
    _save_unique(command, duplicate)


def _lock_case(case: AGTestCase) -> AGTestCase:
    return (
        AGTestCase.objects.select_for_update(of=("self",)).select_related("suite").get(pk=case.pk)
    )


@transaction.atomic
def command_create(*, case: AGTestCase, name: str, cmd: str, **fields: Any) -> AGTestCommand:
    """Adds a command at the end of `case`. `fields` are any of COMMAND_FIELDS."""
    _check_field_names(fields, COMMAND_FIELDS, "command")
    locked = _lock_case(case)
    command = AGTestCommand(
        case=locked,
        name=name,
        cmd=cmd,
        order=_next_order(AGTestCommand.objects.filter(case=locked)),
        **fields,
    )
    _command_validate_and_save(command, locked)
    return command


@transaction.atomic
def command_update(*, command: AGTestCommand, **changes: Any) -> AGTestCommand:
    """Applies `changes` (any of COMMAND_FIELDS) and validates the whole command, so e.g. a
    source of instructor_file needs its file whichever field changed."""
    _check_field_names(changes, COMMAND_FIELDS, "command")
    locked = (
        AGTestCommand.objects.select_for_update(of=("self",))
        .select_related("case__suite")
        .get(pk=command.pk)
    )
    for key, value in changes.items():
        if key == "feedback":
            value = _merged_feedback(locked.feedback, value)
        setattr(locked, key, value)
    _command_validate_and_save(locked, locked.case)
    return locked


def command_delete(*, command: AGTestCommand) -> None:
    """Deletes a command; its results stay, unlinked."""
    command.delete()


@transaction.atomic
def command_reorder(*, parent: AGTestCase, ids: list[int]) -> list[int]:
    _lock_case(parent)
    return _reorder(
        AGTestCommand.objects.filter(case=parent), ids, children="commands", parent="test case"
    )


# --- Copying a suite ------------------------------------------------------------------------


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
    name for name in SUITE_FIELDS if name not in ("name", *_SUITE_M2M_FIELDS)
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
    copy.feedback = feedback_config.normalize_command_feedback(command.feedback)
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
    _lock_project(target_project)
    name = (
        new_name
        if new_name is not None
        else _free_copy_name(project=target_project, name=suite.name)
    )
    copy = AGTestSuite(
        project=target_project,
        name=name,
        order=_next_order(AGTestSuite.objects.filter(project=target_project)),
        **{field: getattr(suite, field) for field in _COPIED_SUITE_FIELDS},
    )
    _suite_validate_and_save(copy, name_field="new_name")
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
            feedback=feedback_config.normalize_case_feedback(case.feedback),
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
