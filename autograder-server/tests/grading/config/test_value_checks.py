"""Returned-value checks: the grader, outside the sandbox, compares each line a command prints
with an expected value the sandbox never holds (what EiPL questions grade with)."""

import json
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from autograder.grading.config import value_checks
from autograder.grading.config.models import AGTestCase
from autograder.grading.results.models import AGTestCommandResult
from autograder.sandbox.pool import PoolManager
from autograder.submissions.models import SubmissionStatus
from tests import factories
from tests.grading import pipeline_helpers as h


def spec(expected: Any, lines: int = 1, rule: str = "any") -> value_checks.ValueSpec:
    return value_checks.spec_parse(json.dumps({"expected": expected, "lines": lines, "pass": rule}))


@pytest.mark.parametrize(
    ("expected", "stdout", "passes"),
    [
        (3, b"3\n", True),
        (3, b"3.0000000000001\n", True),
        (0.3, b"0.30000000000000004\n", True),
        (3, b"4\n", False),
        (True, b"1\n", False),
        (1, b"true\n", False),
        ([1, [2, "x"]], b'[1, [2, "x"]]\n', True),
        ([1, 2], b"[1, 2, 3]\n", False),
        ({"a": 1}, b'{"a": 1.0}\n', True),
        ({"a": 1}, b'{"a": 1, "b": 2}\n', False),
        ("hi", b'"hi"\n', True),
        (None, b"null\n", True),
        (3, b"!raised ZeroDivisionError\n", False),
        (3, b"not json\n", False),
        (3, b"", False),
    ],
)
def test_values_compare_as_json_with_a_tolerance_for_numbers(
    expected: Any, stdout: bytes, passes: bool
) -> None:
    assert value_checks.values_pass(spec(expected), stdout) is passes


@pytest.mark.parametrize(
    ("rule", "stdout", "passes"),
    [
        ("any", b"1\n3\n1\n", True),
        ("any", b"1\n1\n1\n", False),
        ("all", b"3\n3\n3\n", True),
        ("all", b"3\n3\n", False),  # a generation that printed nothing fails
        ("all", b"3\n3\n!took longer than 10 s\n", False),
        ("majority", b"3\n1\n3\n", True),
        ("majority", b"3\n1\n1\n", False),
        ("any", b"1\n1\n1\n3\n", False),  # lines after the first three don't count
    ],
)
def test_the_pass_rule_counts_the_first_lines(rule: str, stdout: bytes, passes: bool) -> None:
    assert value_checks.values_pass(spec(3, lines=3, rule=rule), stdout) is passes


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("3", "exactly"),
        ("{", "Not JSON"),
        ('{"expected": 1, "lines": 0, "pass": "any"}', '"lines"'),
        ('{"expected": 1, "lines": true, "pass": "any"}', '"lines"'),
        ('{"expected": 1, "lines": 1, "pass": "most"}', '"pass"'),
        ('{"expected": 1, "lines": 1}', "exactly"),
    ],
)
def test_a_bad_spec_says_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(value_checks.ValueSpecError, match=reason):
        value_checks.spec_parse(text)


@pytest.mark.django_db
def test_the_command_api_refuses_a_bad_spec_and_values_on_stderr() -> None:
    project = h.project_with_catch_all()
    case = AGTestCase.objects.create(suite=h.suite(project), name="Values")
    staff = factories.add_role(project.course, factories.make_user(), "admin")
    client = APIClient()
    client.force_authenticate(staff)
    url = f"/api/cases/{case.pk}/commands/"
    bad = {"name": "c", "cmd": "true", "expected_stdout_source": "values"}

    response = client.post(url, {**bad, "expected_stdout_text": "3"}, format="json")
    assert response.status_code == 400
    assert "expected_stdout_text" in response.json()["fields"]

    response = client.post(
        url,
        {"name": "c", "cmd": "true", "expected_stderr_source": "values"},
        format="json",
    )
    assert response.status_code == 400
    assert "expected_stderr_source" in response.json()["fields"]
    assert not case.commands.exists()


@pytest.mark.django_db
def test_a_suite_scores_returned_values_it_never_held(
    provider: PoolManager, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    project = h.project_with_catch_all()
    suite = h.suite(project)
    checks = {
        "right": ("printf '42\\n'", 42, "any"),
        "close enough": ("printf '41.99999999999\\n'", 42, "any"),
        "wrong": ("printf '41\\n'", 42, "any"),
        "one of two": ("printf '41\\n42\\n'", 42, "all"),
    }
    for name, (cmd, expected, rule) in checks.items():
        lines = 2 if rule == "all" else 1
        h.command(
            suite,
            cmd,
            name=name,
            expected_stdout_source="values",
            expected_stdout_text=json.dumps({"expected": expected, "lines": lines, "pass": rule}),
            points_for_correct_stdout=1,
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
        "right": (True, 1),
        "close enough": (True, 1),
        "wrong": (False, 0),
        "one of two": (False, 0),
    }
