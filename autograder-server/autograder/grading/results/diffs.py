"""Diffs of a command's expected and actual output, with its comparison options applied, as
staff and (where feedback allows) students see them."""

import bisect
import collections
import dataclasses
import difflib
from typing import Literal

from autograder.grading.config import value_checks
from autograder.grading.config.models import AGTestCommand, ExpectedOutputSource
from autograder.grading.config.scoring import DiffOptions, normalized_lines

DiffLine = tuple[Literal["-", "+", " "], str]
Stream = Literal["stdout", "stderr"]


def expected_output(*, command: AGTestCommand, stream: Stream, max_bytes: int) -> bytes | None:
    """The command's expected output for `stream` (at most `max_bytes`), or None when it
    doesn't check that stream or its expected-output file was deleted."""
    source = getattr(command, f"expected_{stream}_source")
    if source == ExpectedOutputSource.VALUES:
        try:
            spec = value_checks.spec_parse(getattr(command, f"expected_{stream}_text"))
        except value_checks.ValueSpecError:
            return None
        return value_checks.expected_lines(spec)[:max_bytes]
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
