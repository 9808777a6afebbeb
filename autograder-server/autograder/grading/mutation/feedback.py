"""What a feedback category shows of a submission's mutation suite results.

The results endpoint (`grading.results.feedback.submission_feedback`) includes these beside
the other suites; which category a viewer gets is decided there, by `feedback_category_for`.
Students never see the names of buggy implementations unless the category's
`bugs_exposed_feedback` allows it, and never the instructor files.
"""

import dataclasses
from decimal import Decimal

from autograder.grading.config.feedback_settings import FeedbackCategory
from autograder.grading.mutation.models import MutationSuiteResult
from autograder.grading.mutation.settings import DEFAULTS, BugsExposedFeedback, MutationFeedback


@dataclasses.dataclass(frozen=True)
class MutationSuiteFeedbackOutput:
    """One mutation suite's result as a category shows it; a hidden value is None."""

    id: int
    mutation_suite: int | None
    name: str
    config_deleted: bool
    error_message: str
    setup_return_code: int | None
    setup_timed_out: bool | None
    setup_stdout: str | None
    setup_stderr: str | None
    test_names_return_code: int | None
    test_names_timed_out: bool | None
    test_names_stdout: str | None
    test_names_stderr: str | None
    student_tests: list[str]
    discarded_tests: list[str]
    invalid_tests: list[str] | None
    timed_out_tests: list[str] | None
    validity_check_stdout: str | None
    validity_check_stderr: str | None
    grade_buggy_impls_stdout: str | None
    grade_buggy_impls_stderr: str | None
    num_bugs_exposed: int | None
    bugs_exposed: list[str] | None
    all_bug_names: list[str] | None
    """Every buggy implementation's name (only at the all_bug_names level)."""
    points_awarded: Decimal | None
    points_possible: Decimal | None


def _settings(result: MutationSuiteResult, category: FeedbackCategory) -> MutationFeedback | None:
    if result.suite is None:
        staff = category == FeedbackCategory.STAFF_VIEWER
        return DEFAULTS[FeedbackCategory.STAFF_VIEWER] if staff else None
    settings = result.suite.feedback_settings()[category]
    return settings if settings.visible else None


def _text(show: bool, data: bytes | memoryview) -> str | None:
    return bytes(data).decode("utf-8", "replace") if show else None


def _output(result: MutationSuiteResult, s: MutationFeedback) -> MutationSuiteFeedbackOutput:
    level = s.bugs_exposed_feedback
    rank = list(BugsExposedFeedback).index
    suite = result.suite
    return MutationSuiteFeedbackOutput(
        id=result.pk,
        mutation_suite=result.suite_id,
        name=result.suite_name,
        config_deleted=suite is None,
        error_message=result.error_message,
        setup_return_code=result.setup_return_code if s.show_setup_return_code else None,
        setup_timed_out=result.setup_timed_out if s.show_setup_return_code else None,
        setup_stdout=_text(s.show_setup_stdout, result.setup_stdout),
        setup_stderr=_text(s.show_setup_stderr, result.setup_stderr),
        test_names_return_code=(
            result.test_names_return_code if s.show_get_test_names_return_code else None
        ),
        test_names_timed_out=(
            result.test_names_timed_out if s.show_get_test_names_return_code else None
        ),
        test_names_stdout=_text(s.show_get_test_names_stdout, result.test_names_stdout),
        test_names_stderr=_text(s.show_get_test_names_stderr, result.test_names_stderr),
        student_tests=list(result.student_tests),
        discarded_tests=list(result.discarded_tests),
        invalid_tests=list(result.invalid_tests) if s.show_invalid_test_names else None,
        timed_out_tests=list(result.timed_out_tests) if s.show_invalid_test_names else None,
        validity_check_stdout=_text(s.show_validity_check_stdout, result.validity_check_stdout),
        validity_check_stderr=_text(s.show_validity_check_stderr, result.validity_check_stderr),
        grade_buggy_impls_stdout=_text(
            s.show_grade_buggy_impls_stdout, result.grade_buggy_impls_stdout
        ),
        grade_buggy_impls_stderr=_text(
            s.show_grade_buggy_impls_stderr, result.grade_buggy_impls_stderr
        ),
        num_bugs_exposed=(
            len(result.bugs_exposed)
            if rank(level) >= rank(BugsExposedFeedback.NUM_BUGS_EXPOSED)
            else None
        ),
        bugs_exposed=(
            list(result.bugs_exposed)
            if rank(level) >= rank(BugsExposedFeedback.EXPOSED_BUG_NAMES)
            else None
        ),
        all_bug_names=(
            list(suite.buggy_impl_names)
            if suite is not None and level == BugsExposedFeedback.ALL_BUG_NAMES
            else None
        ),
        points_awarded=result.points_awarded if s.show_points else None,
        points_possible=result.points_possible if s.show_points else None,
    )


def mutation_results_of(*, submission_id: int) -> list[MutationSuiteResult]:
    results = MutationSuiteResult.objects.filter(submission_id=submission_id).select_related(
        "suite"
    )
    return sorted(
        results,
        key=lambda r: (1, 0, r.pk) if r.suite is None else (0, r.suite.order, r.suite.pk),
    )


def mutation_feedback_of(
    *, submission_id: int, category: FeedbackCategory
) -> list[MutationSuiteFeedbackOutput]:
    """The submission's mutation results `category` shows, in suite order."""
    shown = []
    for result in mutation_results_of(submission_id=submission_id):
        settings = _settings(result, category)
        if settings is not None:
            shown.append(_output(result, settings))
    return shown


def mutation_points_shown(outputs: list[MutationSuiteFeedbackOutput]) -> tuple[Decimal, Decimal]:
    """Points of the shown results whose suite still exists (as other suites count)."""
    counted = [o for o in outputs if not o.config_deleted and o.points_awarded is not None]
    return (
        sum((o.points_awarded or Decimal(0) for o in counted), Decimal(0)),
        sum((o.points_possible or Decimal(0) for o in counted), Decimal(0)),
    )
