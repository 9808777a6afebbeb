"""What a command's settings mean for its output: whether it is correct (compared with the
command's diff options) and how many points it earns; test cases floor at zero."""

import dataclasses
import re

from autograder.grading.config.models import AGTestCommand, ExpectedReturnCode

_WHITESPACE_RUN = re.compile(rb"[ \t\f\v\r]+")
_ALL_WHITESPACE = re.compile(rb"\s+")


@dataclasses.dataclass(frozen=True)
class DiffOptions:
    ignore_case: bool = False
    ignore_whitespace: bool = False
    ignore_whitespace_changes: bool = False
    ignore_blank_lines: bool = False

    @classmethod
    def of(cls, command: AGTestCommand) -> "DiffOptions":
        return cls(
            ignore_case=command.ignore_case,
            ignore_whitespace=command.ignore_whitespace,
            ignore_whitespace_changes=command.ignore_whitespace_changes,
            ignore_blank_lines=command.ignore_blank_lines,
        )


UNTERMINATED = b"\n"
"""Ends the key of a last line that lacks its newline. No line contains a newline, so such a
line equals only another unterminated line: without a whitespace option, `"a"` is not `"a\n"`."""


def normalized_lines(data: bytes, options: DiffOptions) -> list[bytes]:
    """Lines of `data` as the comparison sees them (the same rules GNU `diff` uses for its
    -i, -w, -b and -B flags).

    Output is compared exactly, so a missing final newline is a difference, as in `diff`;
    `ignore_whitespace` and `ignore_whitespace_changes` ignore it, as `diff -w` and `diff -b` do.
    """
    if options.ignore_case:
        data = data.lower()
    lines = data.split(b"\n")
    terminated = lines[-1] == b""
    if terminated:
        lines.pop()
    if options.ignore_whitespace:
        lines = [_ALL_WHITESPACE.sub(b"", line) for line in lines]
    elif options.ignore_whitespace_changes:
        lines = [_WHITESPACE_RUN.sub(b" ", line).rstrip(b" ") for line in lines]
    elif not terminated:
        lines[-1] += UNTERMINATED
    if options.ignore_blank_lines:
        lines = [line for line in lines if line]
    return lines


def output_matches(expected: bytes, actual: bytes, options: DiffOptions) -> bool:
    if expected == actual:
        return True
    return normalized_lines(expected, options) == normalized_lines(actual, options)


def return_code_correct(expected: str, return_code: int | None, timed_out: bool) -> bool | None:
    """`return_code` is None when the program did not exit (a signal or the memory limit ended
    it): it did not succeed, so it counts as nonzero, as autograder.io's negative codes do."""
    if expected == ExpectedReturnCode.NONE:
        return None
    if timed_out:
        return False
    return (return_code == 0) == (expected == ExpectedReturnCode.ZERO)


@dataclasses.dataclass(frozen=True)
class CommandScore:
    awarded: int
    possible: int


def command_score(
    command: AGTestCommand,
    *,
    return_code_ok: bool | None,
    stdout_ok: bool | None,
    stderr_ok: bool | None,
) -> CommandScore:
    """Points for correct parts minus deductions for wrong ones (may be negative here; the
    test case total is floored at zero by `case_points`)."""
    awarded = 0
    for ok, points, deduction in (
        (
            return_code_ok,
            command.points_for_correct_return_code,
            command.deduction_for_wrong_return_code,
        ),
        (stdout_ok, command.points_for_correct_stdout, command.deduction_for_wrong_stdout),
        (stderr_ok, command.points_for_correct_stderr, command.deduction_for_wrong_stderr),
    ):
        if ok is True:
            awarded += points
        elif ok is False:
            awarded -= deduction
    return CommandScore(awarded=awarded, possible=command.points_possible)


def case_points(command_points: list[int]) -> int:
    """A test case never goes below zero."""
    return max(0, sum(command_points))
