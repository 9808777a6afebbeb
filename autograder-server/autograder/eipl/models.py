"""Explain-in-plain-English questions: what staff set, what each explanation produced, and
what each course spent on the language model today."""

from django.db import models

from autograder.courses.models import Course
from autograder.grading.config.models import AGTestSuite
from autograder.projects.models import InstructorFile, Project
from autograder.submissions.models import Submission

DEFAULT_PROMPT = (
    "Write a {language} function named {function_name} that does the following: "
    "{explanation}\n"
    "Answer with the code only, in one fenced code block, with no explanation and no example "
    "calls."
)
"""The prompt's placeholders: {language}, {function_name}, {explanation}, and for C
questions {signature} (the C prototype)."""

DEFAULT_C_PROMPT = (
    "Write a {language} function named {function_name} that does the following: "
    "{explanation}\n"
    "Its signature is {signature}\n"
    "Answer with the code only (the #include lines it needs and the function, no main), in "
    "one fenced code block, with no explanation and no example calls."
)
"""A C question's default prompt: the Python one with the signature the harness calls."""

DEFAULT_SYSTEM_PROMPT = "You are a programmer who writes exactly the function asked for."


class Language(models.TextChoices):
    PYTHON = "python", "Python"
    C = "c", "C"


DEFAULT_FILE_NAMES = {Language.PYTHON: "solution.py", Language.C: "solution.c"}
DEFAULT_PROMPTS = {Language.PYTHON: DEFAULT_PROMPT, Language.C: DEFAULT_C_PROMPT}


class PassRule(models.TextChoices):
    """With several generations, when a test case counts as passed."""

    ANY = "any", "Any generation passes"
    ALL = "all", "Every generation passes"
    MAJORITY = "majority", "More than half pass"


class EiplQuestion(models.Model):
    """Makes its project an EiPL question: a submission is an explanation, and the code a
    language model writes from it is what the project's suites grade."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="eipl_question")
    function_name = models.CharField(max_length=100)
    language = models.CharField(max_length=20, choices=Language.choices, default=Language.PYTHON)
    file_name = models.CharField(
        max_length=100,
        default="solution.py",
        help_text="The first generation is stored under this name; generation k (k > 1) as "
        "<stem>_<k><suffix>. Ordinary suites grade it as a submitted file.",
    )
    c_signature = models.CharField(
        max_length=300,
        blank=True,
        default="",
        help_text="A C question's function prototype, e.g. int add(int a, int b) (see "
        "c_signature.py for the types it supports). Stored normalized.",
    )
    prompt_template = models.TextField(default=DEFAULT_PROMPT)
    system_prompt = models.TextField(default=DEFAULT_SYSTEM_PROMPT, blank=True)
    temperature = models.FloatField(default=0.0)
    num_generations = models.PositiveSmallIntegerField(default=1)
    pass_rule = models.CharField(max_length=10, choices=PassRule.choices, default=PassRule.ANY)
    max_explanation_chars = models.PositiveIntegerField(default=2000)
    test_cases = models.JSONField(
        default=list,
        blank=True,
        help_text='[{"args": [...], "expected": ..., "points": 1}]: each becomes a test case '
        "of the generated suite that calls the function with args.",
    )
    points_per_case = models.PositiveIntegerField(default=1)
    suite = models.ForeignKey(
        AGTestSuite, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    """The suite this question generates from `test_cases` (rewritten on every save)."""
    harness_file = models.ForeignKey(
        InstructorFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cases_file = models.ForeignKey(
        InstructorFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_modified = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"EiPL question for project {self.project_id}"


class AttemptState(models.TextChoices):
    GENERATING = "generating", "Generating code"
    GENERATED = "generated", "Code generated"
    FAILED = "failed", "Generation failed"


class EiplAttempt(models.Model):
    """One explanation and the code the language model wrote from it."""

    submission = models.OneToOneField(
        Submission, on_delete=models.CASCADE, related_name="eipl_attempt"
    )
    question = models.ForeignKey(EiplQuestion, on_delete=models.CASCADE, related_name="attempts")
    explanation = models.TextField()
    state = models.CharField(
        max_length=20, choices=AttemptState.choices, default=AttemptState.GENERATING
    )
    generations = models.JSONField(
        default=list, blank=True, help_text='[{"file_name": ..., "code": ...}] in order.'
    )
    error = models.TextField(blank=True, default="")
    llm_calls = models.PositiveIntegerField(default=0)
    tokens_used = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"EiPL attempt for submission {self.submission_id} ({self.state})"


class EiplUsage(models.Model):
    """Language-model calls and tokens a course spent on one day (UTC)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    calls = models.PositiveIntegerField(default=0)
    tokens = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "day"], name="eipl_usage_course_day")
        ]

    def __str__(self) -> str:
        return f"EiPL usage of course {self.course_id} on {self.day}"


class EiplCourseLimits(models.Model):
    """A course's own daily allowance of language-model calls and tokens, set by a superuser
    where the site's (`AG_LLM_DAILY_*`) does not fit (a large course, a pilot that must not
    spend). A null limit takes the site's; 0 is no limit."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="+")
    daily_calls = models.PositiveIntegerField(null=True, blank=True)
    daily_tokens = models.PositiveBigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"EiPL limits of course {self.course_id}"
