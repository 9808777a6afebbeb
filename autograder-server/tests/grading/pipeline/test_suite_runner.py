"""Running suites in real sandboxes: where a command's stdin comes from, which submitted files
a suite gets, the network a suite may allow, expected stderr, and programs ended by a signal.
Each test grades a real submission with one in-process worker slot."""

from pathlib import Path
from typing import Any

import pytest

from autograder.grading.results.models import AGTestCommandResult, AGTestSuiteResult
from autograder.grading.results.output_storage import output_read
from autograder.sandbox.pool import PoolManager
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories
from tests.grading import pipeline_helpers as h

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def results_of(submission: Submission) -> dict[str, AGTestCommandResult]:
    return {
        r.command_name: r
        for r in AGTestCommandResult.objects.filter(
            case_result__suite_result__submission=submission
        )
    }


def stdout(result: AGTestCommandResult) -> bytes:
    return output_read(result, "stdout")


def test_stdin_from_an_instructor_file_and_from_the_setup_output(provider: PoolManager) -> None:
    project = h.project_with_catch_all()
    data = h.instructor_file(project, "input.txt", b"3 4\n5 6\n")
    suite = h.suite(project, setup_command="echo built; echo 'warning: unused' >&2")
    read_all = "python3 -c 'import sys; sys.stdout.write(sys.stdin.read().upper())'"
    h.command(
        suite, read_all, name="file", stdin_source="instructor_file", stdin_instructor_file=data
    )
    h.command(suite, read_all, name="setup out", stdin_source="setup_stdout")
    h.command(suite, read_all, name="setup err", stdin_source="setup_stderr")
    h.command(suite, read_all, name="text", stdin_source="text", stdin_text="typed")
    h.command(suite, read_all, name="none", stdin_source="none")

    results = results_of(h.grade(provider, h.submit(project)))

    assert {name: stdout(r) for name, r in results.items()} == {
        "file": b"3 4\n5 6\n",
        "setup out": b"BUILT\n",
        "setup err": b"WARNING: UNUSED\n",
        "text": b"TYPED",
        "none": b"",
    }
    assert all(r.return_code == 0 for r in results.values())


def test_stdin_file_deleted_before_grading_fails_only_its_suite(provider: PoolManager) -> None:
    project = h.project_with_catch_all()
    data = h.instructor_file(project, "input.txt", b"42\n")
    h.command(
        h.suite(project, name="reads stdin"),
        "cat",
        name="cat",
        stdin_source="instructor_file",
        stdin_instructor_file=data,
        points_for_correct_return_code=2,
    )
    h.command(h.suite(project, name="other"), "true", name="other")
    submission = h.submit(project)
    Path(data.file_obj.path).unlink()

    submission = h.grade(provider, submission)

    assert submission.status == SubmissionStatus.FINISHED_GRADING
    suites = {r.suite_name: r for r in AGTestSuiteResult.objects.filter(submission=submission)}
    assert "input.txt" in suites["reads stdin"].error_message
    assert "stdin of cat" in suites["reads stdin"].error_message
    assert suites["other"].error_message == ""
    results = results_of(submission)
    assert (results["cat"].points_awarded, results["cat"].points_possible) == (0, 2)
    assert results["other"].return_code == 0


def test_a_suite_gets_only_the_student_files_it_selects(provider: PoolManager) -> None:
    project = h.project_with_catch_all()
    python_files = factories.make_expected_file(project, "*.py", 0, 10)
    readme = factories.make_expected_file(project, "README*", 0, 1)
    listing = "ls -1 | sort"
    selective = h.suite(project, name="python only")
    selective.student_files_needed.add(python_files, readme)
    h.command(selective, listing, name="selected")
    h.command(h.suite(project, name="everything"), listing, name="all")
    files = {
        "main.py": b"print(1)\n",
        "util.py": b"x = 1\n",
        "README.md": b"# hi\n",
        "notes.txt": b"private\n",
        "data.csv": b"1,2\n",
    }

    results = results_of(h.grade(provider, h.submit(project, files)))

    assert stdout(results["selected"]) == b"README.md\nmain.py\nutil.py\n"
    assert stdout(results["all"]) == b"README.md\ndata.csv\nmain.py\nnotes.txt\nutil.py\n"


def test_only_a_suite_that_allows_the_network_gets_one(provider: PoolManager) -> None:
    """Seen from inside, without sending anything: the interfaces and the default route."""
    project = h.project_with_catch_all()
    show = (
        'ls /sys/class/net | sort; awk \'$2 == "00000000" {print "default route"}\' /proc/net/route'
    )
    h.command(h.suite(project, name="online", allow_network=True), show, name="online")
    h.command(h.suite(project, name="offline"), show, name="offline")

    results = results_of(h.grade(provider, h.submit(project)))

    online = stdout(results["online"]).decode().splitlines()
    assert "lo" in online and "default route" in online
    assert any(name.startswith("eth") for name in online), online
    assert stdout(results["offline"]) == b"lo\n", "no interface but loopback, no route"


def test_expected_stderr_is_checked_and_scored(provider: PoolManager) -> None:
    project = h.project_with_catch_all()
    expected = h.instructor_file(project, "errors.txt", b"error: bad input\n")
    suite = h.suite(project)
    complain = "echo 'fine' ; echo 'error: bad input' >&2; exit 1"
    common: dict[str, Any] = {
        "points_for_correct_stderr": 2,
        "deduction_for_wrong_stderr": 1,
        "expected_return_code": "nonzero",
        "points_for_correct_return_code": 1,
    }
    h.command(
        suite,
        complain,
        name="text",
        expected_stderr_source="text",
        expected_stderr_text="error: bad input\n",
        **common,
    )
    h.command(
        suite,
        complain,
        name="file",
        expected_stderr_source="instructor_file",
        expected_stderr_instructor_file=expected,
        **common,
    )
    h.command(
        suite,
        complain,
        name="wrong",
        expected_stderr_source="text",
        expected_stderr_text="ERROR: BAD INPUT\n",
        **common,
    )
    h.command(
        suite,
        complain,
        name="ignoring case",
        expected_stderr_source="text",
        expected_stderr_text="ERROR: BAD INPUT\n",
        ignore_case=True,
        **common,
    )

    results = results_of(h.grade(provider, h.submit(project)))

    checked = {
        name: (r.stderr_correct, r.stdout_correct, r.return_code_correct, r.points_awarded)
        for name, r in results.items()
    }
    assert checked == {
        "text": (True, None, True, 3),
        "file": (True, None, True, 3),
        "wrong": (False, None, True, 0),
        "ignoring case": (True, None, True, 3),
    }
    assert output_read(results["wrong"], "stderr") == b"error: bad input\n"


def test_a_program_ended_by_a_signal(provider: PoolManager) -> None:
    """A crash is stored as minus the signal and counts as a nonzero exit; the commands after
    it still run in the same sandbox."""
    project = h.project_with_catch_all()
    suite = h.suite(project)
    segfault = "python3 -c 'import os, signal; os.kill(os.getpid(), signal.SIGSEGV)'"
    h.command(
        suite,
        segfault,
        name="crash",
        expected_return_code="nonzero",
        points_for_correct_return_code=1,
    )
    h.command(
        suite,
        "kill -KILL $$",
        name="killed",
        expected_return_code="zero",
        deduction_for_wrong_return_code=2,
    )
    h.command(
        suite,
        "echo after",
        name="after",
        expected_stdout_source="text",
        expected_stdout_text="after\n",
        points_for_correct_stdout=1,
    )

    results = results_of(h.grade(provider, h.submit(project)))

    crash, killed = results["crash"], results["killed"]
    assert (crash.return_code, crash.timed_out, crash.return_code_correct) == (-11, False, True)
    assert crash.points_awarded == 1
    assert (killed.return_code, killed.return_code_correct, killed.points_awarded) == (
        -9,
        False,
        -2,
    )
    assert results["after"].stdout_correct is True
