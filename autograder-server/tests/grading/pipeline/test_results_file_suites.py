"""Suites scored from a results file: autograders written for Gradescope (a Python unittest one)
and PrairieLearn (a C program checked with diff) run unchanged in real sandboxes, in those
systems' file layouts, and each test in their results.json becomes a result whose visibility
the feedback categories respect. A missing file is a staff-only error worth 0 points."""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from autograder.grading.config.feedback_settings import FeedbackCategory as C
from autograder.grading.results.feedback import submission_feedback
from autograder.grading.results.models import AGTestCaseResult, AGTestCommandResult
from autograder.grading.results.output_storage import output_read
from autograder.grading.results.selectors import submission_scores
from autograder.projects.models import Project
from autograder.sandbox.pool import PoolManager
from autograder.submissions.models import Submission, SubmissionStatus
from tests.grading import pipeline_helpers as h

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def shown(submission: Submission, category: C) -> dict[str, tuple[int, int]]:
    """Test name → (awarded, possible) as `category` shows the submission."""
    tree = submission_feedback(submission=submission, category=category)
    return {
        case.name: (case.points_awarded, case.points_possible)
        for suite in tree.suites
        for case in suite.cases or []
    }


def total(submission: Submission) -> tuple[Decimal, Decimal]:
    score = submission_scores(submission_ids=[submission.pk])[submission.pk]
    return score.awarded, score.possible


# --- Gradescope: a Python unittest autograder --------------------------------------------------

GS_RUN_AUTOGRADER = b"""#!/usr/bin/env bash
# As on Gradescope: copy the submission next to the tests, run them, write results.json.
cp /autograder/submission/calc.py /autograder/source/work/ 2>/dev/null || true
cd /autograder/source/work && python3 ../run_tests.py > /autograder/results/results.json
echo "graded $(ls /autograder/submission)"
"""

GS_SETUP = b"""#!/usr/bin/env bash
mkdir -p /autograder/source/work /autograder/results
cp /autograder/source/test_calc.py /autograder/source/work/
"""

GS_RUN_TESTS = b"""
import json, sys, unittest

# What gradescope-utils' JSONTestRunner does, in a few lines: each test's weight,
# visibility and number come from attributes set by decorators.
def weight(w):
    def deco(f):
        f.__weight__ = w
        return f
    return deco

def visibility(v):
    def deco(f):
        f.__visibility__ = v
        return f
    return deco

class Result(unittest.TextTestResult):
    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.tests = []
    def _add(self, test, passed, output=""):
        method = getattr(test, test._testMethodName)
        w = getattr(method, "__weight__", 1)
        self.tests.append({
            "name": test._testMethodName, "max_score": w, "score": w if passed else 0,
            "status": "passed" if passed else "failed", "output": output,
            "visibility": getattr(method, "__visibility__", "visible"),
        })
    def addSuccess(self, test):
        super().addSuccess(test); self._add(test, True)
    def addFailure(self, test, err):
        super().addFailure(test, err); self._add(test, False, self._exc_info_to_string(err, test))
    def addError(self, test, err):
        super().addError(test, err); self._add(test, False, self._exc_info_to_string(err, test))

import builtins
builtins.weight, builtins.visibility = weight, visibility
suite = unittest.defaultTestLoader.discover(".", pattern="test_*.py")
result = unittest.TextTestRunner(stream=sys.stderr, resultclass=Result).run(suite)
json.dump({"tests": result.tests, "output": "Thanks for submitting!",
           "stdout_visibility": "hidden"}, sys.stdout)
"""

GS_TESTS = b"""
import unittest
from calc import add, mul

class TestCalc(unittest.TestCase):
    @weight(2)
    def test_add(self):
        self.assertEqual(add(2, 3), 5)

    @weight(3)
    def test_mul(self):
        self.assertEqual(mul(2, 3), 6)

    @weight(5)
    @visibility("hidden")
    def test_hidden_big(self):
        self.assertEqual(add(10**6, 1), 1000001)

    @weight(4)
    @visibility("after_due_date")
    def test_after_due(self):
        self.assertEqual(mul(2, 2), 4)  # right by luck: 2 + 2
"""

CALC = b"def add(a, b):\n    return a + b\n\ndef mul(a, b):\n    return a + b  # wrong\n"


def gradescope_project() -> Project:
    project = h.project_with_catch_all()
    files = [
        h.instructor_file(project, name, content)
        for name, content in (
            ("run_autograder", GS_RUN_AUTOGRADER),
            ("setup.sh", GS_SETUP),
            ("run_tests.py", GS_RUN_TESTS),
            ("test_calc.py", GS_TESTS),
        )
    ]
    suite = h.suite(
        project,
        name="Gradescope",
        file_layout="gradescope",
        results_format="gradescope",
        results_file_path="/autograder/results/results.json",
        setup_command="/autograder/source/setup.sh",
    )
    suite.instructor_files_needed.set(files)
    h.command(suite, "/autograder/run_autograder", case="Autograder", name="run_autograder")
    return project


def test_gradescope_python_autograder_runs_unchanged(provider: PoolManager) -> None:
    submission = h.grade(provider, h.submit(gradescope_project(), {"calc.py": CALC}))

    assert submission.status == SubmissionStatus.FINISHED_GRADING
    # Students see the visible tests (mul is wrong), not the hidden, the after-due-date one
    # or the grader's own stdout.
    assert shown(submission, C.NORMAL) == {
        "Output": (0, 0),
        "test_add": (2, 2),
        "test_mul": (0, 3),
    }
    assert shown(submission, C.FINAL_GRADED) == {
        "Output": (0, 0),
        "test_add": (2, 2),
        "test_mul": (0, 3),
        "test_after_due": (4, 4),
    }
    staff = shown(submission, C.STAFF_VIEWER)
    assert staff["test_hidden_big"] == (5, 5)
    assert staff["Autograder"] == (0, 0)  # the run_autograder case, with its stdout
    assert total(submission) == (Decimal(11), Decimal(14))
    grader = AGTestCommandResult.objects.get(
        case_result__suite_result__submission=submission, command_name="run_autograder"
    )
    assert output_read(grader, "stdout") == b"graded calc.py\n"
    output = AGTestCommandResult.objects.get(
        case_result__suite_result__submission=submission, command_name="Output"
    )
    assert output_read(output, "stdout") == b"Thanks for submitting!"


def test_student_code_cannot_change_the_instructor_files(provider: PoolManager) -> None:
    """A submission that rewrites the tests to pass: the root-owned source stays as uploaded."""
    cheat = CALC + (
        b"\nimport pathlib\n"
        b"try:\n    pathlib.Path('/autograder/source/test_calc.py').write_text('')\n"
        b"except OSError:\n    pass\n"
    )
    submission = h.grade(provider, h.submit(gradescope_project(), {"calc.py": cheat}))

    assert shown(submission, C.STAFF_VIEWER)["test_add"] == (2, 2)
    assert total(submission) == (Decimal(11), Decimal(14))


def test_missing_results_file_is_a_staff_only_error_with_no_points(
    provider: PoolManager,
) -> None:
    project = h.project_with_catch_all()
    suite = h.suite(
        project,
        file_layout="gradescope",
        results_format="gradescope",
        results_file_path="/autograder/results/results.json",
        results_points=10,
    )
    h.command(suite, "echo forgot to write results", case="Autograder", name="grader")

    submission = h.grade(provider, h.submit(project))

    assert submission.status == SubmissionStatus.FINISHED_GRADING
    assert "Results file error" not in shown(submission, C.NORMAL)
    assert shown(submission, C.STAFF_VIEWER)["Results file error"] == (0, 10)
    error = AGTestCommandResult.objects.get(
        case_result__suite_result__submission=submission, command_name="Results file error"
    )
    assert "/autograder/results/results.json does not exist" in error.error_message


def test_malformed_results_file_names_the_bad_field(provider: PoolManager) -> None:
    project = h.project_with_catch_all()
    suite = h.suite(
        project,
        file_layout="gradescope",
        results_format="gradescope",
        results_file_path="/autograder/results/results.json",
    )
    write = (
        'mkdir -p results && echo \'{"tests": [{"name": "a", "score": "ten"}]}\' '
        "> results/results.json"
    )
    h.command(suite, write, case="Autograder", name="grader")

    submission = h.grade(provider, h.submit(project))

    error = AGTestCommandResult.objects.get(
        case_result__suite_result__submission=submission, command_name="Results file error"
    )
    assert error.error_message == "tests[0].score must be a number, not 'ten'."


# --- PrairieLearn: a C program checked with diff -----------------------------------------------

PL_RUN = b"""#!/usr/bin/env bash
# A PrairieLearn external grader: compile /grade/student, diff against the expected output.
mkdir -p /grade/results
result() { echo "$1" > /grade/results/results.json; exit 0; }
if ! gcc -o /tmp/prog /grade/student/main.c 2>/tmp/cc.txt; then
  msg=$(python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))' < /tmp/cc.txt)
  result "{\\"gradable\\": false, \\"message\\": $msg}"
fi
points=0; tests=""
for n in 1 2; do
  /tmp/prog < /grade/tests/in$n.txt > /tmp/out$n.txt
  if diff -q /tmp/out$n.txt /grade/tests/out$n.txt > /dev/null
  then p=1; points=$((points+1)); else p=0; fi
  tests="$tests{\\"name\\": \\"case $n\\", \\"points\\": $p, \\"max_points\\": 1},"
done
params=$(python3 -c 'import json; print(json.load(open("/grade/data/data.json"))["gradable"])')
score=$(python3 -c "print($points/2)")
result "{\\"gradable\\": true, \\"score\\": $score, \\"message\\": \\"gradable=$params\\",
 \\"tests\\": [${tests%,}]}"
"""

SUM_C = b"""#include <stdio.h>
int main(void) { int a, b; if (scanf("%d %d", &a, &b) == 2) printf("%d\\n", a * b); return 0; }
"""


def prairielearn_project() -> Project:
    project = h.project_with_catch_all()
    files = [
        h.instructor_file(project, name, content)
        for name, content in (
            ("run.sh", PL_RUN),
            ("in1.txt", b"2 3\n"),
            ("out1.txt", b"5\n"),
            ("in2.txt", b"0 0\n"),
            ("out2.txt", b"0\n"),
        )
    ]
    suite = h.suite(
        project,
        name="PrairieLearn",
        file_layout="prairielearn",
        results_format="prairielearn",
        results_file_path="/grade/results/results.json",
    )
    suite.instructor_files_needed.set(files)
    h.command(suite, "/grade/tests/run.sh", case="Grader", name="run.sh")
    return project


def test_prairielearn_c_grader_with_diff(provider: PoolManager) -> None:
    submission = h.grade(provider, h.submit(prairielearn_project(), {"main.c": SUM_C}))

    assert submission.status == SubmissionStatus.FINISHED_GRADING
    # The program multiplies instead of adding: case 2 (0 0) passes, case 1 fails.
    assert shown(submission, C.NORMAL) == {
        "Message": (0, 0),
        "case 1": (0, 1),
        "case 2": (1, 1),
    }
    message = AGTestCommandResult.objects.get(
        case_result__suite_result__submission=submission, command_name="Message"
    )
    assert output_read(message, "stdout") == b"gradable=True"


def test_prairielearn_not_gradable_when_it_does_not_compile(provider: PoolManager) -> None:
    broken = b"int main(void) { return missing; }\n"
    submission = h.grade(provider, h.submit(prairielearn_project(), {"main.c": broken}))

    assert shown(submission, C.NORMAL) == {"Not gradable": (0, 100)}
    result = AGTestCommandResult.objects.get(
        case_result__suite_result__submission=submission, command_name="Not gradable"
    )
    assert b"missing" in output_read(result, "stdout")


# --- correctomatic: JSON in the output ---------------------------------------------------------


def test_correctomatic_response_between_separators_in_stdout(provider: PoolManager) -> None:
    project = h.project_with_catch_all()
    suite = h.suite(project, results_format="correctomatic", results_points=10)
    response = {"success": True, "grade": 7.5, "comments": ["good style", "one bug"]}
    h.command(
        suite,
        "echo compiling...; echo '--BEGIN CORRECTOMATIC RESPONSE--'; "
        f"echo '{json.dumps(response)}'; echo '--END CORRECTOMATIC RESPONSE--'",
        case="Grader",
        name="grader",
    )

    submission = h.grade(provider, h.submit(project))

    assert shown(submission, C.NORMAL) == {"Grade": (8, 10)}
    grade = AGTestCommandResult.objects.get(
        case_result__suite_result__submission=submission, command_name="Grade"
    )
    assert output_read(grade, "stdout") == b"good style\none bug"
    assert AGTestCaseResult.objects.get(case_name="Grader").file_visibility == "hidden"
