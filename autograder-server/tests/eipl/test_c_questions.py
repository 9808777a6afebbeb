"""C questions: staff give the function's signature; the question's defaults, the checks of
its test cases against the signature, the generated suite (a C harness, the arguments only in
the sandbox) and the prompt the model gets."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from autograder.eipl import services
from autograder.eipl.models import DEFAULT_C_PROMPT, DEFAULT_PROMPT, EiplAttempt, EiplQuestion
from autograder.grading.config.models import AGTestSuite
from autograder.projects.models import InstructorFile
from tests import factories
from tests.eipl.helpers import ADD_CASES, add_question, student_group
from tests.eipl.llm_standin import LlmStandin

pytestmark = pytest.mark.django_db

ADD_C = {"language": "c", "c_signature": "int add(int a, int b)"}


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[LlmStandin]:
    with (
        LlmStandin() as server,
        override_settings(LLM_BASE_URL=server.base_url, LLM_MODEL="standin"),
    ):
        yield server


def staff_client(project: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(factories.add_role(project.course, factories.make_user(), "staff"))
    return client


def _read(instructor_file: InstructorFile | None) -> str:
    assert instructor_file is not None
    with instructor_file.file_obj.open("rb") as stored:
        return bytes(stored.read()).decode()


def test_a_c_question_gets_c_defaults_and_a_c_harness() -> None:
    question = add_question(language="c", c_signature="int   add(int a,int b);")

    assert question.file_name == "solution.c"
    assert question.prompt_template == DEFAULT_C_PROMPT
    assert question.c_signature == "int add(int a, int b)"
    assert question.suite is not None
    assert [c.name for c in question.suite.cases.order_by("order")] == [
        "1. add(1, 2)",
        "2. add(5, 0)",
        "3. add(-1, 1)",
    ]
    command = question.suite.cases.get(name="1. add(1, 2)").commands.get()
    assert command.cmd == "exec python3 eipl_harness_c.py 0"
    assert command.expected_stdout_source == "values"
    assert json.loads(command.expected_stdout_text) == {"expected": 3, "lines": 1, "pass": "any"}
    names = sorted(f.name for f in question.suite.instructor_files_needed.all())
    assert names == ["eipl_cases.json", "eipl_harness_c.py"]
    assert "gcc" in _read(question.harness_file)


def test_the_c_sandbox_gets_the_arguments_and_the_prototype_never_the_expected_values() -> None:
    question = add_question(
        language="c",
        function_name="mean",
        c_signature="double mean(const double *xs, int n)",
        test_cases=[{"args": [[1.5, 2.5]], "expected": 987654.321}],
    )

    cases = json.loads(_read(question.cases_file))

    assert cases == {
        "function_name": "mean",
        "files": ["solution.c"],
        "prototype": "double mean(const double *xs, int n)",
        "returns": "double",
        "params": [{"name": "xs", "kind": "double[]"}, {"name": "n", "kind": "length"}],
        "cases": [{"args": [[1.5, 2.5]]}],
    }
    assert question.suite is not None
    assert [c.name for c in question.suite.cases.all()] == ["1. mean({1.5, 2.5}, 2)"]
    for instructor_file in question.suite.instructor_files_needed.all():
        assert "987654" not in _read(instructor_file), instructor_file.name


def test_a_float_result_is_checked_at_float_precision() -> None:
    question = add_question(
        language="c",
        function_name="third",
        c_signature="float third(float x)",
        test_cases=[{"args": [1], "expected": 1 / 3}],
    )
    assert question.suite is not None
    command = question.suite.cases.get().commands.get()
    assert json.loads(command.expected_stdout_text)["expected"] == 0.33333334


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"language": "c"}, "c_signature", "Give the function's C signature"),
        ({**ADD_C, "c_signature": "void add(int a, int b)"}, "c_signature", "void is not"),
        ({**ADD_C, "c_signature": "int plus(int a, int b)"}, "c_signature", "names 'plus'"),
        (
            {**ADD_C, "test_cases": [*ADD_CASES, {"args": [1, "2"], "expected": 3}]},
            "test_cases",
            "Test case 4 argument 2 (b) must be a whole number",
        ),
        (
            {**ADD_C, "test_cases": [{"args": [1, 2, 3], "expected": 3}]},
            "test_cases",
            "Test case 1 gives 3 arguments; int add(int a, int b) takes 2.",
        ),
        (
            {**ADD_C, "test_cases": [{"args": [1, 2], "expected": "three"}]},
            "test_cases",
            "Test case 1 expected value must be a whole number",
        ),
        ({**ADD_C, "file_name": "answer.py"}, "file_name", "A C question's file name ends in .c"),
        ({"prompt_template": "{signature}: {explanation}"}, "prompt_template", "for C questions"),
        ({"language": "cobol"}, "language", ""),
    ],
)
def test_bad_c_settings_are_a_400_naming_the_field(
    body: dict[str, Any], field: str, reason: str
) -> None:
    project = factories.make_project()
    client = staff_client(project)
    full = {"function_name": "add", "test_cases": ADD_CASES, **body}

    response = client.put(f"/api/projects/{project.pk}/eipl_question/", full, format="json")

    assert response.status_code == 400, response.content
    assert reason in response.json()["fields"][field][0], response.json()
    assert not EiplQuestion.objects.exists()
    assert not AGTestSuite.objects.exists()


def test_switching_the_language_swaps_the_defaults_and_the_harness() -> None:
    """The website sends every field back: the Python defaults it sends with language C
    become C's, and back again; the suite keeps its id and gets the other harness."""
    question = add_question()
    client = staff_client(question.project)
    url = f"/api/projects/{question.project_id}/eipl_question/"
    sent = client.get(url).json()
    suite_id = sent["suite"]

    as_c = client.put(url, {**sent, **ADD_C}, format="json")

    assert as_c.status_code == 200, as_c.content
    assert (as_c.json()["file_name"], as_c.json()["prompt_template"]) == (
        "solution.c",
        DEFAULT_C_PROMPT,
    )
    suite = AGTestSuite.objects.get(pk=suite_id)
    assert sorted(f.name for f in suite.instructor_files_needed.all()) == [
        "eipl_cases.json",
        "eipl_harness_c.py",
    ]
    assert not InstructorFile.objects.filter(name="eipl_harness.py").exists()

    back = client.put(url, {**as_c.json(), "language": "python"}, format="json")

    assert back.status_code == 200, back.content
    assert (back.json()["file_name"], back.json()["prompt_template"]) == (
        "solution.py",
        DEFAULT_PROMPT,
    )
    assert back.json()["suite"] == suite_id
    command = suite.cases.order_by("order").first().commands.get()  # type: ignore[union-attr]
    assert command.cmd == "exec python3 eipl_harness.py 0"


def test_a_c_question_asks_the_model_for_c_and_stores_solution_c(standin: LlmStandin) -> None:
    question = add_question(**ADD_C)
    _client, group = student_group(question)
    submission = services.explanation_submit(
        group=group, submitter=group.members.get(), explanation="It adds the two numbers."
    )
    attempt = EiplAttempt.objects.get(submission=submission)

    services.attempt_generate(attempt_id=attempt.pk, last_try=True)

    [prompt] = standin.prompts_with("It adds the two numbers.")
    assert prompt.startswith("Write a C function named add that does the following:")
    assert "Its signature is int add(int a, int b)\n" in prompt
    attempt.refresh_from_db()
    [generation] = attempt.generations
    assert generation["file_name"] == "solution.c"
    assert "int add(int a, int b)\n{\n    return a + b;\n}\n" in generation["code"]
    assert "```" not in generation["code"]


def test_students_see_the_signature_they_explain() -> None:
    question = add_question(**ADD_C)
    client, _group = student_group(question)

    body = client.get(f"/api/projects/{question.project_id}/eipl_question/student/").json()

    assert body["question"]["language"] == "c"
    assert body["question"]["c_signature"] == "int add(int a, int b)"
