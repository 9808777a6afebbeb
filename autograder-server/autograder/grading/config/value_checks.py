"""Returned-value checks: a command whose expected stdout source is `values` prints one line
per program it called (the JSON of what that program returned, or a line starting with `!`
when it failed), and the grader, outside the sandbox, compares each line with the expected
value kept in the command's `expected_stdout_text`.

The expected values never enter the sandbox, so the code under test cannot read them (it runs
in the same sandbox as the harness that calls it). The spec is a JSON object:

    {"expected": <JSON value>, "lines": <how many programs>, "pass": "any" | "all" | "majority"}

Numbers compare with a tolerance of 1e-9 (relative or absolute); lists and objects element by
element; `true` is not `1`. A missing line fails; lines after the first `lines` are ignored.
"""

import dataclasses
import json
import math
from typing import Any

PASS_RULES = ("any", "all", "majority")
MAX_LINES = 100
TOLERANCE = 1e-9


class ValueSpecError(ValueError):
    """The spec is not a valid returned-value check (the message says why)."""


@dataclasses.dataclass(frozen=True)
class ValueSpec:
    expected: Any
    lines: int
    pass_rule: str

    def text(self) -> str:
        return json.dumps(
            {"expected": self.expected, "lines": self.lines, "pass": self.pass_rule},
            sort_keys=True,
        )


def spec_parse(text: str) -> ValueSpec:
    try:
        body = json.loads(text)
    except ValueError as error:
        raise ValueSpecError(f"Not JSON: {error}.") from None
    if not isinstance(body, dict) or set(body) != {"expected", "lines", "pass"}:
        raise ValueSpecError('Give a JSON object with exactly "expected", "lines" and "pass".')
    lines = body["lines"]
    if not isinstance(lines, int) or isinstance(lines, bool) or not 1 <= lines <= MAX_LINES:
        raise ValueSpecError(f'"lines" must be a whole number from 1 to {MAX_LINES}.')
    if body["pass"] not in PASS_RULES:
        raise ValueSpecError(f'"pass" must be one of {", ".join(PASS_RULES)}.')
    return ValueSpec(expected=body["expected"], lines=lines, pass_rule=body["pass"])


def same(got: Any, expected: Any) -> bool:
    if isinstance(got, bool) or isinstance(expected, bool):
        return isinstance(got, bool) and isinstance(expected, bool) and got is expected
    if isinstance(got, int | float) and isinstance(expected, int | float):
        return math.isclose(got, expected, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    if isinstance(got, list) and isinstance(expected, list):
        return len(got) == len(expected) and all(map(same, got, expected))
    if isinstance(got, dict) and isinstance(expected, dict):
        return got.keys() == expected.keys() and all(same(got[k], expected[k]) for k in got)
    return bool(got == expected)


def _line_passes(line: bytes, expected: Any) -> bool:
    text = line.decode("utf-8", errors="replace").strip()
    if not text or text.startswith("!"):
        return False
    try:
        got = json.loads(text)
    except ValueError:
        return False
    return same(got, expected)


def values_pass(spec: ValueSpec, stdout: bytes) -> bool:
    lines = stdout.split(b"\n")[: spec.lines]
    passed = sum(_line_passes(line, spec.expected) for line in lines)
    if spec.pass_rule == "all":
        return passed == spec.lines
    if spec.pass_rule == "majority":
        return passed * 2 > spec.lines
    return passed > 0


def expected_lines(spec: ValueSpec) -> bytes:
    """What staff (and students, where feedback shows expected output) see as the expected
    output: the expected value once per line."""
    line = json.dumps(spec.expected)
    return "".join(f"{line}\n" for _ in range(spec.lines)).encode()
