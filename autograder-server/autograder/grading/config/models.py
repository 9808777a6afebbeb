"""The test configuration of a project: suites → test cases → commands, each ordered."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from autograder.grading.config import feedback_settings as feedback_config
from autograder.projects.models import ExpectedStudentFile, InstructorFile, Project

MAX_COMMAND_LENGTH = 1000
MAX_TIME_LIMIT_S = 90
MAX_NOTE_LENGTH = 50_000
"""Longest Markdown description, hint or staff note on a suite or test case."""
DEFAULT_OUTPUT_CAP_BYTES = 1_000_000


class StdinSource(models.TextChoices):
    NONE = "none", "None (/dev/null)"
    TEXT = "text", "Text"
    INSTRUCTOR_FILE = "instructor_file", "Instructor file"
    SETUP_STDOUT = "setup_stdout", "Setup command's stdout"
    SETUP_STDERR = "setup_stderr", "Setup command's stderr"


class ExpectedReturnCode(models.TextChoices):
    NONE = "none", "Not checked"
    ZERO = "zero", "Zero"
    NONZERO = "nonzero", "Nonzero"


class ExpectedOutputSource(models.TextChoices):
    NONE = "none", "Not checked"
    TEXT = "text", "Text"
    INSTRUCTOR_FILE = "instructor_file", "Instructor file"
    VALUES = "values", "Returned values (JSON lines)"
    """Stdout only: each line is a value a program returned, compared by the grader with the
    expected value in `expected_stdout_text` (`grading/config/value_checks.py`), so the
    expected values never enter the sandbox."""


class ResultsFormat(models.TextChoices):
    """How a suite is scored: by comparing each command's output (the default), or from a
    results file its commands write in another grading system's format
    (`grading/pipeline/results_file.py`, docs/contracts/)."""

    NONE = "", "Output comparison"
    GRADESCOPE = "gradescope", "Gradescope results.json"
    PRAIRIELEARN = "prairielearn", "PrairieLearn results.json"
    CORRECTOMATIC = "correctomatic", "correctomatic JSON"


class FileLayout(models.TextChoices):
    """Where a suite's files go, so autograders written for another system run unchanged."""

    NONE = "", "Working directory"
    GRADESCOPE = "gradescope", "Gradescope (/autograder)"
    PRAIRIELEARN = "prairielearn", "PrairieLearn (/grade)"


class AGTestSuite(models.Model):
    """A group of test cases sharing one sandbox, its files and an optional setup command."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="suites")
    name = models.CharField(max_length=255)
    order = models.PositiveIntegerField(default=0)
    sandbox_image = models.CharField(
        max_length=255, blank=True, default="", help_text="Empty: the site's default image."
    )
    instructor_files_needed = models.ManyToManyField(InstructorFile, blank=True, related_name="+")
    student_files_needed = models.ManyToManyField(ExpectedStudentFile, blank=True, related_name="+")
    setup_command = models.TextField(blank=True, default="", max_length=MAX_COMMAND_LENGTH)
    setup_name = models.CharField(max_length=255, blank=True, default="Setup")
    setup_time_limit_s = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    reject_submission_if_setup_fails = models.BooleanField(default=False)
    allow_network = models.BooleanField(default=False)
    deferred = models.BooleanField(default=False)
    results_format = models.CharField(
        max_length=20, choices=ResultsFormat.choices, blank=True, default=ResultsFormat.NONE
    )
    results_file_path = models.CharField(
        max_length=255,
        blank=True,
        default="",
        validators=[
            RegexValidator(
                r"^(/[^/\x00]+)+$",
                "Enter an absolute path such as /autograder/results/results.json.",
            ),
            RegexValidator(
                r"/\.\.?(/|$)", "The path may not contain '.' or '..'.", inverse_match=True
            ),
        ],
        help_text="Absolute path of the results file in the sandbox; empty: the last command's "
        "stdout (correctomatic).",
    )
    results_points = models.PositiveIntegerField(
        default=100,
        validators=[MaxValueValidator(100_000)],
        help_text="Points a full score is worth when the results file gives a fraction "
        "(PrairieLearn) or no maximum.",
    )
    file_layout = models.CharField(
        max_length=20, choices=FileLayout.choices, blank=True, default=FileLayout.NONE
    )
    description = models.TextField(
        blank=True,
        default="",
        max_length=MAX_NOTE_LENGTH,
        help_text="Markdown shown with the suite's results wherever the suite is visible.",
    )
    staff_notes = models.TextField(
        blank=True, default="", max_length=MAX_NOTE_LENGTH, help_text="Markdown for staff only."
    )
    feedback = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="suite_unique_project_name")
        ]

    def __str__(self) -> str:
        return self.name

    def feedback_settings(
        self,
    ) -> dict[feedback_config.FeedbackCategory, feedback_config.SuiteFeedback]:
        return feedback_config.suite_feedback(self.feedback)


class AGTestCase(models.Model):
    suite = models.ForeignKey(AGTestSuite, on_delete=models.CASCADE, related_name="cases")
    name = models.CharField(max_length=255)
    order = models.PositiveIntegerField(default=0)
    description = models.TextField(
        blank=True,
        default="",
        max_length=MAX_NOTE_LENGTH,
        help_text="Markdown shown with the test's result wherever the test case is visible.",
    )
    student_hint = models.TextField(
        blank=True,
        default="",
        max_length=MAX_NOTE_LENGTH,
        help_text="Markdown shown to students only when the test fails as they see it.",
    )
    staff_notes = models.TextField(
        blank=True, default="", max_length=MAX_NOTE_LENGTH, help_text="Markdown for staff only."
    )
    feedback = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["suite", "name"], name="case_unique_suite_name")
        ]

    def __str__(self) -> str:
        return self.name

    def feedback_settings(
        self,
    ) -> dict[feedback_config.FeedbackCategory, feedback_config.CaseFeedback]:
        return feedback_config.case_feedback(self.feedback)


class AGTestCommand(models.Model):
    """One shell command (`bash -c`) with what it reads, what is expected of it and its points."""

    case = models.ForeignKey(AGTestCase, on_delete=models.CASCADE, related_name="commands")
    name = models.CharField(max_length=255)
    order = models.PositiveIntegerField(default=0)
    cmd = models.TextField(max_length=MAX_COMMAND_LENGTH)

    stdin_source = models.CharField(
        max_length=32, choices=StdinSource.choices, default=StdinSource.NONE
    )
    stdin_text = models.TextField(blank=True, default="")
    stdin_instructor_file = models.ForeignKey(
        InstructorFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    expected_return_code = models.CharField(
        max_length=16, choices=ExpectedReturnCode.choices, default=ExpectedReturnCode.NONE
    )
    expected_stdout_source = models.CharField(
        max_length=32, choices=ExpectedOutputSource.choices, default=ExpectedOutputSource.NONE
    )
    expected_stdout_text = models.TextField(blank=True, default="")
    expected_stdout_instructor_file = models.ForeignKey(
        InstructorFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expected_stderr_source = models.CharField(
        max_length=32, choices=ExpectedOutputSource.choices, default=ExpectedOutputSource.NONE
    )
    expected_stderr_text = models.TextField(blank=True, default="")
    expected_stderr_instructor_file = models.ForeignKey(
        InstructorFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    ignore_case = models.BooleanField(default=False)
    ignore_whitespace = models.BooleanField(default=False)
    ignore_whitespace_changes = models.BooleanField(default=False)
    ignore_blank_lines = models.BooleanField(default=False)

    points_for_correct_return_code = models.PositiveIntegerField(default=0)
    points_for_correct_stdout = models.PositiveIntegerField(default=0)
    points_for_correct_stderr = models.PositiveIntegerField(default=0)
    deduction_for_wrong_return_code = models.PositiveIntegerField(default=0)
    deduction_for_wrong_stdout = models.PositiveIntegerField(default=0)
    deduction_for_wrong_stderr = models.PositiveIntegerField(default=0)

    time_limit_s = models.PositiveIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(MAX_TIME_LIMIT_S)]
    )
    memory_limit_bytes = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Address-space limit per process; empty: none."
    )
    block_process_spawn = models.BooleanField(default=False)
    output_cap_bytes = models.PositiveIntegerField(
        default=DEFAULT_OUTPUT_CAP_BYTES,
        validators=[MinValueValidator(1024), MaxValueValidator(50_000_000)],
        help_text="Output kept per stream; the rest is dropped and marked truncated.",
    )

    feedback = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "name"], name="command_unique_case_name")
        ]

    def __str__(self) -> str:
        return self.name

    def feedback_settings(
        self,
    ) -> dict[feedback_config.FeedbackCategory, feedback_config.CommandFeedback]:
        return feedback_config.command_feedback(self.feedback)

    @property
    def points_possible(self) -> int:
        return (
            self.points_for_correct_return_code
            + self.points_for_correct_stdout
            + self.points_for_correct_stderr
        )
