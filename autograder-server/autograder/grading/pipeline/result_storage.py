"""Storing a suite's results: all of them or none, replacing what an earlier run stored."""

from django.db import transaction
from django.utils import timezone

from autograder.grading.config.models import AGTestCase, AGTestSuite
from autograder.grading.pipeline.suite_runner import SuiteRun
from autograder.grading.results.models import (
    AGTestCaseResult,
    AGTestCommandResult,
    AGTestSuiteResult,
)
from autograder.grading.results.output_storage import output_files_delete, output_files_of

_SETUP_FIELDS = [
    "suite_name",
    "image",
    "image_digest",
    "setup_return_code",
    "setup_timed_out",
    "error_message",
    "started_at",
    "finished_at",
] + [
    f"setup_{stream}{suffix}"
    for stream in ("stdout", "stderr")
    for suffix in ("", "_path", "_size", "_truncated")
]


def _old_output_files(case_results: list[AGTestCaseResult]) -> list[str]:
    commands = list(AGTestCommandResult.objects.filter(case_result__in=case_results))
    return output_files_of(list(commands), ("stdout", "stderr"))


def suite_results_store(*, run: SuiteRun) -> AGTestSuiteResult:
    """Replaces the stored results of `run.suite` for its submission with `run` in one
    transaction, so readers see the old results or the new ones, never a mix. A partial rerun
    (`run.only_cases`) replaces just those test cases' results."""
    now = timezone.now()
    new = run.result
    new.finished_at = now
    with transaction.atomic():
        suite_exists = AGTestSuite.objects.select_for_update().filter(pk=run.suite.pk).exists()
        if not suite_exists:
            new.suite = None
            new.error_message = "This suite was deleted while the submission was being graded."
            run.cases = []
        existing = (
            AGTestSuiteResult.objects.select_for_update()
            .filter(submission_id=new.submission_id, suite_id=run.suite.pk)
            .first()
            if suite_exists
            else None
        )
        stale_files: list[str] = []
        if existing is not None and run.only_cases is not None:
            replaced = list(existing.case_results.filter(case_id__in=run.only_cases))
            stale_files = _old_output_files(replaced) + output_files_of(
                [existing], ("setup_stdout", "setup_stderr")
            )
            AGTestCaseResult.objects.filter(pk__in=[c.pk for c in replaced]).delete()
            for field in _SETUP_FIELDS:
                setattr(existing, field, getattr(new, field))
            existing.save(update_fields=_SETUP_FIELDS)
            target = existing
        else:
            if existing is not None:
                stale_files = _old_output_files(list(existing.case_results.all()))
                stale_files += output_files_of([existing], ("setup_stdout", "setup_stderr"))
                existing.delete()
            new.save()
            target = new
        # Two INSERTs for the whole suite (PostgreSQL returns the case results' ids).
        for case_run in run.cases:
            case_run.result.suite_result = target
        AGTestCaseResult.objects.bulk_create([case_run.result for case_run in run.cases])
        for case_run in run.cases:
            for command_result in case_run.commands:
                command_result.case_result = case_run.result
        AGTestCommandResult.objects.bulk_create(
            [command for case_run in run.cases for command in case_run.commands]
        )
        transaction.on_commit(lambda: output_files_delete(stale_files))
    return target


def suite_error_store(
    *,
    submission_id: int,
    suite: AGTestSuite,
    message: str,
    image: str = "",
    image_digest: str = "",
) -> AGTestSuiteResult:
    """Records that a suite could not be graded (its earlier results, if any, are replaced).
    Its commands get zero-point results, so the points they were worth still count as
    possible and totals don't look better than they are. `image` and `image_digest` keep the
    image a rerun on the original image asked for and couldn't get, so a later one can ask
    again."""
    with transaction.atomic():
        AGTestSuiteResult.objects.filter(submission_id=submission_id, suite=suite).delete()
        suite_exists = AGTestSuite.objects.filter(pk=suite.pk).exists()
        result = AGTestSuiteResult.objects.create(
            submission_id=submission_id,
            suite=suite if suite_exists else None,
            suite_name=suite.name,
            error_message=message,
            image=image,
            image_digest=image_digest,
            finished_at=timezone.now(),
        )
        if not suite_exists:
            return result
        for case in AGTestCase.objects.filter(suite=suite).prefetch_related("commands"):
            case_result = AGTestCaseResult.objects.create(
                suite_result=result, case=case, case_name=case.name
            )
            AGTestCommandResult.objects.bulk_create(
                AGTestCommandResult(
                    case_result=case_result,
                    command=command,
                    command_name=command.name,
                    points_awarded=0,
                    points_possible=command.points_possible,
                    error_message=f"Not run: {message}",
                )
                for command in case.commands.all()
            )
        return result
