"""Reads of stored results: a submission's result tree, single results with what their
permission checks need, scores from the stored points, and diffs of expected and actual output.

A result counts towards scores only while its configuration exists: deleting a suite, test
case or command takes its points out of totals and the gradebook (staff still see the stored
result, marked as deleted).
"""

import bisect
import collections
import dataclasses
import difflib
from collections.abc import Collection
from typing import Literal

from django.db import models
from django.db.models import OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest

from autograder.common.errors import NotFoundError
from autograder.grading.models import (
    AGTestCase,
    AGTestCaseResult,
    AGTestCommand,
    AGTestCommandResult,
    AGTestSuite,
    AGTestSuiteResult,
    ExpectedOutputSource,
)
from autograder.grading.scoring import DiffOptions, normalized_lines

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
    awarded: int = 0
    possible: int = 0


@dataclasses.dataclass
class SubmissionScore:
    awarded: int = 0
    possible: int = 0
    suites: dict[int, Score] = dataclasses.field(default_factory=dict)
    """Suite id → that suite's score (suites without results are absent)."""


def submission_scores(*, submission_ids: Collection[int]) -> dict[int, SubmissionScore]:
    """Scores of every submission in `submission_ids` (0 of 0 without results), from the
    stored points, each test case floored at zero. One query however many submissions."""
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
        .annotate(suite_awarded=Sum("case_awarded"), suite_possible=Sum("case_possible"))
    )
    scores = {submission_id: SubmissionScore() for submission_id in submission_ids}
    for submission_id, suite_id, suite_awarded, suite_possible in rows:
        score = scores[submission_id]
        score.suites[suite_id] = Score(awarded=suite_awarded, possible=suite_possible)
        score.awarded += suite_awarded
        score.possible += suite_possible
    return scores


# --- Diffs -----------------------------------------------------------------------------------

DiffLine = tuple[Literal["-", "+", " "], str]
Stream = Literal["stdout", "stderr"]


def expected_output(*, command: AGTestCommand, stream: Stream, max_bytes: int) -> bytes | None:
    """The command's expected output for `stream` (at most `max_bytes`), or None when it
    doesn't check that stream or its expected-output file was deleted."""
    source = getattr(command, f"expected_{stream}_source")
    if source == ExpectedOutputSource.TEXT:
        text: str = getattr(command, f"expected_{stream}_text")
        return text.encode()[:max_bytes]
    if source == ExpectedOutputSource.INSTRUCTOR_FILE:
        instructor_file = getattr(command, f"expected_{stream}_instructor_file")
        if instructor_file is None:
            return None
        try:
            with instructor_file.file_obj.open("rb") as f:
                data: bytes = f.read(max_bytes)
        except FileNotFoundError:
            return None
        return data
    return None


def _lines(data: bytes) -> list[bytes]:
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def _keyed(data: bytes, options: DiffOptions) -> list[tuple[bytes, str]]:
    """(comparison key, text shown) per line; with ignore_blank_lines, blank lines are left out
    (as the comparison leaves them out)."""
    per_line = dataclasses.replace(options, ignore_blank_lines=False)
    keyed = []
    lines = _lines(data)
    for index, line in enumerate(lines):
        terminated = index < len(lines) - 1 or data.endswith(b"\n")
        normalized = normalized_lines(line + b"\n" if terminated else line, per_line)
        key = normalized[0] if normalized else b""
        if options.ignore_blank_lines and not key:
            continue
        keyed.append((key, line.decode("utf-8", errors="replace")))
    return keyed


_EXACT_DIFF_BUDGET = 1_000_000
"""Ranges up to this many (expected lines times actual lines) get difflib's exact matching (which
is quadratic or worse); larger ones are split at lines unique to both sides first."""

_Opcode = tuple[str, int, int, int, int]


def _matching_blocks(a: list[bytes], b: list[bytes]) -> list[_Opcode]:
    """Opcodes (as difflib's) for a[...] vs b[...], fast on large inputs: common ends are
    trimmed, small ranges matched exactly, large ones anchored on lines that occur once on
    each side (patience diff); a large range without such lines is shown as replaced."""
    ops: list[_Opcode] = []
    _diff_range(a, b, 0, len(a), 0, len(b), ops)
    return ops


def _diff_range(
    a: list[bytes], b: list[bytes], alo: int, ahi: int, blo: int, bhi: int, ops: list[_Opcode]
) -> None:
    start = alo
    while alo < ahi and blo < bhi and a[alo] == b[blo]:
        alo, blo = alo + 1, blo + 1
    if alo > start:
        ops.append(("equal", start, alo, blo - (alo - start), blo))
    end_a, end_b = ahi, bhi
    while ahi > alo and bhi > blo and a[ahi - 1] == b[bhi - 1]:
        ahi, bhi = ahi - 1, bhi - 1
    _diff_middle(a, b, alo, ahi, blo, bhi, ops)
    if ahi < end_a:
        ops.append(("equal", ahi, end_a, bhi, end_b))


def _diff_middle(
    a: list[bytes], b: list[bytes], alo: int, ahi: int, blo: int, bhi: int, ops: list[_Opcode]
) -> None:
    if alo == ahi or blo == bhi:
        if alo < ahi or blo < bhi:
            ops.append(("replace", alo, ahi, blo, bhi))
        return
    if (ahi - alo) * (bhi - blo) <= _EXACT_DIFF_BUDGET:
        matcher = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            ops.append((tag, alo + i1, alo + i2, blo + j1, blo + j2))
        return
    anchors = _unique_anchors(a, b, alo, ahi, blo, bhi)
    if not anchors:
        ops.append(("replace", alo, ahi, blo, bhi))
        return
    for i, j in anchors:
        _diff_range(a, b, alo, i, blo, j, ops)
        ops.append(("equal", i, i + 1, j, j + 1))
        alo, blo = i + 1, j + 1
    _diff_range(a, b, alo, ahi, blo, bhi, ops)


def _unique_anchors(
    a: list[bytes], b: list[bytes], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Lines occurring exactly once in each range, paired, longest increasing run kept."""
    in_a = collections.Counter(a[alo:ahi])
    in_b = collections.Counter(b[blo:bhi])
    where_b = {b[j]: j for j in range(blo, bhi) if in_b[b[j]] == 1 and in_a[b[j]] == 1}
    pairs = [(i, where_b[a[i]]) for i in range(alo, ahi) if a[i] in where_b and in_a[a[i]] == 1]
    # Longest increasing subsequence of the b positions (patience sorting).
    tails: list[int] = []
    tail_at: list[int] = []
    previous: list[int] = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        slot = bisect.bisect_left(tails, j)
        if slot == len(tails):
            tails.append(j)
            tail_at.append(index)
        else:
            tails[slot] = j
            tail_at[slot] = index
        previous[index] = tail_at[slot - 1] if slot > 0 else -1
    chain = []
    index = tail_at[-1] if tail_at else -1
    while index != -1:
        chain.append(pairs[index])
        index = previous[index]
    return chain[::-1]


def output_diff(*, expected: bytes, actual: bytes, options: DiffOptions) -> list[DiffLine]:
    """Expected vs actual, line by line: "-" only expected, "+" only actual, " " both (shown as
    the actual line). Lines match when the comparison would treat them as equal."""
    exp = _keyed(expected, options)
    act = _keyed(actual, options)
    diff: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in _matching_blocks([k for k, _ in exp], [k for k, _ in act]):
        if tag == "equal":
            diff.extend((" ", text) for _, text in act[j1:j2])
            continue
        diff.extend(("-", text) for _, text in exp[i1:i2])
        diff.extend(("+", text) for _, text in act[j1:j2])
    return diff
