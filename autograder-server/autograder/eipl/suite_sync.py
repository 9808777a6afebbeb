"""The suite an EiPL question generates from its test cases (function name, arguments,
expected value): a harness for the question's language (Python, or C: compiled with gcc in
the sandbox) and a cases file (the arguments only) as instructor files, and one
test case per (arguments, expected) whose command runs the harness and has its output, one
returned value per generation, checked by the grader against the expected value
(`grading/config/value_checks.py`). The expected values stay in the database: the generated
code runs in the sandbox and must not be able to read them.

The suite is rewritten on every save of the question, so staff edit the question, not the
suite (edits made to the suite directly are replaced).
"""

import json
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile

from autograder.eipl import c_signature
from autograder.eipl.c_signature import CSignature
from autograder.eipl.models import EiplQuestion, Language
from autograder.grading.config.models import (
    MAX_TIME_LIMIT_S,
    AGTestSuite,
    ExpectedOutputSource,
)
from autograder.grading.config.services.cases import case_create
from autograder.grading.config.services.commands import command_create
from autograder.grading.config.services.suites import suite_create, suite_delete, suite_update
from autograder.grading.config.value_checks import ValueSpec
from autograder.projects.models import InstructorFile
from autograder.projects.services import (
    instructor_file_create,
    instructor_file_delete,
    instructor_file_replace,
)

HARNESS_NAMES = {Language.PYTHON: "eipl_harness.py", Language.C: "eipl_harness_c.py"}
CASES_NAME = "eipl_cases.json"
SUITE_NAME = "EiPL tests"
_HARNESSES = {
    Language.PYTHON: Path(__file__).with_name("harness_python.txt").read_text(),
    Language.C: Path(__file__).with_name("harness_c.txt").read_text(),
}
# Each generation runs up to 10 s; C compiles first (a second or two; gcc's own limit is
# 10 s a step, for code that makes the compiler work hard). The command's limit is capped at
# MAX_TIME_LIMIT_S: lines printed before it stay, missing ones fail.
_SECONDS_PER_GENERATION = {Language.PYTHON: 11, Language.C: 13}


def question_signature(question: EiplQuestion) -> CSignature | None:
    """A C question's parsed signature (None for Python). Saved questions hold a valid one."""
    if question.language != Language.C:
        return None
    return c_signature.signature_parse(question.c_signature)


def generation_names(question: EiplQuestion) -> list[str]:
    """solution.py, solution_2.py, …: where each generation is stored in the submission."""
    path = Path(question.file_name)
    return [question.file_name] + [
        f"{path.stem}_{k}{path.suffix}" for k in range(2, question.num_generations + 1)
    ]


def call_text(question: EiplQuestion, args: list[Any]) -> str:
    """The call as the question's language writes it: `add(1, 2)`, `mean({1.5, 2.5}, 2)`."""
    signature = question_signature(question)
    if signature is not None:
        return c_signature.call_text(signature, args)
    return f"{question.function_name}({', '.join(repr(a) for a in args)})"


def _cases_json(question: EiplQuestion) -> bytes:
    """What the harness reads: never an expected value."""
    body: dict[str, Any] = {
        "function_name": question.function_name,
        "files": generation_names(question),
    }
    signature = question_signature(question)
    if signature is not None:
        body.update(signature.harness_spec())
    body["cases"] = [{"args": c["args"]} for c in question.test_cases]
    return json.dumps(body, indent=1).encode()


def _expected(question: EiplQuestion, expected: Any) -> Any:
    signature = question_signature(question)
    return expected if signature is None else c_signature.expected_for_check(signature, expected)


def _file_put(
    question: EiplQuestion, current: InstructorFile | None, name: str, content: bytes
) -> InstructorFile:
    if current is not None and current.name != name:
        # The language changed: its harness has another name.
        if InstructorFile.objects.filter(pk=current.pk).exists():
            instructor_file_delete(instructor_file=current)
        current = None
    if current is not None and InstructorFile.objects.filter(pk=current.pk).exists():
        return instructor_file_replace(
            instructor_file=current, content=ContentFile(content, name=name)
        )
    return instructor_file_create(
        project=question.project, name=name, content=ContentFile(content, name=name)
    )


def _suite_remove(question: EiplQuestion) -> None:
    if question.suite_id is not None:
        suite = AGTestSuite.objects.filter(pk=question.suite_id).first()
        if suite is not None:
            suite_delete(suite=suite)
    for file in (question.harness_file, question.cases_file):
        if file is not None:
            instructor_file_delete(instructor_file=file)
    question.suite = question.harness_file = question.cases_file = None


def suite_sync(question: EiplQuestion) -> None:
    """Makes the question's suite match its test cases (none: no suite). Call in a
    transaction; saves the question's links to what it made."""
    if not question.test_cases:
        _suite_remove(question)
        question.save(update_fields=["suite", "harness_file", "cases_file", "last_modified"])
        return
    language = Language(question.language)
    harness_name = HARNESS_NAMES[language]
    question.harness_file = _file_put(
        question, question.harness_file, harness_name, _HARNESSES[language].encode()
    )
    question.cases_file = _file_put(
        question, question.cases_file, CASES_NAME, _cases_json(question)
    )
    suite = AGTestSuite.objects.filter(pk=question.suite_id).first() if question.suite_id else None
    if suite is None:
        suite = suite_create(
            project=question.project,
            name=_free_suite_name(question),
            instructor_files_needed=[question.harness_file, question.cases_file],
            description="Generated from the EiPL question's test cases; edit them there.",
        )
    else:
        needed = list(suite.instructor_files_needed.all())
        if question.harness_file not in needed:  # a new harness after a change of language
            suite_update(suite=suite, instructor_files_needed=[*needed, question.harness_file])
    suite.cases.all().delete()
    for index, case in enumerate(question.test_cases):
        made = case_create(
            suite=suite,
            name=f"{index + 1}. {call_text(question, case['args'])}"[:255],
        )
        command_create(
            case=made,
            name="Call",
            # exec: no shell stays behind holding the output (it could be written
            # through /proc by the generated code; the harness itself is undumpable).
            cmd=f"exec python3 {harness_name} {index}",
            expected_stdout_source=ExpectedOutputSource.VALUES,
            expected_stdout_text=ValueSpec(
                expected=_expected(question, case["expected"]),
                lines=question.num_generations,
                pass_rule=question.pass_rule,
            ).text(),
            points_for_correct_stdout=int(case.get("points", question.points_per_case)),
            time_limit_s=min(
                MAX_TIME_LIMIT_S,
                _SECONDS_PER_GENERATION[language] * question.num_generations + 5,
            ),
        )
    question.suite = suite
    question.save(update_fields=["suite", "harness_file", "cases_file", "last_modified"])


def _free_suite_name(question: EiplQuestion) -> str:
    taken = set(AGTestSuite.objects.filter(project=question.project).values_list("name", flat=True))
    name, number = SUITE_NAME, 2
    while name in taken:
        name, number = f"{SUITE_NAME} {number}", number + 1
    return name
