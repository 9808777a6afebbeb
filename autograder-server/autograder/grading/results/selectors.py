"""Reads of stored results: a submission's result tree, single results with what their
permission checks need, scores from the stored points, (diffs are in `diffs.py`).

A result counts towards scores only while its configuration exists: deleting a suite, test
case or command takes its points out of totals and the gradebook (staff still see the stored
result, marked as deleted).
"""

import dataclasses
from collections.abc import Collection
from decimal import Decimal

from django.db import models
from django.db.models import OuterRef, Prefetch, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce, Greatest

from autograder.common.errors import NotFoundError
from autograder.grading.config.models import (
    AGTestCase,
    AGTestCommand,
    AGTestSuite,
)
from autograder.grading.mutation.models import MutationSuiteResult
from autograder.grading.results.models import (
    AGTestCaseResult,
    AGTestCommandResult,
    AGTestSuiteResult,
)

_BIG_CONFIG_TEXT = ("expected_stdout_text", "expected_stderr_text", "stdin_text", "cmd")
_SUBMISSION_PATH = "submission__group__project__course"


# --- The result tree -------------------------------------------------------------------------


def _config_order(
    result: models.Model, config: AGTestSuite | AGTestCase | AGTestCommand | None
) -> tuple[int, int, int, int]:
    """Current configuration order first; results whose configuration is gone go last."""
    if config is None:
        return (1, 0, 0, result.pk)
    return (0, config.order, config.pk, result.pk)


def suite_results_of(*, submission_id: int) -> list[AGTestSuiteResult]:
    """The submission's suite results with their test case and command results prefetched
    (output bytes and large configuration text left out), in configuration order."""
    commands = AGTestCommandResult.objects.select_related("command").defer(
        "stdout", "stderr", *(f"command__{name}" for name in _BIG_CONFIG_TEXT)
    )
    cases = AGTestCaseResult.objects.select_related("case").prefetch_related(
        Prefetch("command_results", queryset=commands)
    )
    suites = (
        AGTestSuiteResult.objects.filter(submission_id=submission_id)
        .select_related("suite")
        .defer("setup_stdout", "setup_stderr", "suite__setup_command")
        .prefetch_related(Prefetch("case_results", queryset=cases))
    )
    return sorted(suites, key=lambda r: _config_order(r, r.suite))


def ordered_cases(suite_result: AGTestSuiteResult) -> list[AGTestCaseResult]:
    return sorted(suite_result.case_results.all(), key=lambda r: _config_order(r, r.case))


def ordered_commands(case_result: AGTestCaseResult) -> list[AGTestCommandResult]:
    return sorted(case_result.command_results.all(), key=lambda r: _config_order(r, r.command))


def command_result_get(*, command_result_id: int) -> AGTestCommandResult:
    found = (
        AGTestCommandResult.objects.select_related(
            f"case_result__suite_result__{_SUBMISSION_PATH}", "command"
        )
        .filter(pk=command_result_id)
        .first()
    )
    if found is None:
        raise NotFoundError("No such command result.")
    return found


def suite_result_get(*, suite_result_id: int) -> AGTestSuiteResult:
    found = (
        AGTestSuiteResult.objects.select_related(_SUBMISSION_PATH, "suite")
        .filter(pk=suite_result_id)
        .first()
    )
    if found is None:
        raise NotFoundError("No such suite result.")
    return found


# --- Scores ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Score:
    awarded: Decimal = Decimal(0)
    possible: Decimal = Decimal(0)


@dataclasses.dataclass
class SubmissionScore:
    """Decimal totals: a mutation suite's points may be fractional."""

    awarded: Decimal = Decimal(0)
    possible: Decimal = Decimal(0)
    suites: dict[int, Score] = dataclasses.field(default_factory=dict)
    """Suite id → that suite's score (suites without results are absent)."""
    mutation_suites: dict[int, Score] = dataclasses.field(default_factory=dict)
    """Mutation suite id → its score (as `suites`; counted in the totals too)."""


_POINTS: "models.DecimalField[Decimal, Decimal]" = models.DecimalField(
    max_digits=14, decimal_places=2
)


def submission_scores(*, submission_ids: Collection[int]) -> dict[int, SubmissionScore]:
    """Scores of every submission in `submission_ids` (0 of 0 without results), from the
    stored points, each test case floored at zero, mutation suites included. One query
    however many submissions."""
    live_commands = (
        AGTestCommandResult.objects.filter(case_result=OuterRef("pk"), command__isnull=False)
        .order_by()
        .values("case_result")
    )
    awarded = Subquery(live_commands.annotate(total=Sum("points_awarded")).values("total"))
    possible = Subquery(live_commands.annotate(total=Sum("points_possible")).values("total"))
    rows = (
        AGTestCaseResult.objects.filter(
            suite_result__submission_id__in=list(submission_ids),
            suite_result__suite__isnull=False,
            case__isnull=False,
        )
        .annotate(
            case_awarded=Greatest(Coalesce(awarded, 0), 0),
            case_possible=Coalesce(possible, 0),
        )
        .order_by()
        .values_list("suite_result__submission_id", "suite_result__suite_id")
        .annotate(
            # Decimal as the mutation rows' points, so the union keeps their fractions.
            suite_awarded=Cast(Sum("case_awarded"), _POINTS),
            suite_possible=Cast(Sum("case_possible"), _POINTS),
            mutation=Value(False),
        )
    )
    # No ORDER BY in either part: SQLite (the quickstart's database) refuses one in a UNION's
    # parts, and the model's default ordering would add it.
    mutation_rows = (
        MutationSuiteResult.objects.filter(
            submission_id__in=list(submission_ids), suite__isnull=False
        )
        .order_by()
        .values_list("submission_id", "suite_id", "points_awarded", "points_possible", Value(True))
    )
    scores = {submission_id: SubmissionScore() for submission_id in submission_ids}
    for submission_id, suite_id, suite_awarded, suite_possible, mutation in rows.union(
        mutation_rows, all=True
    ):
        score = scores[submission_id]
        by_suite = score.mutation_suites if mutation else score.suites
        suite_score = Score(awarded=Decimal(suite_awarded), possible=Decimal(suite_possible))
        by_suite[suite_id] = suite_score
        score.awarded += suite_score.awarded
        score.possible += suite_score.possible
    return scores
