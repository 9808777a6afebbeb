"""Every write to projects, expected student files and instructor files.

Stored bytes of instructor files follow the database: new bytes are written before the row is
saved and deleted again if the save fails; old bytes (after a replace or delete) are removed
only once the transaction commits, so a rollback never leaves a row pointing at nothing.
"""

import unicodedata
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from autograder.common.errors import (
    ApplicationError,
    ConflictError,
    field_error,
    from_validation_error,
)
from autograder.common.filenames import check_filename
from autograder.courses.models import Course
from autograder.projects import signals
from autograder.projects.models import ExpectedStudentFile, InstructorFile, Project

PROJECT_SETTINGS_FIELDS = (
    "visible_to_students",
    "closing_time",
    "soft_closing_time",
    "disallow_student_submissions",
    "guests_can_submit",
    "min_group_size",
    "max_group_size",
    "submission_limit_per_day",
    "submission_limit_reset_time",
    "submission_limit_reset_timezone",
    "groups_combine_daily_submissions",
    "allow_submissions_past_limit",
    "num_bonus_submissions",
    "total_submission_limit",
    "allow_late_days",
    "final_graded_policy",
    "hide_final_graded_feedback",
    "use_honor_pledge",
    "honor_pledge_text",
    "instructions",
)
"""Policy fields an admin sets; together with `name` they are everything a copy carries over."""

PROJECT_EDITABLE_FIELDS = ("name", *PROJECT_SETTINGS_FIELDS)


# --- Projects -------------------------------------------------------------------------------


def _project_name_taken(*, course: Course, name: str, exclude_pk: int | None = None) -> bool:
    taken = Project.objects.filter(course=course, name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    return taken.exists()


def _name_taken_error(name: str) -> ApplicationError:
    return field_error(
        "name", f"This course already has a project named {name!r}.", code="duplicate_name"
    )


def _project_validate_and_save(project: Project) -> Project:
    project.name = project.name.strip()
    if not project.name:
        raise field_error("name", "A project needs a name.")
    if _project_name_taken(course=project.course, name=project.name, exclude_pk=project.pk):
        raise _name_taken_error(project.name)
    try:
        project.full_clean(exclude=["course"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise from_validation_error(exc) from exc
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError as exc:
        raise _name_taken_error(project.name) from exc
    return project


def _check_field_names(fields: Iterable[str]) -> None:
    unknown = sorted(set(fields) - set(PROJECT_EDITABLE_FIELDS))
    if unknown:
        raise TypeError(f"Not editable project fields: {unknown}")


def project_create(*, course: Course, name: str, **settings_fields: Any) -> Project:
    """Creates a project in `course`. `settings_fields` are any of PROJECT_SETTINGS_FIELDS;
    the rest keep the model's defaults."""
    _check_field_names(settings_fields)
    return _project_validate_and_save(Project(course=course, name=name, **settings_fields))


def project_update(*, project: Project, **changes: Any) -> Project:
    """Applies `changes` (any of PROJECT_EDITABLE_FIELDS) and validates the whole project, so a
    change to one field is checked against the others (e.g. min vs max group size)."""
    _check_field_names(changes)
    with transaction.atomic():
        locked = Project.objects.select_for_update().select_related("course").get(pk=project.pk)
        for field_name, value in changes.items():
            setattr(locked, field_name, value)
        return _project_validate_and_save(locked)


def project_delete(*, project: Project) -> None:
    """Deletes a project with its expected and instructor files. Refuses (409) while it has
    submissions: those are students' work, and losing them by accident can't be undone."""
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        count = locked.submissions.count()
        if count:
            raise ConflictError(
                f"{locked.name!r} has {count} submission(s); projects with submissions can't be "
                "deleted. Hide it from students instead.",
                code="project_has_submissions",
            )
        stored = list(locked.instructor_files.values_list("file_obj", flat=True))
        locked.delete()
        _delete_stored_on_commit(stored)


def _free_copy_name(*, course: Course, name: str) -> str:
    if not _project_name_taken(course=course, name=name):
        return name
    max_length = Project._meta.get_field("name").max_length or 255
    number = 1
    while True:
        suffix = " (copy)" if number == 1 else f" (copy {number})"
        candidate = name[: max_length - len(suffix)] + suffix
        if not _project_name_taken(course=course, name=candidate):
            return candidate
        number += 1


def project_copy(
    *, project: Project, target_course: Course, new_name: str | None = None
) -> Project:
    """Copies `project` with its settings, expected files and instructor files (bytes copied to
    new storage names) into `target_course`, which may be the project's own course; the apps
    above copy their parts (test suites, rubrics, ...) on `signals.project_copied`, in the same
    transaction.

    The copy starts hidden from students and with final-graded feedback hidden, as on
    autograder.io, so students of the target course never see a project before staff have
    checked it. Without `new_name` the copy keeps the name, or gets " (copy)", " (copy 2)", ...
    if the target already has it; a `new_name` that is taken is a 400 on `name`. Groups,
    submissions and results are never copied.
    """
    with transaction.atomic():
        name = (
            new_name
            if new_name is not None
            else _free_copy_name(course=target_course, name=project.name)
        )
        copy = Project(
            course=target_course,
            name=name,
            **{field_name: getattr(project, field_name) for field_name in PROJECT_SETTINGS_FIELDS},
        )
        copy.visible_to_students = False
        copy.hide_final_graded_feedback = True
        _project_validate_and_save(copy)

        ExpectedStudentFile.objects.bulk_create(
            ExpectedStudentFile(
                project=copy,
                pattern=expected.pattern,
                min_num_matches=expected.min_num_matches,
                max_num_matches=expected.max_num_matches,
            )
            for expected in project.expected_student_files.all()
        )

        written: list[str] = []
        try:
            for source in project.instructor_files.all():
                duplicate = InstructorFile(project=copy, name=source.name, size=source.size)
                with source.file_obj.open("rb") as source_bytes:
                    duplicate.file_obj.save(source.name, File(source_bytes), save=False)
                written.append(duplicate.file_obj.name)
                duplicate.save()
            signals.project_copied.send(sender=Project, source=project, copy=copy)
        except BaseException:
            _delete_stored(written)
            raise
    return copy


# --- Expected student files -----------------------------------------------------------------


def expected_file_pattern_problem(pattern: str) -> str | None:
    """Why `pattern` can't be an expected-file glob, or None. Patterns name files in one flat
    directory, so they follow the same rules as file names, and may not contain `..`."""
    if not pattern or not pattern.strip():
        return "The pattern may not be empty."
    if "/" in pattern or "\\" in pattern:
        return "Patterns match file names, not paths: no '/' or '\\'."
    if ".." in pattern:
        return "Patterns may not contain '..'."
    if any(unicodedata.category(ch) == "Cc" for ch in pattern):
        return "Patterns may not contain NUL or control characters."
    max_length = ExpectedStudentFile._meta.get_field("pattern").max_length or 255
    if len(pattern) > max_length:
        return f"Patterns may be at most {max_length} characters long."
    return None


def _expected_file_validate_and_save(expected: ExpectedStudentFile) -> ExpectedStudentFile:
    problem = expected_file_pattern_problem(expected.pattern)
    if problem:
        raise field_error("pattern", problem)
    if expected.max_num_matches < 1:
        raise field_error("max_num_matches", "The maximum number of matches must be at least 1.")
    if expected.min_num_matches > expected.max_num_matches:
        raise field_error(
            "min_num_matches", "The minimum may not exceed the maximum number of matches."
        )
    duplicate_error = field_error(
        "pattern",
        f"This project already expects files matching {expected.pattern!r}.",
        code="duplicate_pattern",
    )
    taken = ExpectedStudentFile.objects.filter(
        project_id=expected.project_id, pattern=expected.pattern
    ).exclude(pk=expected.pk)
    if taken.exists():
        raise duplicate_error
    try:
        with transaction.atomic():
            expected.save()
    except IntegrityError as exc:
        raise duplicate_error from exc
    return expected


def expected_file_create(
    *, project: Project, pattern: str, min_num_matches: int = 1, max_num_matches: int = 1
) -> ExpectedStudentFile:
    return _expected_file_validate_and_save(
        ExpectedStudentFile(
            project=project,
            pattern=pattern,
            min_num_matches=min_num_matches,
            max_num_matches=max_num_matches,
        )
    )


def expected_file_update(
    *,
    expected_file: ExpectedStudentFile,
    pattern: str | None = None,
    min_num_matches: int | None = None,
    max_num_matches: int | None = None,
) -> ExpectedStudentFile:
    """Changes the given fields (None leaves a field as it is)."""
    with transaction.atomic():
        locked = ExpectedStudentFile.objects.select_for_update().get(pk=expected_file.pk)
        if pattern is not None:
            locked.pattern = pattern
        if min_num_matches is not None:
            locked.min_num_matches = min_num_matches
        if max_num_matches is not None:
            locked.max_num_matches = max_num_matches
        return _expected_file_validate_and_save(locked)


def expected_file_delete(*, expected_file: ExpectedStudentFile) -> None:
    expected_file.delete()


# --- Instructor files -----------------------------------------------------------------------


def _delete_stored(names: Iterable[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def _delete_stored_on_commit(names: Iterable[str]) -> None:
    names = list(names)
    if names:
        transaction.on_commit(lambda: _delete_stored(names))


def _check_instructor_file_size(content: File[Any]) -> int:
    limit: int = settings.MAX_INSTRUCTOR_FILE_BYTES
    size = content.size
    if size > limit:
        message = (
            f"The file is {size} bytes; instructor files may be at most {limit} bytes "
            f"({limit / (1024 * 1024):.1f} MiB)."
        )
        raise ApplicationError(
            message, code="file_too_large", fields={"file": [message]}, status=413
        )
    return size


def _instructor_name_taken(*, project_id: int, name: str, exclude_pk: int | None = None) -> bool:
    taken = InstructorFile.objects.filter(project_id=project_id, name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    return taken.exists()


def _instructor_duplicate_error(name: str, *, field: str) -> ApplicationError:
    return field_error(
        field, f"This project already has an instructor file named {name!r}.", code="duplicate_name"
    )


def _save_with_new_bytes(
    instructor_file: InstructorFile, content: File[Any], *, field: str
) -> None:
    """Writes `content` under a fresh opaque storage name, then saves the row; if the save
    fails, the new bytes are deleted again."""
    instructor_file.file_obj.save(instructor_file.name, content, save=False)
    written = instructor_file.file_obj.name
    try:
        with transaction.atomic():
            instructor_file.save()
    except IntegrityError as exc:
        _delete_stored([written])
        raise _instructor_duplicate_error(instructor_file.name, field=field) from exc
    except BaseException:
        _delete_stored([written])
        raise


def instructor_file_create(*, project: Project, name: str, content: File[Any]) -> InstructorFile:
    """Stores an uploaded file under `name` (empty files are fine)."""
    check_filename(name, field="file")
    size = _check_instructor_file_size(content)
    if _instructor_name_taken(project_id=project.pk, name=name):
        raise _instructor_duplicate_error(name, field="file")
    instructor_file = InstructorFile(project=project, name=name, size=size)
    _save_with_new_bytes(instructor_file, content, field="file")
    return instructor_file


def instructor_file_rename(*, instructor_file: InstructorFile, name: str) -> InstructorFile:
    """Renames without moving bytes (storage names are opaque)."""
    check_filename(name, field="name")
    if _instructor_name_taken(
        project_id=instructor_file.project_id, name=name, exclude_pk=instructor_file.pk
    ):
        raise _instructor_duplicate_error(name, field="name")
    instructor_file.name = name
    try:
        with transaction.atomic():
            instructor_file.save(update_fields=["name", "last_modified"])
    except IntegrityError as exc:
        raise _instructor_duplicate_error(name, field="name") from exc
    return instructor_file


def instructor_file_replace(
    *, instructor_file: InstructorFile, content: File[Any]
) -> InstructorFile:
    """Replaces the bytes, keeping the name. The old bytes go once the new row is committed."""
    size = _check_instructor_file_size(content)
    with transaction.atomic():
        locked = InstructorFile.objects.select_for_update().get(pk=instructor_file.pk)
        old_name = locked.file_obj.name
        locked.size = size
        _save_with_new_bytes(locked, content, field="file")
        _delete_stored_on_commit([old_name])
    return locked


def instructor_file_delete(*, instructor_file: InstructorFile) -> None:
    with transaction.atomic():
        stored = instructor_file.file_obj.name
        instructor_file.delete()
        _delete_stored_on_commit([stored])
