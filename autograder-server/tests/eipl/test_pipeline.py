"""An explanation end to end, with a real worker (on every queue, `llm` included), RabbitMQ,
PostgreSQL, Docker sandboxes and the language-model stand-in on 127.0.0.1: the model's code
is graded by the question's generated suite like any submitted file."""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from autograder.eipl import budget
from autograder.eipl.models import EiplAttempt, EiplUsage
from autograder.grading.results.models import AGTestCommandResult
from autograder.grading.results.output_storage import output_read
from autograder.grading.results.selectors import submission_scores
from autograder.submissions.models import Submission, SubmissionStatus
from tests.eipl.helpers import add_question, student_group
from tests.eipl.llm_standin import LlmStandin
from tests.grading.live_worker import LiveProcess, delete_queues, start_worker, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

API_KEY = "sk-standin-secret-4242"
DAILY_CALLS = 50
FINAL = {SubmissionStatus.FINISHED_GRADING, SubmissionStatus.ERROR, SubmissionStatus.REJECTED}


@dataclass
class Live:
    standin: LlmStandin
    worker: LiveProcess


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: None, django_db_blocker: Any
) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("eipl")
    key_file = tmp / "llm-key"
    key_file.write_text(API_KEY + "\n")
    prefix = f"test{os.getpid()}-"
    with LlmStandin(api_key=API_KEY, hang_seconds=3) as standin:
        llm = {
            "AG_LLM_BASE_URL": standin.base_url,
            "AG_LLM_MODEL": "standin",
            "AG_LLM_API_KEY_FILE": str(key_file),
            "AG_LLM_TIMEOUT_SECONDS": "1",
            "AG_LLM_MAX_TRIES": "2",
            "AG_LLM_RETRY_DELAY_SECONDS": "0.2",
            "AG_LLM_DAILY_CALLS_PER_COURSE": str(DAILY_CALLS),
        }
        with override_settings(
            MEDIA_ROOT=tmp / "media",
            QUEUE_PREFIX=prefix,
            LLM_BASE_URL=standin.base_url,
            LLM_MODEL="standin",
            LLM_API_KEY_FILE=str(key_file),
            LLM_DAILY_CALLS_PER_COURSE=DAILY_CALLS,
        ):
            with django_db_blocker.unblock():
                worker = start_worker(Path(tmp), env=llm)
            try:
                yield Live(standin, worker)
            finally:
                worker.kill()
                delete_queues(prefix)


def explain(question: Any, text: str) -> tuple[Submission, Any]:
    client, group = student_group(question)
    response = client.post(
        f"/api/groups/{group.pk}/eipl_explanations/", {"explanation": text}, format="json"
    )
    assert response.status_code == 201, response.content
    return Submission.objects.get(pk=response.json()["id"]), client


def wait_final(submission: Submission, timeout: float = 120) -> Submission:
    def final() -> bool:
        submission.refresh_from_db()
        return submission.status in FINAL

    wait_for(final, timeout=timeout, what=f"submission {submission.pk} to finish")
    return submission


def score(submission: Submission) -> tuple[int, int]:
    found = submission_scores(submission_ids=[submission.pk])[submission.pk]
    return int(found.awarded), int(found.possible)


def test_a_correct_explanation_gets_full_points_and_sees_the_code(live: Live) -> None:
    question = add_question()
    submission, client = explain(question, "It adds the two numbers it is given.")

    wait_final(submission)

    assert submission.status == SubmissionStatus.FINISHED_GRADING, submission.error_msg
    assert score(submission) == (3, 3)
    shown = client.get(f"/api/submissions/{submission.pk}/eipl_attempt/")
    assert shown.status_code == 200
    body = shown.json()
    assert body["state"] == "generated"
    assert body["generations"] == [
        {"file_name": "solution.py", "code": "def add(a, b):\n    return a + b\n"}
    ]
    assert API_KEY not in shown.content.decode()
    # The stand-in got the key from the file, as a bearer token, and the staff prompt.
    sent = [r for r in live.standin.requests if "adds the two numbers" in str(r["messages"])]
    assert [r["authorization"] for r in sent] == [f"Bearer {API_KEY}"]
    assert "Write a Python function named add" in sent[0]["messages"][-1]["content"]
    assert sorted(submission.submitted_filenames) == ["explanation.txt", "solution.py"]


def test_a_wrong_explanation_gets_partial_then_zero_points(live: Live) -> None:
    question = add_question()
    partial, _ = explain(question, "It subtracts the second number from the first.")
    nothing, _ = explain(question, "It does something with numbers.")

    wait_final(partial)
    wait_final(nothing)

    assert score(partial) == (1, 3)  # only add(5, 0) agrees with a - b
    assert score(nothing) == (0, 3)


def test_several_generations_pass_by_the_rule(live: Live) -> None:
    question = add_question(num_generations=3, pass_rule="all")
    submission, _client = explain(question, "It adds the two numbers.")

    wait_final(submission)

    assert score(submission) == (3, 3)
    files = [g["file_name"] for g in EiplAttempt.objects.get(submission=submission).generations]
    assert files == ["solution.py", "solution_2.py", "solution_3.py"]


def test_generated_code_cannot_read_the_expected_values(live: Live) -> None:
    """An explanation that asks for code reading the answers out of the sandbox's files gets
    nothing: the expected values are compared outside the sandbox."""
    question = add_question(num_generations=2, pass_rule="any")
    submission, _client = explain(question, "It looks the answer up in the test files.")

    wait_final(submission)

    assert submission.status == SubmissionStatus.FINISHED_GRADING, submission.error_msg
    assert score(submission) == (0, 3)
    outputs = _harness_outputs(submission)
    assert outputs == [b"null\nnull\n"] * 3


def test_generated_code_cannot_write_into_the_harness_output(live: Live) -> None:
    """Code that writes a line into every process's output it can open (it runs as the same
    user as the harness) reaches none of what the grader reads: no shell stays between the
    runner and the harness, and the harness's /proc entries are closed to the sandbox user."""
    question = add_question()
    submission, _client = explain(question, "It writes the answers into the grader's output.")

    wait_final(submission)

    assert score(submission) == (0, 3)
    for stdout, stderr in _harness_streams(submission):
        assert b"FORGED" not in stdout and b"FORGED" not in stderr
        assert stdout == b"null\n"
        assert b"returned null" in stderr


def _harness_streams(submission: Submission) -> list[tuple[bytes, bytes]]:
    results = AGTestCommandResult.objects.filter(
        case_result__suite_result__submission=submission
    ).order_by("case_result__case__order")
    return [(output_read(r, "stdout"), output_read(r, "stderr")) for r in results]


def _harness_outputs(submission: Submission) -> list[bytes]:
    return [stdout for stdout, _ in _harness_streams(submission)]


C_ADD = {"language": "c", "c_signature": "int add(int a, int b)"}


def test_a_c_question_grades_the_c_the_model_writes(live: Live) -> None:
    """The model is asked for C with the signature; its code is compiled with gcc in the
    sandbox: a correct explanation gets full points, a wrong one only what its code gets
    right."""
    question = add_question(**C_ADD)
    correct, client = explain(question, "It adds the two numbers it is given.")
    wrong, _ = explain(question, "It subtracts the second number from the first.")

    wait_final(correct)
    wait_final(wrong)

    assert correct.status == SubmissionStatus.FINISHED_GRADING, correct.error_msg
    assert score(correct) == (3, 3)
    assert score(wrong) == (1, 3)  # only add(5, 0) agrees with a - b
    [generation] = client.get(f"/api/submissions/{correct.pk}/eipl_attempt/").json()["generations"]
    assert generation["file_name"] == "solution.c"
    assert "int add(int a, int b)\n{\n    return a + b;\n}" in generation["code"]
    assert sorted(correct.submitted_filenames) == ["explanation.txt", "solution.c"]
    assert [out for out, _ in _harness_streams(wrong)] == [b"-1\n", b"5\n", b"-2\n"]
    _out, err = _harness_streams(correct)[0]
    assert b"generation 1 (solution.c): add(1, 2) returned 3" in err


def test_c_that_does_not_compile_gets_nothing_and_says_why(live: Live) -> None:
    question = add_question(**C_ADD)
    submission, _client = explain(question, "It is not finished: it adds a and ...")

    wait_final(submission)

    assert submission.status == SubmissionStatus.FINISHED_GRADING, submission.error_msg
    assert score(submission) == (0, 3)
    for stdout, stderr in _harness_streams(submission):
        assert stdout.startswith(b"!compile error: solution.c:"), stdout
        assert b"error: expected expression before '}' token" in stdout
        assert b"compile error" in stderr


def test_c_code_that_looks_for_the_expected_values_gets_nothing(live: Live) -> None:
    """C code that reads every JSON file it can reach (the cases file among them) for an
    "expected" value finds none and returns its fallback: the sandbox has only the
    arguments."""
    question = add_question(**C_ADD)
    submission, _client = explain(question, "It looks the answer up in the test files.")

    wait_final(submission)

    assert submission.status == SubmissionStatus.FINISHED_GRADING, submission.error_msg
    assert score(submission) == (0, 3)
    assert _harness_outputs(submission) == [b"-999\n"] * 3


def test_a_model_that_does_not_answer_is_retried_then_a_clear_error(live: Live) -> None:
    question = add_question()
    submission, client = explain(question, "HANG forever, then it adds the two numbers.")

    wait_final(submission, timeout=60)

    assert submission.status == SubmissionStatus.ERROR
    assert submission.error_msg == (
        "The language model did not answer within 1 s. Tried 2 times; submit again later."
    )
    assert len(live.standin.prompts_with("HANG forever")) == 2
    body = client.get(f"/api/submissions/{submission.pk}/eipl_attempt/").json()
    assert (body["state"], body["llm_calls"]) == ("failed", 2)


def test_a_course_whose_budget_is_spent_is_refused(live: Live) -> None:
    question = add_question()
    EiplUsage.objects.create(course=question.project.course, day=budget.today(), calls=DAILY_CALLS)
    client, group = student_group(question)

    response = client.post(
        f"/api/groups/{group.pk}/eipl_explanations/",
        {"explanation": "It adds the two numbers."},
        format="json",
    )

    assert response.status_code == 429
    assert response.json()["code"] == "llm_budget_spent"
    assert f"used its {DAILY_CALLS} language-model calls for today" in response.json()["message"]
    assert not Submission.objects.filter(group=group).exists()
