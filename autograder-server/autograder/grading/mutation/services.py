"""Writes of mutation test suites: create, update, delete, reorder, copy to another project."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from autograder.common.errors import ApplicationError, field_error, from_validation_error
from autograder.grading.config.services.suites import check_sandbox_image
from autograder.grading.mutation.models import MAX_BUGGY_IMPLS, MutationTestSuite
from autograder.grading.mutation.runner import ALL_VALID_TESTS, BUGGY_IMPL, TEST_NAME
from autograder.grading.mutation.settings import normalize_mutation_feedback
from autograder.images import services as image_services
from autograder.projects.models import ExpectedStudentFile, InstructorFile, Project

MUTATION_FIELDS = (
    "name",
    "sandbox_image",
    "instructor_files_needed",
    "student_files_needed",
    "buggy_impl_names",
    "setup_command",
    "setup_time_limit_s",
    "get_student_test_names_command",
    "test_names_time_limit_s",
    "test_name_whitespace_handling",
    "max_num_student_tests",
    "validity_check_command",
    "validity_time_limit_s",
    "grade_buggy_impl_command",
    "grade_time_limit_s",
    "points_per_exposed_bug",
    "max_points",
    "allow_network",
    "deferred",
    "feedback",
)
M2M_FIELDS = ("instructor_files_needed", "student_files_needed")


def _duplicate(name: str) -> ApplicationError:
    return field_error(
        "name",
        f"This project already has a mutation suite named {name!r}.",
        code="duplicate_name",
    )


def _check_buggy_names(names: Any) -> list[str]:
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise field_error("buggy_impl_names", "Expected a list of names.")
    cleaned = [n.strip() for n in names]
    if any(not n for n in cleaned):
        raise field_error("buggy_impl_names", "Buggy implementation names may not be blank.")
    if len(set(cleaned)) != len(cleaned):
        raise field_error("buggy_impl_names", "Each buggy implementation name must be unique.")
    if len(cleaned) > MAX_BUGGY_IMPLS:
        raise field_error(
            "buggy_impl_names", f"A suite may name at most {MAX_BUGGY_IMPLS} buggy implementations."
        )
    return cleaned


def _check_commands(suite: MutationTestSuite) -> None:
    if TEST_NAME not in suite.validity_check_command:
        raise field_error(
            "validity_check_command",
            f"The validity check runs one test at a time: it must contain {TEST_NAME}.",
        )
    grade = suite.grade_buggy_impl_command
    if BUGGY_IMPL not in grade:
        raise field_error("grade_buggy_impl_command", f"It must contain {BUGGY_IMPL}.")
    if (TEST_NAME in grade) == (ALL_VALID_TESTS in grade):
        raise field_error(
            "grade_buggy_impl_command",
            f"It must contain either {TEST_NAME} (one run per test) or {ALL_VALID_TESTS} "
            "(one run with every valid test), not both or neither.",
        )
    if not suite.get_student_test_names_command.strip():
        raise field_error("get_student_test_names_command", "A command is required.")


def _check_files(project: Project, data: dict[str, Any]) -> None:
    for field in M2M_FIELDS:
        files: list[Any] = data.get(field) or []
        foreign = sorted(f.pk for f in files if f.project_id != project.pk)
        if foreign:
            raise field_error(
                field,
                f"Files must belong to this project; these don't: {', '.join(map(str, foreign))}.",
                code="file_of_other_project",
            )


def _validate_and_save(suite: MutationTestSuite) -> None:
    suite.name = suite.name.strip()
    if not suite.name:
        raise field_error("name", "A mutation suite needs a name.")
    suite.buggy_impl_names = _check_buggy_names(suite.buggy_impl_names)
    _check_commands(suite)
    # The same images as the course's other suites: the site's and the course's own.
    check_sandbox_image(suite.sandbox_image, course_id=suite.project.course_id)
    try:
        suite.full_clean(
            exclude=["project", *M2M_FIELDS], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        raise from_validation_error(exc) from exc
    try:
        with transaction.atomic():
            suite.save()
    except IntegrityError as exc:
        raise _duplicate(suite.name) from exc


def _apply(suite: MutationTestSuite, data: dict[str, Any]) -> None:
    for field, value in data.items():
        if field in M2M_FIELDS:
            continue
        if field == "feedback":
            value = normalize_mutation_feedback(value, suite.feedback)
        setattr(suite, field, value)


def _set_m2m(suite: MutationTestSuite, data: dict[str, Any]) -> None:
    for field in M2M_FIELDS:
        if field in data:
            getattr(suite, field).set(data[field])


def mutation_suite_create(*, project: Project, **data: Any) -> MutationTestSuite:
    unknown = set(data) - set(MUTATION_FIELDS)
    if unknown:
        raise TypeError(f"Not editable mutation suite fields: {sorted(unknown)}")
    with transaction.atomic():
        Project.objects.select_for_update().get(pk=project.pk)
        _check_files(project, data)
        suite = MutationTestSuite(project=project)
        suite.feedback = normalize_mutation_feedback({})
        _apply(suite, data)
        last = (
            MutationTestSuite.objects.filter(project=project)
            .order_by("-order")
            .values_list("order", flat=True)
            .first()
        )
        suite.order = 0 if last is None else last + 1
        _validate_and_save(suite)
        _set_m2m(suite, data)
    return suite


def mutation_suite_update(*, suite: MutationTestSuite, **data: Any) -> MutationTestSuite:
    unknown = set(data) - set(MUTATION_FIELDS)
    if unknown:
        raise TypeError(f"Not editable mutation suite fields: {sorted(unknown)}")
    with transaction.atomic():
        suite = MutationTestSuite.objects.select_for_update().get(pk=suite.pk)
        _check_files(suite.project, data)
        _apply(suite, data)
        _validate_and_save(suite)
        _set_m2m(suite, data)
    return suite


def mutation_suite_delete(*, suite: MutationTestSuite) -> None:
    """Deletes the suite; stored results stay (marked deleted) and stop counting."""
    suite.delete()


def mutation_suite_reorder(*, project: Project, ids: list[int]) -> list[int]:
    with transaction.atomic():
        rows = list(MutationTestSuite.objects.select_for_update().filter(project=project))
        if sorted(ids) != sorted(r.pk for r in rows) or len(set(ids)) != len(ids):
            raise field_error(
                "ids",
                f"List each of the {len(rows)} mutation suites of this project exactly once.",
                code="wrong_ids",
            )
        position = {pk: index for index, pk in enumerate(ids)}
        for row in rows:
            row.order = position[row.pk]
        MutationTestSuite.objects.bulk_update(rows, ["order"])
    return ids


def copy_mutation_suites(src_project: Project, dst_project: Project) -> list[MutationTestSuite]:
    """Copies every mutation suite of `src_project` into `dst_project` (course or project copy).

    Instructor files and expected student files are matched by name (the project copy copies
    those first); a file the destination lacks is left out. A suite whose name the destination
    already uses is skipped, so copying twice adds nothing.
    """
    instructor = {f.name: f for f in InstructorFile.objects.filter(project=dst_project)}
    expected = {f.pattern: f for f in ExpectedStudentFile.objects.filter(project=dst_project)}
    taken = set(
        MutationTestSuite.objects.filter(project=dst_project).values_list("name", flat=True)
    )
    copies = []
    with transaction.atomic():
        for source in MutationTestSuite.objects.filter(project=src_project).prefetch_related(
            *M2M_FIELDS
        ):
            if source.name in taken:
                continue
            copy = MutationTestSuite(project=dst_project)
            for field in MUTATION_FIELDS:
                if field not in M2M_FIELDS:
                    setattr(copy, field, getattr(source, field))
            copy.order = source.order
            if copy.sandbox_image:
                # A course's own image goes along to another course (a copy of it there).
                copy.sandbox_image = image_services.image_reference_for_course(
                    reference=copy.sandbox_image, course=dst_project.course
                )
            copy.save()
            copy.instructor_files_needed.set(
                [
                    instructor[f.name]
                    for f in source.instructor_files_needed.all()
                    if f.name in instructor
                ]
            )
            copy.student_files_needed.set(
                [
                    expected[e.pattern]
                    for e in source.student_files_needed.all()
                    if e.pattern in expected
                ]
            )
            copies.append(copy)
    return copies
