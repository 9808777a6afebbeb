"""Scoring: the diff options checked against GNU diff (`diff -i -w -b -B`, run on the same
inputs), and return-code checks and points as a real sandbox run scores them."""

import dataclasses
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from autograder.grading.config.models import ExpectedReturnCode
from autograder.grading.config.scoring import DiffOptions, normalized_lines, output_matches
from autograder.grading.config.scoring import return_code_correct as rc_correct
from autograder.grading.results.models import AGTestCommandResult
from autograder.sandbox.pool import PoolManager
from autograder.submissions.models import Submission, SubmissionStatus
from tests.grading import pipeline_helpers as h

_FLAGS = {
    "ignore_case": "-i",
    "ignore_whitespace": "-w",
    "ignore_whitespace_changes": "-b",
    "ignore_blank_lines": "-B",
}


def gnu_diff_equal(tmp: Path, expected: bytes, actual: bytes, options: DiffOptions) -> bool:
    """Whether GNU diff, with the flags the options stand for, finds no difference."""
    (tmp / "expected").write_bytes(expected)
    (tmp / "actual").write_bytes(actual)
    flags = [flag for name, flag in _FLAGS.items() if getattr(options, name)]
    run = subprocess.run(
        ["diff", *flags, "--", str(tmp / "expected"), str(tmp / "actual")],
        capture_output=True,
        check=False,
    )
    assert run.returncode in (0, 1), run.stderr
    return run.returncode == 0


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gnu-diff")


def test_gnu_diff_is_there() -> None:
    version = subprocess.run(["diff", "--version"], capture_output=True, check=True, text=True)
    assert "GNU diffutils" in version.stdout


# Every kind of whitespace diff knows (\r, \f and \v too), letters in both cases, newlines.
_outputs = st.lists(
    st.sampled_from([b"a", b"A", b"b", b" ", b"  ", b"\t", b"\r", b"\f", b"\v", b"\n", b"\n"]),
    max_size=12,
).map(b"".join)
_options = st.builds(DiffOptions, st.booleans(), st.booleans(), st.booleans(), st.booleans())


@given(
    expected=_outputs, actual=_outputs, options=_options.filter(lambda o: not o.ignore_blank_lines)
)
@example(expected=b"a\n", actual=b"A", options=DiffOptions(ignore_case=True))
@example(expected=b"a b\n", actual=b"a\tb\r\n", options=DiffOptions(ignore_whitespace_changes=True))
@example(expected=b" a\n", actual=b"a\n", options=DiffOptions(ignore_whitespace_changes=True))
@example(expected=b"a\fb\n", actual=b"ab", options=DiffOptions(ignore_whitespace=True))
@settings(max_examples=600, deadline=None)
def test_case_and_whitespace_options_agree_with_gnu_diff(
    tmp: Path, expected: bytes, actual: bytes, options: DiffOptions
) -> None:
    """-i, -w and -b in every combination: the same verdict as diff on every input."""
    assert output_matches(expected, actual, options) == gnu_diff_equal(
        tmp, expected, actual, options
    )


def _blank_lines(data: bytes, options: DiffOptions) -> int:
    """Lines that `-B` may ignore: empty once the other options have had their say."""
    per_line = dataclasses.replace(options, ignore_blank_lines=False)
    return sum(line == b"" for line in normalized_lines(data, per_line))


@given(expected=_outputs, actual=_outputs, options=_options.filter(lambda o: o.ignore_blank_lines))
@example(expected=b"", actual=b"\t\n", options=DiffOptions(ignore_blank_lines=True))
@example(expected=b"a\n", actual=b"a\n \n", options=DiffOptions(ignore_blank_lines=True))
@example(
    expected=b"a\n",
    actual=b"a\n \n",
    options=DiffOptions(ignore_blank_lines=True, ignore_whitespace_changes=True),
)
@example(expected=b"a\nb\n", actual=b"\na\n\n\nb\n\n", options=DiffOptions(ignore_blank_lines=True))
@example(expected=b"a", actual=b"a\n\n", options=DiffOptions(ignore_blank_lines=True))
@settings(max_examples=600, deadline=None)
def test_ignore_blank_lines_agrees_with_gnu_diff(
    tmp: Path, expected: bytes, actual: bytes, options: DiffOptions
) -> None:
    """-B (alone and with the others): a line is blank when it is empty, or holds only
    whitespace that -w or -b ignore. Whatever diff accepts is accepted. Whatever diff rejects
    is rejected too, except where both outputs have blank lines that diff's alignment leaves
    in a change with other lines (see the next test)."""
    ours = output_matches(expected, actual, options)
    gnu = gnu_diff_equal(tmp, expected, actual, options)
    if gnu:
        assert ours
    if _blank_lines(expected, options) == 0 or _blank_lines(actual, options) == 0:
        assert ours == gnu


@pytest.mark.parametrize(
    ("expected", "actual"),
    [(b"a\n\n", b"\na\n"), (b"x\na\n\n", b"x\n\na\n")],
)
def test_blank_lines_may_move_where_gnu_diff_would_reject(
    tmp: Path, expected: bytes, actual: bytes
) -> None:
    """Where GNU diff differs, on purpose: `diff -B` ignores a change only when all its lines
    are blank, so which changes it reports depends on how it aligned the two outputs; here it
    pairs the blank lines and reports the moved `a` line. With ignore_blank_lines the grader
    leaves blank lines out, wherever they are (docs/test-configuration.md)."""
    options = DiffOptions(ignore_blank_lines=True)
    assert not gnu_diff_equal(tmp, expected, actual, options)
    assert output_matches(expected, actual, options)


@pytest.mark.parametrize(
    ("expected", "return_code", "timed_out", "correct"),
    [
        (ExpectedReturnCode.ZERO, 0, False, True),
        (ExpectedReturnCode.ZERO, 3, False, False),
        (ExpectedReturnCode.ZERO, None, False, False),
        (ExpectedReturnCode.ZERO, 0, True, False),
        (ExpectedReturnCode.NONZERO, 0, False, False),
        (ExpectedReturnCode.NONZERO, 3, False, True),
        (ExpectedReturnCode.NONZERO, -1, False, True),
        (ExpectedReturnCode.NONZERO, None, False, True),
        (ExpectedReturnCode.NONZERO, None, True, False),
        (ExpectedReturnCode.NONE, 0, False, None),
        (ExpectedReturnCode.NONE, 3, True, None),
    ],
)
def test_return_code_checks(
    expected: str, return_code: int | None, timed_out: bool, correct: bool | None
) -> None:
    """None: the program did not exit by itself (a signal ended it)."""
    assert rc_correct(expected, return_code, timed_out) is correct


def _results(submission: Submission) -> dict[str, AGTestCommandResult]:
    return {
        r.command_name: r
        for r in AGTestCommandResult.objects.filter(
            case_result__suite_result__submission=submission
        )
    }


@pytest.mark.slow
@pytest.mark.django_db
def test_return_code_modes_scored_from_real_runs(
    provider: PoolManager, settings: Any, tmp_path: Path
) -> None:
    """Each expected-return-code mode against programs that exit 0, exit 3, crash on a signal
    and time out, with 2 points for a correct code and 1 taken off for a wrong one."""
    settings.MEDIA_ROOT = tmp_path / "media"
    project = h.project_with_catch_all()
    suite = h.suite(project)
    programs = {
        "ok": "exit 0",
        "fails": "exit 3",
        "crashes": "kill -SEGV $$",
        "hangs": "sleep 30",
    }
    for program, cmd in programs.items():
        for mode in ExpectedReturnCode:
            h.command(
                suite,
                cmd,
                name=f"{program} {mode.value}",
                expected_return_code=mode,
                points_for_correct_return_code=2,
                deduction_for_wrong_return_code=1,
                time_limit_s=1,
            )

    submission = h.grade(provider, h.submit(project))

    assert submission.status == SubmissionStatus.FINISHED_GRADING
    scored = {
        name: (r.return_code, r.timed_out, r.return_code_correct, r.points_awarded)
        for name, r in _results(submission).items()
    }
    assert scored == {
        "ok zero": (0, False, True, 2),
        "ok nonzero": (0, False, False, -1),
        "ok none": (0, False, None, 0),
        "fails zero": (3, False, False, -1),
        "fails nonzero": (3, False, True, 2),
        "fails none": (3, False, None, 0),
        "crashes zero": (-11, False, False, -1),
        "crashes nonzero": (-11, False, True, 2),
        "crashes none": (-11, False, None, 0),
        "hangs zero": (scored["hangs zero"][0], True, False, -1),
        "hangs nonzero": (scored["hangs nonzero"][0], True, False, -1),
        "hangs none": (scored["hangs none"][0], True, None, 0),
    }
    # Possible points are the awards configured, whatever the mode (docs/test-configuration.md).
    assert {r.points_possible for r in _results(submission).values()} == {2}


@pytest.mark.slow
@pytest.mark.django_db
def test_a_test_case_never_goes_below_zero(
    provider: PoolManager, settings: Any, tmp_path: Path
) -> None:
    """Deductions may take a command below zero, but its test case total stops at zero: what
    the student sees in the results, and what counts towards the submission's total."""
    settings.MEDIA_ROOT = tmp_path / "media"
    project = h.project_with_catch_all()
    suite = h.suite(project)
    for name, cmd in (("wrong output", "echo nope"), ("wrong code", "exit 1")):
        h.command(
            suite,
            cmd,
            case="penalised",
            name=name,
            expected_return_code="zero",
            expected_stdout_source="text",
            expected_stdout_text="yes\n",
            points_for_correct_return_code=1,
            points_for_correct_stdout=1,
            deduction_for_wrong_return_code=3,
            deduction_for_wrong_stdout=3,
        )
    h.command(
        suite,
        "echo yes",
        case="fine",
        name="right",
        expected_stdout_source="text",
        expected_stdout_text="yes\n",
        points_for_correct_stdout=4,
    )
    submission = h.grade(provider, h.submit(project))
    results = _results(submission)
    assert results["wrong output"].points_awarded == 1 - 3
    assert results["wrong code"].points_awarded == -3 - 3
    assert results["right"].points_awarded == 4

    client = APIClient()
    client.force_authenticate(h.staff_of(project))
    tree = client.get(f"/api/submissions/{submission.pk}/results/").json()
    cases = {c["name"]: c for c in tree["suites"][0]["cases"]}
    assert (cases["penalised"]["points_awarded"], cases["penalised"]["points_possible"]) == (0, 4)
    assert (cases["fine"]["points_awarded"], cases["fine"]["points_possible"]) == (4, 4)
    assert (tree["points_awarded"], tree["points_possible"]) == (4, 8)
