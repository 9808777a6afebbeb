"""Storing a mutation suite's result: all of it or none, replacing an earlier run's."""

from django.db import transaction
from django.utils import timezone

from autograder.grading.mutation.models import MutationSuiteResult, MutationTestSuite
from autograder.grading.mutation.runner import MutationRun


def mutation_result_store(*, run: MutationRun) -> MutationSuiteResult:
    """Replaces the submission's stored result of `run.suite` in one transaction."""
    new = run.result
    new.finished_at = timezone.now()
    with transaction.atomic():
        exists = MutationTestSuite.objects.select_for_update().filter(pk=run.suite.pk).exists()
        if not exists:
            new.suite = None
            new.error_message = "This suite was deleted while the submission was being graded."
        else:
            MutationSuiteResult.objects.filter(
                submission_id=new.submission_id, suite_id=run.suite.pk
            ).delete()
        new.save()
    return new


def mutation_error_store(
    *, submission_id: int, suite: MutationTestSuite, message: str
) -> MutationSuiteResult:
    """Records that the suite could not be graded: no points of its points possible."""
    with transaction.atomic():
        MutationSuiteResult.objects.filter(submission_id=submission_id, suite=suite).delete()
        exists = MutationTestSuite.objects.filter(pk=suite.pk).exists()
        return MutationSuiteResult.objects.create(
            submission_id=submission_id,
            suite=suite if exists else None,
            suite_name=suite.name,
            points_possible=suite.points_possible,
            error_message=message,
            finished_at=timezone.now(),
        )
