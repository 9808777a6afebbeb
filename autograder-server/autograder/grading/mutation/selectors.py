"""Reads of mutation suites."""

from django.db.models import QuerySet

from autograder.common.errors import NotFoundError
from autograder.grading.mutation.models import MutationTestSuite
from autograder.grading.mutation.runner import ALL_VALID_TESTS
from autograder.projects.models import Project


def mutation_suites_of(*, project: Project) -> QuerySet[MutationTestSuite]:
    return MutationTestSuite.objects.filter(project=project).prefetch_related(
        "instructor_files_needed", "student_files_needed"
    )


def mutation_suite_get(*, suite_id: int) -> MutationTestSuite:
    found = (
        MutationTestSuite.objects.select_related("project__course")
        .prefetch_related("instructor_files_needed", "student_files_needed")
        .filter(pk=suite_id)
        .first()
    )
    if found is None:
        raise NotFoundError("No such mutation suite.")
    return found


def mutation_worst_case_s(*, project_id: int, deferred: bool) -> float:
    """The longest the project's (non-)deferred mutation suites can take for one submission:
    setup, test names, a validity check per test allowed and, per buggy implementation, a run
    per test allowed (one when the command runs every valid test at once)."""
    total = 0
    for suite in MutationTestSuite.objects.filter(project_id=project_id, deferred=deferred):
        tests = suite.max_num_student_tests
        per_bug = 1 if ALL_VALID_TESTS in suite.grade_buggy_impl_command else tests
        total += (
            (suite.setup_time_limit_s if suite.setup_command else 0)
            + suite.test_names_time_limit_s
            + tests * suite.validity_time_limit_s
            + len(suite.buggy_impl_names) * per_bug * suite.grade_time_limit_s
        )
    return float(total)
