"""Mutation test suites (students' tests graded by the bugs they expose) and their results.

As autograder.io's MutationTestSuite: the student's test names are listed by a command, each
test is checked against the correct implementation (invalid and timed-out ones are dropped),
and the valid tests run against every named buggy implementation; a bug is exposed when a run
fails. Results keep the names they ran under and point at their suite with SET_NULL.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from autograder.grading.config.models import MAX_COMMAND_LENGTH
from autograder.grading.mutation import settings as mutation_settings
from autograder.projects.models import ExpectedStudentFile, InstructorFile, Project
from autograder.submissions.models import Submission

MAX_STUDENT_TESTS = 50
MAX_BUGGY_IMPLS = 500
MAX_POINTS_PER_BUG = Decimal(10_000)
"""Points per exposed bug have two decimals as autograder.io's (whose values, at most 99.99,
all fit), and go up to the whole numbers this field held before it took decimals."""
MAX_SUITE_POINTS = 10_000_000
RERUN_SELECTION_KEY = "mutation"
"""In a rerun's suite selection: the list of mutation suite ids to rerun (absent: none of
them; a rerun of every suite, with no selection, reruns them all)."""
INLINE_OUTPUT_BYTES = 256 * 1024
"""Each stored stream (setup, test names, validity checks, buggy runs) keeps this much."""


class WhitespaceHandling(models.TextChoices):
    ANY = "any", "Split on any whitespace"
    NEWLINE = "newline", "One test name per line"


def _time_limit(default: int) -> models.PositiveIntegerField:  # type: ignore[type-arg]
    return models.PositiveIntegerField(
        default=default, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )


class MutationTestSuite(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="mutation_suites")
    name = models.CharField(max_length=255)
    order = models.PositiveIntegerField(default=0)
    sandbox_image = models.CharField(
        max_length=255, blank=True, default="", help_text="Empty: the site's default image."
    )
    instructor_files_needed = models.ManyToManyField(InstructorFile, blank=True, related_name="+")
    student_files_needed = models.ManyToManyField(ExpectedStudentFile, blank=True, related_name="+")
    buggy_impl_names = models.JSONField(default=list, blank=True)
    setup_command = models.TextField(blank=True, default="", max_length=MAX_COMMAND_LENGTH)
    setup_time_limit_s = _time_limit(60)
    get_student_test_names_command = models.TextField(max_length=MAX_COMMAND_LENGTH)
    test_names_time_limit_s = _time_limit(10)
    test_name_whitespace_handling = models.CharField(
        max_length=16, choices=WhitespaceHandling.choices, default=WhitespaceHandling.ANY
    )
    max_num_student_tests = models.PositiveIntegerField(
        default=25, validators=[MinValueValidator(0), MaxValueValidator(MAX_STUDENT_TESTS)]
    )
    validity_check_command = models.TextField(max_length=MAX_COMMAND_LENGTH)
    validity_time_limit_s = _time_limit(10)
    grade_buggy_impl_command = models.TextField(max_length=MAX_COMMAND_LENGTH)
    grade_time_limit_s = _time_limit(10)
    points_per_exposed_bug = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(MAX_POINTS_PER_BUG)],
    )
    max_points = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_SUITE_POINTS)],
        help_text="Cap on the suite's points; empty: no cap.",
    )
    allow_network = models.BooleanField(default=False)
    deferred = models.BooleanField(default=False)
    feedback = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"], name="mutation_suite_unique_project_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def feedback_settings(self) -> mutation_settings.MutationFeedbackByCategory:
        return mutation_settings.mutation_feedback(self.feedback)

    @property
    def points_possible(self) -> Decimal:
        return self.points_for(len(self.buggy_impl_names))

    def points_for(self, bugs_exposed: int) -> Decimal:
        """Points for exposing that many bugs, capped at `max_points`."""
        total = Decimal(self.points_per_exposed_bug) * bugs_exposed
        return total if self.max_points is None else min(total, Decimal(self.max_points))


class MutationSuiteResult(models.Model):
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="mutation_results"
    )
    suite = models.ForeignKey(
        MutationTestSuite, null=True, on_delete=models.SET_NULL, related_name="results"
    )
    suite_name = models.CharField(max_length=255)
    image = models.CharField(max_length=255, blank=True, default="")
    image_digest = models.CharField(max_length=128, blank=True, default="")
    setup_return_code = models.IntegerField(null=True, blank=True)
    setup_timed_out = models.BooleanField(default=False)
    setup_stdout = models.BinaryField(default=b"")
    setup_stderr = models.BinaryField(default=b"")
    test_names_return_code = models.IntegerField(null=True, blank=True)
    test_names_timed_out = models.BooleanField(default=False)
    test_names_stdout = models.BinaryField(default=b"")
    test_names_stderr = models.BinaryField(default=b"")
    validity_check_stdout = models.BinaryField(default=b"")
    validity_check_stderr = models.BinaryField(default=b"")
    grade_buggy_impls_stdout = models.BinaryField(default=b"")
    grade_buggy_impls_stderr = models.BinaryField(default=b"")
    student_tests = models.JSONField(
        default=list, blank=True, help_text="The test names found, up to the maximum."
    )
    discarded_tests = models.JSONField(
        default=list, blank=True, help_text="Names past the maximum number of tests."
    )
    invalid_tests = models.JSONField(
        default=list, blank=True, help_text="Tests that failed against the correct implementation."
    )
    timed_out_tests = models.JSONField(
        default=list, blank=True, help_text="Tests whose validity check timed out (invalid too)."
    )
    bugs_exposed = models.JSONField(default=list, blank=True)
    points_awarded = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    points_possible = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    error_message = models.TextField(blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "suite"], name="mutation_result_unique_submission_suite"
            )
        ]

    def __str__(self) -> str:
        return f"{self.suite_name} of submission {self.submission_id}"

    @property
    def valid_tests(self) -> list[str]:
        invalid = set(self.invalid_tests)
        return [name for name in self.student_tests if name not in invalid]
