"""Suites scored from a results file in another grading system's format, and the file layouts
that let autograders written for those systems run unchanged (docs/contracts/).

`suite_runner` calls in here at three points: where files go (`place_files`), how a command is
started (`command_argv`) and, after the suite's commands ran, `file_case_runs`, which reads the
results file back out of the sandbox and turns each test in it into a test case result of the
suite's last test case (so that case's feedback settings govern how it shows, and
`AGTestCaseResult.file_visibility` in which feedback categories). A missing or malformed file
becomes one staff-only result carrying the error and 0 points; it never fails the submission.
"""

from __future__ import annotations

import dataclasses
import json
import math
import posixpath
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from autograder.grading.config.models import (
    AGTestCase,
    AGTestCommand,
    AGTestSuite,
    FileLayout,
    ResultsFormat,
)
from autograder.grading.results import file_visibility as vis
from autograder.grading.results.models import AGTestCaseResult, AGTestCommandResult
from autograder.grading.results.output_storage import output_store
from autograder.sandbox import FileStatus, Owner, PutFile, RunResult, Sandbox
from autograder.submissions.models import Submission

MAX_RESULTS_FILE_BYTES = 5_000_000
"""Largest results file read back; a bigger one is an error (staff see it)."""
MAX_TESTS = 1000
"""Tests kept from one results file; more is an error."""

CORRECTOMATIC_BEGIN = "--BEGIN CORRECTOMATIC RESPONSE--"
CORRECTOMATIC_END = "--END CORRECTOMATIC RESPONSE--"

DEFAULT_PATHS = {
    ResultsFormat.GRADESCOPE: "/autograder/results/results.json",
    ResultsFormat.PRAIRIELEARN: "/grade/results/results.json",
    ResultsFormat.CORRECTOMATIC: "",
}
"""What the website proposes for `results_file_path` (empty: the last command's stdout)."""


@dataclasses.dataclass(frozen=True)
class Layout:
    root: str
    """Mounted as a tmpfs of its own; commands start here."""
    submission_dir: str
    instructor_dir: str


LAYOUTS = {
    FileLayout.GRADESCOPE: Layout("/autograder", "/autograder/submission", "/autograder/source"),
    FileLayout.PRAIRIELEARN: Layout("/grade", "/grade/student", "/grade/tests"),
}


class ResultsFileError(Exception):
    """The results file is missing or not in the suite's format: shown to staff."""


@dataclasses.dataclass(frozen=True)
class FileTest:
    name: str
    awarded: int
    possible: int
    output: str
    visibility: str
    passed: bool | None = None


# --- Layouts ---------------------------------------------------------------------------------


def extra_dirs(suite: AGTestSuite) -> tuple[str, ...]:
    layout = LAYOUTS.get(FileLayout(suite.file_layout))
    return (layout.root,) if layout else ()


def place_files(suite: AGTestSuite, submission: Submission, files: list[PutFile]) -> list[PutFile]:
    """`files` (submitted files, then root-owned instructor files) moved to where the suite's
    layout expects them, with the layout's extra files; unchanged without a layout.

    Instructor files are executable in a layout (a Gradescope `run_autograder` or `setup.sh` is
    run directly); they stay root-owned, so student code can't change them.
    """
    layout = LAYOUTS.get(FileLayout(suite.file_layout))
    if layout is None:
        return files
    placed: list[PutFile] = []
    for f in files:
        if f.owner is Owner.ROOT:
            path = posixpath.join(layout.instructor_dir, f.path)
            placed.append(PutFile(path=path, content=f.content, mode=0o755, owner=Owner.ROOT))
        else:
            path = posixpath.join(layout.submission_dir, f.path)
            placed.append(PutFile(path=path, content=f.content, mode=f.mode))
    if suite.file_layout == FileLayout.GRADESCOPE:
        placed += [
            PutFile(
                path="/autograder/run_autograder", content=f.content, mode=0o755, owner=Owner.ROOT
            )
            for f in files
            if f.owner is Owner.ROOT and f.path == "run_autograder"
        ]
        metadata = {
            "id": submission.pk,
            "created_at": submission.timestamp.isoformat(),
            "assignment": {"id": submission.group.project_id},
            "users": [{"email": u.email} for u in submission.group.members.all()],
        }
        placed.append(
            PutFile(
                path="/autograder/submission_metadata.json",
                content=json.dumps(metadata).encode(),
                owner=Owner.ROOT,
            )
        )
    else:  # PrairieLearn
        data = {
            "params": {},
            "correct_answers": {},
            "submitted_answers": {},
            "format_errors": {},
            "partial_scores": {},
            "score": 0,
            "feedback": {},
            "variant_seed": submission.pk,
            "options": {},
            "raw_submitted_answers": {},
            "gradable": True,
        }
        placed.append(
            PutFile(
                path="/grade/data/data.json", content=json.dumps(data).encode(), owner=Owner.ROOT
            )
        )
    return placed


def command_argv(suite: AGTestSuite, cmd: str) -> list[str]:
    """How a command (or the setup command) starts: in the layout's root when there is one
    (Gradescope runs `run_autograder` from `/autograder`)."""
    layout = LAYOUTS.get(FileLayout(suite.file_layout))
    if layout is None:
        return ["bash", "-c", cmd]
    return ["bash", "-c", f"cd {layout.root} && {cmd}"]


# --- Parsing ---------------------------------------------------------------------------------


def _points(value: Any, what: str) -> int:
    """Whole points (our scores are integers): halves round up."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ResultsFileError(f"{what} must be a number, not {value!r}.")
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _text(value: Any, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ResultsFileError(f"{what} must be a string.")
    return value


def _object(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise ResultsFileError("The results file must hold a JSON object.")
    return document


def _tests_list(document: dict[str, Any]) -> list[Any]:
    tests = document.get("tests", [])
    if not isinstance(tests, list):
        raise ResultsFileError("'tests' must be a list.")
    if len(tests) > MAX_TESTS:
        raise ResultsFileError(f"'tests' has {len(tests)} entries; at most {MAX_TESTS} are read.")
    return tests


def _visibility(value: Any, default: str, what: str) -> str:
    if value is None:
        return default
    if value not in vis.VALUES:
        raise ResultsFileError(f"{what} must be one of {', '.join(vis.VALUES)}, not {value!r}.")
    return str(value)


def parse_gradescope(document: Any, full_points: int) -> tuple[list[FileTest], str]:
    """Tests of a Gradescope results.json, and the visibility of the grader's own stdout."""
    doc = _object(document)
    top = _visibility(doc.get("visibility"), vis.VISIBLE, "'visibility'")
    tests: list[FileTest] = []
    for i, raw in enumerate(_tests_list(doc)):
        what = f"tests[{i}]"
        if not isinstance(raw, dict):
            raise ResultsFileError(f"{what} must be an object.")
        name = _text(raw.get("name"), f"{what}.name") or f"Test {i + 1}"
        number = raw.get("number")
        if number is not None:
            name = f"{_text(str(number), f'{what}.number')} {name}"
        status = raw.get("status")
        if status not in (None, "passed", "failed"):
            raise ResultsFileError(f"{what}.status must be 'passed' or 'failed'.")
        possible = _points(raw["max_score"], f"{what}.max_score") if "max_score" in raw else 0
        if raw.get("score") is not None:
            awarded = _points(raw["score"], f"{what}.score")
        else:
            awarded = possible if status == "passed" else 0
        output = _text(raw.get("output"), f"{what}.output")
        tags = raw.get("tags")
        if isinstance(tags, list) and tags:
            output += ("\n" if output else "") + "Tags: " + ", ".join(str(t) for t in tags)
        tests.append(
            FileTest(
                name=name[:255],
                awarded=awarded,
                possible=possible,
                output=output,
                visibility=_visibility(raw.get("visibility"), top, f"{what}.visibility"),
                passed=None if status is None else status == "passed",
            )
        )
    score = doc.get("score")
    if not tests:
        if score is None:
            raise ResultsFileError("results.json has neither 'score' nor 'tests'.")
        tests.append(FileTest("Score", _points(score, "'score'"), full_points, "", top))
    elif score is not None and _points(score, "'score'") != sum(t.awarded for t in tests):
        tests.append(
            FileTest(
                "Score given by results.json",
                0,
                0,
                f"results.json gives a total of {score}; the tests above add up to "
                f"{sum(t.awarded for t in tests)}, which is what counts here.",
                vis.HIDDEN,
            )
        )
    output = _text(doc.get("output"), "'output'")
    if output:
        tests.insert(0, FileTest("Output", 0, 0, output, top))
    stdout_visibility = _visibility(doc.get("stdout_visibility"), vis.HIDDEN, "'stdout_visibility'")
    return tests, stdout_visibility


def parse_prairielearn(document: Any, full_points: int) -> list[FileTest]:
    doc = _object(document)
    message = "\n".join(
        t
        for t in (_text(doc.get("message"), "'message'"), _text(doc.get("output"), "'output'"))
        if t
    )
    if doc.get("gradable") is False:
        return [
            FileTest(
                "Not gradable",
                0,
                full_points,
                message or "The submission could not be graded.",
                vis.VISIBLE,
                False,
            )
        ]
    if "score" not in doc:
        raise ResultsFileError(
            "results.json has no 'score' (PrairieLearn treats this as a failure to grade)."
        )
    score = doc["score"]
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
        raise ResultsFileError(f"'score' must be a number from 0 to 1, not {score!r}.")
    tests: list[FileTest] = []
    for i, raw in enumerate(_tests_list(doc)):
        what = f"tests[{i}]"
        if not isinstance(raw, dict):
            raise ResultsFileError(f"{what} must be an object.")
        output = "\n".join(
            t
            for t in (
                _text(raw.get("description"), f"{what}.description"),
                _text(raw.get("message"), f"{what}.message"),
                _text(raw.get("output"), f"{what}.output"),
            )
            if t
        )
        possible = _points(raw.get("max_points", 0), f"{what}.max_points")
        awarded = _points(raw.get("points", 0), f"{what}.points")
        tests.append(
            FileTest(
                name=(_text(raw.get("name"), f"{what}.name") or f"Test {i + 1}")[:255],
                awarded=awarded,
                possible=possible,
                output=output,
                visibility=vis.VISIBLE,
                passed=awarded >= possible,
            )
        )
    if not tests:
        tests.append(
            FileTest("Score", _points(score * full_points, "'score'"), full_points, "", vis.VISIBLE)
        )
    if message:
        tests.insert(0, FileTest("Message", 0, 0, message, vis.VISIBLE))
    return tests


def correctomatic_json(text: str) -> Any:
    """The JSON response in a correctomatic grader's output: between the separator lines when
    they are there, else the whole output."""
    begin = text.find(CORRECTOMATIC_BEGIN)
    if begin != -1:
        end = text.find(CORRECTOMATIC_END, begin)
        if end == -1:
            raise ResultsFileError(
                f"The output has {CORRECTOMATIC_BEGIN} but no {CORRECTOMATIC_END}."
            )
        text = text[begin + len(CORRECTOMATIC_BEGIN) : end]
    try:
        return json.loads(text)
    except ValueError as e:
        raise ResultsFileError(f"The response is not JSON: {e}.") from None


def parse_correctomatic(document: Any, full_points: int) -> list[FileTest]:
    doc = _object(document)
    success = doc.get("success")
    if success is False:
        error = _text(doc.get("error"), "'error'") or "The grader reported an error."
        return [FileTest("Error", 0, full_points, error, vis.VISIBLE, False)]
    if success is not True:
        raise ResultsFileError("'success' must be true or false.")
    if "grade" not in doc and "comments" not in doc:
        raise ResultsFileError("A successful response needs 'grade' or 'comments'.")
    comments = doc.get("comments", [])
    if not isinstance(comments, list) or not all(isinstance(c, str) for c in comments):
        raise ResultsFileError("'comments' must be a list of strings.")
    grade = _points(doc["grade"], "'grade'") if "grade" in doc else 0
    possible = full_points if "grade" in doc else 0
    return [FileTest("Grade", grade, possible, "\n".join(comments), vis.VISIBLE)]


# --- Reading the file back -------------------------------------------------------------------


def _read(suite: AGTestSuite, sandbox: Sandbox, last: RunResult | None) -> str:
    path = suite.results_file_path
    if not path:
        if suite.results_format != ResultsFormat.CORRECTOMATIC:
            raise ResultsFileError("The suite names no results file.")
        if last is None:
            raise ResultsFileError("No command ran, so there is no output to read.")
        return last.stdout.decode("utf-8", "replace")
    got = sandbox.get_file(path, max_bytes=MAX_RESULTS_FILE_BYTES + 1)
    if got.status is FileStatus.MISSING:
        raise ResultsFileError(f"{path} does not exist after the suite's commands ran.")
    if got.status is FileStatus.NOT_REGULAR:
        raise ResultsFileError(f"{path} is not a regular file.")
    if len(got.content) > MAX_RESULTS_FILE_BYTES or got.truncated:
        raise ResultsFileError(f"{path} is larger than {MAX_RESULTS_FILE_BYTES} bytes.")
    return got.content.decode("utf-8", "replace")


def file_tests(
    suite: AGTestSuite, sandbox: Sandbox, last: RunResult | None
) -> tuple[list[FileTest], str]:
    """The tests the suite's results file holds, and who may see the grader's own output.
    A file that can't be used gives one staff-only test with the reason and 0 points."""
    full = suite.results_points
    try:
        text = _read(suite, sandbox, last)
        if suite.results_format == ResultsFormat.CORRECTOMATIC:
            return parse_correctomatic(correctomatic_json(text), full), vis.HIDDEN
        try:
            document = json.loads(text)
        except ValueError as e:
            raise ResultsFileError(f"The results file is not JSON: {e}.") from None
        if suite.results_format == ResultsFormat.GRADESCOPE:
            return parse_gradescope(document, full)
        return parse_prairielearn(document, full), vis.HIDDEN
    except ResultsFileError as e:
        return [FileTest("Results file error", 0, full, str(e), vis.HIDDEN, False)], vis.HIDDEN


def file_case_results(
    tests: list[FileTest], case: AGTestCase, command: AGTestCommand
) -> list[tuple[AGTestCaseResult, AGTestCommandResult]]:
    """Unsaved result rows for the tests, under the case and command that produced them."""
    rows = []
    for test in tests:
        case_result = AGTestCaseResult(
            case=case, case_name=test.name, file_visibility=test.visibility
        )
        command_result = AGTestCommandResult(
            command=command,
            command_name=test.name,
            return_code_correct=test.passed,
            points_awarded=test.awarded,
            points_possible=test.possible,
            error_message=test.output if test.name == "Results file error" else "",
        )
        output_store(command_result, "stdout", test.output.encode(), truncated=False)
        output_store(command_result, "stderr", b"", truncated=False)
        rows.append((case_result, command_result))
    return rows
