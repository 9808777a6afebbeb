"""Builders for test configuration and stored results, written as rows directly (no grading
pipeline, no config services)."""

import itertools
from datetime import datetime
from typing import Any

from django.utils import timezone

from autograder.accounts.models import User
from autograder.grading.config.models import AGTestCase, AGTestCommand, AGTestSuite
from autograder.grading.results.models import (
    AGTestCaseResult,
    AGTestCommandResult,
    AGTestSuiteResult,
)
from autograder.grading.results.output_storage import output_store
from autograder.groups.models import Group
from autograder.projects.models import Project
from autograder.submissions.models import Submission, SubmissionStatus

_counter = itertools.count(1)


def make_suite(project: Project, name: str | None = None, **fields: Any) -> AGTestSuite:
    return AGTestSuite.objects.create(
        project=project, name=name or f"Suite {next(_counter)}", **fields
    )


def make_case(suite: AGTestSuite, name: str | None = None, **fields: Any) -> AGTestCase:
    return AGTestCase.objects.create(suite=suite, name=name or f"Case {next(_counter)}", **fields)


def make_command(case: AGTestCase, name: str | None = None, **fields: Any) -> AGTestCommand:
    """A command worth `points_for_correct_return_code` (default 1) for exit code 0."""
    defaults: dict[str, Any] = {
        "cmd": "./prog",
        "expected_return_code": "zero",
        "points_for_correct_return_code": 1,
    }
    return AGTestCommand.objects.create(
        case=case, name=name or f"Command {next(_counter)}", **{**defaults, **fields}
    )


def make_submission(
    group: Group,
    *,
    status: str = SubmissionStatus.FINISHED_GRADING,
    timestamp: datetime | None = None,
    submitter: User | None = None,
    **fields: Any,
) -> Submission:
    submitter = submitter or group.members.order_by("pk").first()
    assert submitter is not None, "the group needs a member to submit"
    return Submission.objects.create(
        group=group,
        project=group.project,
        submitter=submitter,
        status=status,
        timestamp=timestamp or timezone.now(),
        submitted_filenames=["main.cpp"],
        **fields,
    )


def make_suite_result(
    submission: Submission,
    suite: AGTestSuite | None,
    *,
    setup_stdout: bytes = b"",
    setup_stderr: bytes = b"",
    **fields: Any,
) -> AGTestSuiteResult:
    result = AGTestSuiteResult(
        submission=submission,
        suite=suite,
        suite_name=fields.pop("suite_name", suite.name if suite else "Deleted suite"),
        **fields,
    )
    output_store(result, "setup_stdout", setup_stdout, truncated=False)
    output_store(result, "setup_stderr", setup_stderr, truncated=False)
    result.save()
    return result


def make_case_result(
    suite_result: AGTestSuiteResult, case: AGTestCase | None, **fields: Any
) -> AGTestCaseResult:
    return AGTestCaseResult.objects.create(
        suite_result=suite_result,
        case=case,
        case_name=fields.pop("case_name", case.name if case else "Deleted case"),
        **fields,
    )


def make_command_result(
    case_result: AGTestCaseResult,
    command: AGTestCommand | None,
    *,
    stdout: bytes = b"",
    stderr: bytes = b"",
    stdout_truncated: bool = False,
    **fields: Any,
) -> AGTestCommandResult:
    """By default a passing run (exit 0, full points of `command`)."""
    possible = command.points_possible if command else 0
    defaults: dict[str, Any] = {
        "command_name": command.name if command else "Deleted command",
        "return_code": 0,
        "return_code_correct": True,
        "points_awarded": possible,
        "points_possible": possible,
    }
    result = AGTestCommandResult(case_result=case_result, command=command, **{**defaults, **fields})
    output_store(result, "stdout", stdout, truncated=stdout_truncated)
    output_store(result, "stderr", stderr, truncated=False)
    result.save()
    return result


def grade(
    submission: Submission, points: dict[AGTestCommand, int] | None = None, **fields: Any
) -> list[AGTestSuiteResult]:
    """Stores results for every command of the submission's project: `points[command]`
    points (default: full points), correct exactly when given full points. Extra `fields`
    go to every command result."""
    points = points or {}
    suite_results = []
    for suite in AGTestSuite.objects.filter(project=submission.project).order_by("order", "pk"):
        suite_result = make_suite_result(submission, suite)
        for case in suite.cases.order_by("order", "pk"):
            case_result = make_case_result(suite_result, case)
            for command in case.commands.order_by("order", "pk"):
                awarded = points.get(command, command.points_possible)
                make_command_result(
                    case_result,
                    command,
                    points_awarded=awarded,
                    return_code=0 if awarded == command.points_possible else 1,
                    return_code_correct=awarded == command.points_possible,
                    **fields,
                )
        suite_results.append(suite_result)
    return suite_results
