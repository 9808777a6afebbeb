"""Every write of EiPL questions: staff's question settings, a student's explanation, and the
code the language model writes from it (on the `llm` queue) before the submission is graded
like any other."""

import datetime
import json
import keyword
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from autograder.accounts.models import User
from autograder.common.errors import ApplicationError, NotFoundError, field_error
from autograder.common.filenames import check_filename
from autograder.eipl import budget, llm
from autograder.eipl.c_signature import (
    CSignature,
    CSignatureError,
    args_check,
    expected_check,
    signature_parse,
)
from autograder.eipl.models import (
    DEFAULT_FILE_NAMES,
    DEFAULT_PROMPTS,
    AttemptState,
    EiplAttempt,
    EiplQuestion,
    Language,
    PassRule,
)
from autograder.eipl.suite_sync import (
    CASES_NAME,
    HARNESS_NAMES,
    generation_names,
    question_signature,
    suite_sync,
)
from autograder.groups.models import Group
from autograder.projects.models import Project
from autograder.projects.services import expected_file_create
from autograder.submissions.models import Submission, SubmissionStatus
from autograder.submissions.services import (
    submission_create,
    submission_files_add,
    submission_mark_queued,
)
from autograder.submissions.status import submission_status_set

EXPLANATION_FILE = "explanation.txt"
MAX_GENERATIONS = 5
MAX_TEST_CASES = 200
QUESTION_FIELDS = (
    "function_name",
    "language",
    "c_signature",
    "file_name",
    "prompt_template",
    "system_prompt",
    "temperature",
    "num_generations",
    "pass_rule",
    "max_explanation_chars",
    "test_cases",
    "points_per_case",
)


SUFFIXES = {Language.PYTHON: ".py", Language.C: ".c"}


def _check_question(question: EiplQuestion) -> None:
    name = question.function_name
    if not name.isidentifier() or keyword.iskeyword(name):
        raise field_error("function_name", f"{name!r} is not a valid function name.")
    if question.language not in Language.values:
        raise field_error("language", f"Choose one of {', '.join(Language.values)}.")
    language = Language(question.language)
    check_filename(question.file_name, field="file_name")
    if Path(question.file_name).suffix != SUFFIXES[language]:
        raise field_error(
            "file_name",
            f"A {language.label} question's file name ends in {SUFFIXES[language]}.",
        )
    if question.file_name in (*HARNESS_NAMES.values(), CASES_NAME, EXPLANATION_FILE):
        raise field_error("file_name", f"{question.file_name} is used by the question itself.")
    if "{explanation}" not in question.prompt_template:
        raise field_error("prompt_template", "The prompt needs the {explanation} placeholder.")
    if language != Language.C and "{signature}" in question.prompt_template:
        raise field_error(
            "prompt_template", "The {signature} placeholder is for C questions (their prototype)."
        )
    if not 0 <= question.temperature <= 2:
        raise field_error("temperature", "The temperature is between 0 and 2.")
    if not 1 <= question.num_generations <= MAX_GENERATIONS:
        raise field_error("num_generations", f"Ask for 1 to {MAX_GENERATIONS} generations.")
    if question.pass_rule not in PassRule.values:
        raise field_error("pass_rule", f"Choose one of {', '.join(PassRule.values)}.")
    if not 1 <= question.max_explanation_chars <= 20_000:
        raise field_error("max_explanation_chars", "Allow 1 to 20000 characters.")
    _check_test_cases(question.test_cases)
    if language == Language.C:
        _check_c(question)


def _check_c(question: EiplQuestion) -> None:
    """The signature parses and names the function; every test case's arguments (and
    expected value) fit it. Stores the signature normalized."""
    try:
        signature = signature_parse(question.c_signature)
    except CSignatureError as error:
        raise field_error("c_signature", str(error)) from None
    if signature.name != question.function_name:
        raise field_error(
            "c_signature",
            f"The signature names {signature.name!r}, but the function name is "
            f"{question.function_name!r}.",
        )
    question.c_signature = signature.prototype()
    _check_cases_fit(signature, question.test_cases)


def _check_cases_fit(signature: CSignature, cases: list[dict[str, Any]]) -> None:
    for number, case in enumerate(cases, start=1):
        problem = args_check(signature, case["args"]) or expected_check(signature, case["expected"])
        if problem:
            raise field_error("test_cases", f"Test case {number} {problem}.")


def _follow_language(question: EiplQuestion, fields: dict[str, Any], previous: str) -> None:
    """A file name or prompt at a language's default becomes the default of the question's
    language (solution.py → solution.c) when this save does not set it, or changes the
    language: staff who only switch the language (the form sends every field back) get a
    question that works, while a file name given for the same language is checked as given."""
    if question.language not in Language.values:
        return
    language = Language(question.language)
    for field, defaults in (
        ("file_name", DEFAULT_FILE_NAMES),
        ("prompt_template", DEFAULT_PROMPTS),
    ):
        if field in fields and language == previous:
            continue
        if getattr(question, field) in defaults.values():
            setattr(question, field, defaults[language])


def _check_test_cases(cases: Any) -> None:
    if not isinstance(cases, list) or len(cases) > MAX_TEST_CASES:
        raise field_error("test_cases", f"Give a list of at most {MAX_TEST_CASES} test cases.")
    if "\\u0000" in json.dumps(cases):
        raise field_error("test_cases", "Test cases cannot hold NUL characters.")
    for number, case in enumerate(cases, start=1):
        if not isinstance(case, dict) or "args" not in case or "expected" not in case:
            raise field_error("test_cases", f"Test case {number} needs args and expected.")
        if not isinstance(case["args"], list):
            raise field_error("test_cases", f"Test case {number}'s args must be a list.")
        if set(case) - {"args", "expected", "points"}:
            raise field_error(
                "test_cases", f"Test case {number} has keys other than args, expected, points."
            )
        points = case.get("points", 0)
        if not isinstance(points, int) or isinstance(points, bool) or not 0 <= points <= 10_000:
            raise field_error("test_cases", f"Test case {number}'s points must be 0 to 10000.")


def question_save(*, project: Project, **fields: Any) -> EiplQuestion:
    """Makes `project` an EiPL question (or changes its settings) and rewrites the suite its
    test cases generate. `fields` are any of QUESTION_FIELDS."""
    unknown = set(fields) - set(QUESTION_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        question = EiplQuestion.objects.filter(project=project).first()
        if question is None:
            if "function_name" not in fields:
                raise field_error("function_name", "Name the function the students explain.")
            question = EiplQuestion(project=project)
        previous = question.language
        for key, value in fields.items():
            setattr(question, key, value)
        _follow_language(question, fields, previous)
        _check_question(question)
        question.save()
        _expect_explanation(project)
        suite_sync(question)
    return question


def _expect_explanation(project: Project) -> None:
    """The explanation arrives as the submission's file explanation.txt, which the project
    must expect (or the upload rules would discard it)."""
    if not project.expected_student_files.filter(pattern=EXPLANATION_FILE).exists():
        expected_file_create(project=project, pattern=EXPLANATION_FILE)


def question_delete(*, question: EiplQuestion) -> None:
    """The project becomes an ordinary project again; its generated suite goes too."""
    with transaction.atomic():
        question.test_cases = []
        suite_sync(question)
        question.delete()


def explanation_submit(
    *, group: Group, submitter: User, explanation: str, honor_pledge_accepted: bool = False
) -> Submission:
    """Accepts an explanation as a submission (the usual limits, deadlines and late days
    apply) and asks the `llm` queue for code; the submission is `received` until then."""
    question = EiplQuestion.objects.filter(project_id=group.project_id).first()
    if question is None:
        raise NotFoundError("This project is not an EiPL question.")
    text = explanation.strip()
    if not text:
        raise field_error("explanation", "Explain what the function does.")
    if len(text) > question.max_explanation_chars:
        raise field_error(
            "explanation",
            f"Keep the explanation to {question.max_explanation_chars} characters "
            f"(this one has {len(text)}).",
        )
    if not llm.is_configured():
        # A 409, not a 503: the server works; this site has no model set up (the API
        # answers no 5xx by design).
        raise ApplicationError(
            "No language model is configured on this server; ask your instructor.",
            code="llm_not_configured",
            status=409,
        )
    spent = budget.budget_of(course_id=group.project.course_id)
    if not spent.allows(question.num_generations):
        raise ApplicationError(spent.refusal(), code="llm_budget_spent", status=429)
    upload = SimpleUploadedFile(EXPLANATION_FILE, text.encode(), content_type="text/plain")
    with transaction.atomic():
        submission = submission_create(
            group=group,
            submitter=submitter,
            files=[upload],
            honor_pledge_accepted=honor_pledge_accepted,
            queue=False,
        )
        attempt = EiplAttempt.objects.create(
            submission=submission, question=question, explanation=text
        )
        transaction.on_commit(lambda: _send_generate(attempt.pk))
    return submission


def _send_generate(attempt_id: int) -> None:
    from autograder.eipl import tasks  # tasks import this module

    tasks.generate_send(attempt_id=attempt_id)


class GenerationRetryError(Exception):
    """A transient failure of the endpoint: the task tries again later."""


def attempt_generate(*, attempt_id: int, last_try: bool) -> None:
    """Asks the model for each generation still missing (a retry keeps the ones it has),
    stores them as the submission's files and queues it for grading. Raises GenerationRetryError
    after a transient failure unless `last_try`, when the submission errors instead."""
    attempt = EiplAttempt.objects.select_related("question", "submission__project").get(
        pk=attempt_id
    )
    if attempt.state != AttemptState.GENERATING:
        return
    if attempt.submission.status != SubmissionStatus.RECEIVED:
        _fail(attempt, "The submission left the queue before its code was generated.")
        return
    question = attempt.question
    course_id = attempt.submission.project.course_id
    signature = question_signature(question)
    prompt = llm.prompt_render(
        question.prompt_template,
        language=question.get_language_display(),
        function_name=question.function_name,
        explanation=attempt.explanation,
        signature=signature.prototype() if signature else None,
    )
    names = generation_names(question)
    while len(attempt.generations) < len(names):
        if not budget.call_charge(course_id=course_id):
            _fail(attempt, budget.budget_of(course_id=course_id).refusal())
            return
        attempt.llm_calls += 1
        try:
            answer = llm.complete(
                system=question.system_prompt,
                prompt=prompt,
                temperature=question.temperature,
            )
        except llm.LlmTransientError as error:
            attempt.error = str(error)
            attempt.save(update_fields=["llm_calls", "error", "last_modified"])
            if last_try:
                _fail(attempt, f"{error} Tried {attempt.llm_calls} times; submit again later.")
                return
            raise GenerationRetryError(str(error)) from error
        except (llm.LlmRefusedError, llm.LlmNotConfiguredError) as error:
            _fail(attempt, str(error))
            return
        budget.tokens_charge(course_id=course_id, tokens=answer.tokens)
        attempt.tokens_used += answer.tokens
        attempt.generations = [
            *attempt.generations,
            {
                "file_name": names[len(attempt.generations)],
                "code": llm.code_from(answer.text, language=question.language),
            },
        ]
        attempt.save(update_fields=["generations", "llm_calls", "tokens_used", "last_modified"])
    _finish(attempt)


def _finish(attempt: EiplAttempt) -> None:
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=attempt.submission_id)
        if submission.status != SubmissionStatus.RECEIVED:
            _fail(attempt, "The submission left the queue before its code was generated.")
            return
        files = {g["file_name"]: g["code"].encode() for g in attempt.generations}
        submission_files_add(submission=submission, files=files)
        attempt.state = AttemptState.GENERATED
        attempt.error = ""
        attempt.save(update_fields=["state", "error", "last_modified"])
        submission_mark_queued(submission=submission)


def attempts_give_up(*, now: datetime.datetime | None = None) -> int:
    """Ends in error the explanations whose code is still being written after
    AG_LLM_GIVE_UP_SECONDS (no worker consumes the llm queue, or its message was lost), so
    every submission reaches a final status. Returns how many."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.LLM_GIVE_UP_SECONDS)
    stale = EiplAttempt.objects.filter(state=AttemptState.GENERATING, created_at__lt=cutoff)
    given_up = 0
    for attempt_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            # Locked and asked again: a worker may have just finished this one.
            attempt = stale.select_for_update().filter(pk=attempt_id).first()
            if attempt is None:
                continue
            _fail(
                attempt,
                "No code was written from this explanation in time (the language-model queue "
                "is not being served); submit again later.",
            )
            given_up += 1
    return given_up


def _fail(attempt: EiplAttempt, message: str) -> None:
    with transaction.atomic():
        attempt.state = AttemptState.FAILED
        attempt.error = message
        attempt.save(update_fields=["state", "error", "llm_calls", "last_modified"])
        submission_status_set(
            submission_id=attempt.submission_id,
            status=SubmissionStatus.ERROR,
            only_from=[SubmissionStatus.RECEIVED],
            error_msg=message,
            finished_at=timezone.now(),
        )
