"""The question's settings and generated suite, bad input, and the generation step run in this
process against the language-model stand-in (a real HTTP server on 127.0.0.1)."""

import datetime
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from autograder.eipl import budget, llm, services
from autograder.eipl.models import EiplAttempt, EiplQuestion, EiplUsage
from autograder.grading.config.models import AGTestSuite
from autograder.projects.models import InstructorFile
from autograder.submissions.models import SubmissionStatus
from tests import factories
from tests.eipl.helpers import ADD_CASES, add_question, standin_configured, student_group
from tests.eipl.llm_standin import LlmStandin

pytestmark = pytest.mark.django_db


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[LlmStandin]:
    with standin_configured(tmp_path, LLM_DAILY_CALLS_PER_COURSE=5) as server:
        yield server


def staff_client(question_project: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(
        factories.add_role(question_project.course, factories.make_user(), "staff")
    )
    return client


def test_saving_a_question_writes_its_suite_and_rewrites_it_on_change() -> None:
    question = add_question()
    assert question.suite is not None
    suite = question.suite
    assert [c.name for c in suite.cases.order_by("order")] == [
        "1. add(1, 2)",
        "2. add(5, 0)",
        "3. add(-1, 1)",
    ]
    command = suite.cases.get(name="1. add(1, 2)").commands.get()
    assert (command.cmd, command.points_for_correct_stdout) == ("exec python3 eipl_harness.py 0", 1)
    assert command.expected_stdout_source == "values"
    assert json.loads(command.expected_stdout_text) == {"expected": 3, "lines": 1, "pass": "any"}

    services.question_save(
        project=question.project,
        test_cases=ADD_CASES[:1],
        points_per_case=4,
        num_generations=3,
        pass_rule="majority",
    )

    suite.refresh_from_db()
    assert [c.name for c in suite.cases.all()] == ["1. add(1, 2)"]
    command = suite.cases.get().commands.get()
    assert command.points_for_correct_stdout == 4
    assert json.loads(command.expected_stdout_text) == {
        "expected": 3,
        "lines": 3,
        "pass": "majority",
    }
    assert question.project.expected_student_files.filter(pattern="explanation.txt").exists()


def test_the_expected_values_never_reach_the_sandbox() -> None:
    """The generated code runs beside the suite's instructor files: they hold the arguments
    and the harness, never an expected value or the pass rule."""
    question = add_question(
        test_cases=[{"args": [1, 2], "expected": 987654321}, {"args": [5, 0], "expected": "xyzzy"}]
    )
    assert question.suite is not None
    for instructor_file in question.suite.instructor_files_needed.all():
        with instructor_file.file_obj.open("rb") as stored:
            content = stored.read().decode()
        assert "987654321" not in content and "xyzzy" not in content, instructor_file.name
    with question.cases_file.file_obj.open("rb") as stored:  # type: ignore[union-attr]
        assert json.load(stored)["cases"] == [{"args": [1, 2]}, {"args": [5, 0]}]


def test_deleting_a_question_removes_its_suite_and_files() -> None:
    question = add_question()
    client = staff_client(question.project)

    assert client.delete(f"/api/projects/{question.project_id}/eipl_question/").status_code == 204

    assert not AGTestSuite.objects.filter(project=question.project).exists()
    assert not InstructorFile.objects.filter(project=question.project).exists()
    assert not EiplQuestion.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"function_name": "1st"}, "function_name"),
        ({"function_name": "class"}, "function_name"),
        ({"function_name": "f", "file_name": "solution.c"}, "file_name"),
        ({"function_name": "f", "prompt_template": "Write {function_name}"}, "prompt_template"),
        ({"function_name": "f", "num_generations": 9}, "num_generations"),
        ({"function_name": "f", "temperature": 3}, "temperature"),
        ({"function_name": "f", "pass_rule": "some"}, "pass_rule"),
        ({"function_name": "f", "test_cases": [{"args": 1, "expected": 2}]}, "test_cases"),
        ({"function_name": "f", "test_cases": [{"expected": 2}]}, "test_cases"),
        ({"temperature": 0.2}, "function_name"),
        ({"function_name": "f", "test_cases": [{"args": ["\u0000"], "expected": 1}]}, "test_cases"),
    ],
)
def test_bad_settings_are_a_400_naming_the_field_and_store_nothing(
    body: dict[str, Any], field: str
) -> None:
    project = factories.make_project()
    client = staff_client(project)

    response = client.put(f"/api/projects/{project.pk}/eipl_question/", body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["fields"], response.json()
    assert not EiplQuestion.objects.exists()
    assert not AGTestSuite.objects.exists()


@pytest.mark.parametrize(
    ("text", "reason"), [("   ", "Explain what"), ("x" * 31, "Keep the explanation to 30")]
)
def test_an_empty_or_long_explanation_is_refused(
    standin: LlmStandin, text: str, reason: str
) -> None:
    question = add_question(max_explanation_chars=30)
    client, group = student_group(question)

    response = client.post(
        f"/api/groups/{group.pk}/eipl_explanations/", {"explanation": text}, format="json"
    )

    assert response.status_code == 400
    assert reason in response.json()["fields"]["explanation"][0]
    assert not group.submissions.exists()


def test_without_a_model_explanations_are_refused() -> None:
    question = add_question()
    client, group = student_group(question)

    response = client.post(
        f"/api/groups/{group.pk}/eipl_explanations/", {"explanation": "adds"}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (409, "llm_not_configured")


def _submitted(question: EiplQuestion, text: str) -> EiplAttempt:
    _client, group = student_group(question)
    submission = services.explanation_submit(
        group=group, submitter=group.members.get(), explanation=text
    )
    assert submission.status == SubmissionStatus.RECEIVED
    return EiplAttempt.objects.get(submission=submission)


def test_generation_stores_the_code_and_queues_the_submission(standin: LlmStandin) -> None:
    attempt = _submitted(add_question(), "It adds the two numbers.")

    services.attempt_generate(attempt_id=attempt.pk, last_try=True)

    attempt.refresh_from_db()
    assert attempt.generations[0]["code"] == "def add(a, b):\n    return a + b\n"
    assert attempt.submission.status == SubmissionStatus.QUEUED
    usage = EiplUsage.objects.get(course=attempt.question.project.course)
    assert (usage.calls, usage.tokens) == (1, attempt.tokens_used)
    assert usage.tokens > 0


def test_a_budget_spent_after_submitting_errors_the_submission(standin: LlmStandin) -> None:
    attempt = _submitted(add_question(), "It adds the two numbers.")
    EiplUsage.objects.create(course=attempt.question.project.course, day=budget.today(), calls=5)

    services.attempt_generate(attempt_id=attempt.pk, last_try=False)

    attempt.submission.refresh_from_db()
    assert attempt.submission.status == SubmissionStatus.ERROR
    assert "used its 5 language-model calls for today" in attempt.submission.error_msg
    assert standin.requests == []


def test_a_token_budget_refuses_too(standin: LlmStandin) -> None:
    question = add_question()
    client, group = student_group(question)
    EiplUsage.objects.create(course=question.project.course, day=budget.today(), tokens=100)

    with override_settings(LLM_DAILY_TOKENS_PER_COURSE=100):
        response = client.post(
            f"/api/groups/{group.pk}/eipl_explanations/", {"explanation": "adds"}, format="json"
        )

    assert response.status_code == 429
    assert "its 100 language-model tokens" in response.json()["message"]


def test_a_wrong_key_is_a_clear_error_without_retries(standin: LlmStandin, tmp_path: Path) -> None:
    attempt = _submitted(add_question(), "It adds the two numbers.")
    wrong = tmp_path / "wrong"
    wrong.write_text("nope")

    with override_settings(LLM_API_KEY_FILE=str(wrong)):
        services.attempt_generate(attempt_id=attempt.pk, last_try=False)

    attempt.submission.refresh_from_db()
    assert attempt.submission.error_msg == (
        "The language model's endpoint refused the request (401)."
    )
    assert len(standin.requests) == 1


def test_a_removed_submission_is_not_generated(standin: LlmStandin) -> None:
    from autograder.submissions.services import submission_remove_from_queue

    attempt = _submitted(add_question(), "It adds the two numbers.")
    submission_remove_from_queue(submission=attempt.submission)

    services.attempt_generate(attempt_id=attempt.pk, last_try=True)

    attempt.refresh_from_db()
    assert attempt.state == "failed"
    assert standin.requests == []


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ("```python\ndef f():\n    return 1\n```", "def f():\n    return 1\n"),
        ("Sure!\n```\ndef f(): pass\n```\nDone.", "def f(): pass\n"),
        ("def f(): pass", "def f(): pass\n"),
    ],
)
def test_code_is_taken_from_the_first_fenced_block(answer: str, code: str) -> None:
    assert llm.code_from(answer) == code


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ("```c\nint f(void) { return 1; }\n```", "int f(void) { return 1; }\n"),
        ("```C\nint f(void);\n```", "int f(void);\n"),
        # The block in the question's language wins over a compile line shown first.
        ("```sh\ngcc f.c\n```\nThe code:\n```c\nint f(void);\n```", "int f(void);\n"),
        ("```\nint f(void);\n```", "int f(void);\n"),
    ],
)
def test_a_c_answer_gives_its_c_block(answer: str, code: str) -> None:
    assert llm.code_from(answer, language="c") == code


def test_only_the_placeholders_are_filled() -> None:
    rendered = llm.prompt_render(
        "{language} {function_name}: {explanation} {other} {signature} {",
        language="Python",
        function_name="f",
        explanation="adds {x} {signature}",
    )
    assert rendered == "Python f: adds {x} {signature} {other} {signature} {"


def test_a_c_prompt_gets_the_signature_but_the_explanation_stays_as_typed() -> None:
    rendered = llm.prompt_render(
        "{language} {function_name}: {explanation} / {signature}",
        language="C",
        function_name="add",
        explanation="adds {signature}",
        signature="int add(int a, int b)",
    )
    assert rendered == "C add: adds {signature} / int add(int a, int b)"


def test_a_student_asks_every_project_whether_it_is_a_question() -> None:
    question = add_question()
    ordinary = factories.make_project(question.project.course)
    client, _group = student_group(question)

    mine = client.get(f"/api/projects/{question.project_id}/eipl_question/student/")
    other = client.get(f"/api/projects/{ordinary.pk}/eipl_question/student/")

    assert mine.json() == {
        "question": {
            "function_name": "add",
            "language": "python",
            "c_signature": "",
            "max_explanation_chars": 2000,
            "num_generations": 1,
        }
    }
    assert (other.status_code, other.json()) == (200, {"question": None})


def test_the_honor_pledge_is_asked_as_for_any_submission(standin: LlmStandin) -> None:
    question = add_question()
    question.project.use_honor_pledge = True
    question.project.honor_pledge_text = "I wrote this myself."
    question.project.save()
    client, group = student_group(question)
    url = f"/api/groups/{group.pk}/eipl_explanations/"

    refused = client.post(url, {"explanation": "It adds."}, format="json")
    accepted = client.post(
        url, {"explanation": "It adds.", "honor_pledge_accepted": True}, format="json"
    )

    assert refused.status_code == 400
    assert "honor_pledge_accepted" in refused.json()["fields"]
    assert accepted.status_code == 201


def test_an_explanation_nobody_writes_code_for_ends_in_error(standin: LlmStandin) -> None:
    waiting = _submitted(add_question(), "It adds the two numbers.")
    fresh = _submitted(add_question(), "It adds the two numbers.")
    EiplAttempt.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=2)
    )

    assert services.attempts_give_up() == 1

    waiting.submission.refresh_from_db()
    fresh.submission.refresh_from_db()
    assert waiting.submission.status == SubmissionStatus.ERROR
    assert "No code was written from this explanation in time" in waiting.submission.error_msg
    assert fresh.submission.status == SubmissionStatus.RECEIVED
