"""Reads of mutation suites."""

from django.db.models import QuerySet

from autograder.common.errors import NotFoundError
from autograder.grading.mutation.models import MutationTestSuite
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
