"""Output is compared exactly, as on autograder.io: a missing final newline is a difference
unless a whitespace option (`diff -b` / `diff -w`) is on. GNU diff is the reference."""

import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.grading.config.scoring import DiffOptions, output_matches
from autograder.grading.results.diffs import output_diff
from autograder.grading.results.models import AGTestCommandResult
from autograder.sandbox.pool import PoolManager
from autograder.submissions.models import SubmissionStatus
from tests.grading import pipeline_helpers as h

EXACT = DiffOptions()
CASE = DiffOptions(ignore_case=True)
SPACE_CHANGES = DiffOptions(ignore_whitespace_changes=True)
ALL_SPACE = DiffOptions(ignore_whitespace=True)
BLANK_LINES = DiffOptions(ignore_blank_lines=True)


@pytest.mark.parametrize(
    ("expected", "actual", "options", "matches"),
    [
        (b"a\nb\n", b"a\nb\n", EXACT, True),
        (b"a\nb\n", b"a\nb", EXACT, False),
        (b"a\nb", b"a\nb\n", EXACT, False),
        (b"a\nb", b"a\nb", EXACT, True),
        (b"", b"\n", EXACT, False),
        (b"A\n", b"a", CASE, False),
        (b"a\nb\n", b"a\nb", BLANK_LINES, False),
        (b"a\nb\n", b"a\nb", SPACE_CHANGES, True),
        (b"a\nb\n", b"a\nb", ALL_SPACE, True),
        (b"a  b\n", b"a b", SPACE_CHANGES, True),
        (b"a\n", b"a\n\n", BLANK_LINES, True),
        (b"a\n", b"a\r\n", EXACT, False),
    ],
)
def test_a_missing_final_newline_counts_unless_whitespace_is_ignored(
    expected: bytes, actual: bytes, options: DiffOptions, matches: bool
) -> None:
    assert output_matches(expected, actual, options) is matches


def test_the_diff_shows_the_unterminated_line_as_changed() -> None:
    assert output_diff(expected=b"a\nb\n", actual=b"a\nb", options=EXACT) == [
        (" ", "a"),
        ("-", "b"),
        ("+", "b"),
    ]
    assert output_diff(expected=b"a\nb\n", actual=b"a\nb", options=SPACE_CHANGES) == [
        (" ", "a"),
        (" ", "b"),
    ]


_GNU_FLAGS = {EXACT: [], CASE: ["-i"], SPACE_CHANGES: ["-b"], ALL_SPACE: ["-w"]}


def _gnu_diff_says_equal(tmp: Path, expected: bytes, actual: bytes, options: DiffOptions) -> bool:
    (tmp / "expected").write_bytes(expected)
    (tmp / "actual").write_bytes(actual)
    run = subprocess.run(
        ["diff", *_GNU_FLAGS[options], str(tmp / "expected"), str(tmp / "actual")],
        capture_output=True,
        check=False,
    )
    assert run.returncode in (0, 1), run.stderr
    return run.returncode == 0


_outputs = st.lists(st.sampled_from([b"a", b"A", b"b", b" ", b"\t", b"\n"]), max_size=8).map(
    b"".join
)


@given(expected=_outputs, actual=_outputs, options=st.sampled_from(list(_GNU_FLAGS)))
@settings(max_examples=400, deadline=None)
def test_the_comparison_agrees_with_gnu_diff(
    tmp_path_factory: Any, expected: bytes, actual: bytes, options: DiffOptions
) -> None:
    tmp = tmp_path_factory.mktemp("diff")
    assert output_matches(expected, actual, options) == _gnu_diff_says_equal(
        tmp, expected, actual, options
    )


@pytest.mark.django_db
def test_a_program_without_its_final_newline_loses_the_stdout_points(
    provider: PoolManager, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    project = h.project_with_catch_all()
    suite = h.suite(project)
    commands: list[tuple[str, str, dict[str, Any]]] = [
        ("exact, newline", "printf 'hello\\n'", {}),
        ("exact, no newline", "printf hello", {}),
        ("-b, no newline", "printf hello", {"ignore_whitespace_changes": True}),
    ]
    for name, cmd, options in commands:
        h.command(
            suite,
            cmd,
            name=name,
            expected_stdout_source="text",
            expected_stdout_text="hello\n",
            points_for_correct_stdout=1,
            **options,
        )
    submission = h.grade(provider, h.submit(project))

    assert submission.status == SubmissionStatus.FINISHED_GRADING
    results = {
        r.command_name: (r.stdout_correct, r.points_awarded)
        for r in AGTestCommandResult.objects.filter(
            case_result__suite_result__submission=submission
        )
    }
    assert results == {
        "exact, newline": (True, 1),
        "exact, no newline": (False, 0),
        "-b, no newline": (True, 1),
    }
