"""What grading stored for a submission: one row per suite, test case and command run.

Results keep the names they ran under and point at their configuration with SET_NULL, so
editing or deleting tests later never corrupts or silently drops what was graded. Output up to
`INLINE_OUTPUT_BYTES` lives in the row; larger output lives in a file under MEDIA_ROOT
(see `grading.results.output_storage`).
"""

from django.db import models

from autograder.grading.config.models import AGTestCase, AGTestCommand, AGTestSuite
from autograder.submissions.models import Submission

INLINE_OUTPUT_BYTES = 64 * 1024


class AGTestSuiteResult(models.Model):
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="suite_results"
    )
    suite = models.ForeignKey(
        AGTestSuite, null=True, on_delete=models.SET_NULL, related_name="results"
    )
    suite_name = models.CharField(max_length=255)
    image = models.CharField(max_length=255, blank=True, default="")
    image_digest = models.CharField(max_length=128, blank=True, default="")
    setup_return_code = models.IntegerField(null=True, blank=True)
    setup_timed_out = models.BooleanField(default=False)
    setup_stdout = models.BinaryField(default=b"")
    setup_stdout_path = models.CharField(max_length=512, blank=True, default="")
    setup_stdout_size = models.PositiveBigIntegerField(default=0)
    setup_stdout_truncated = models.BooleanField(default=False)
    setup_stderr = models.BinaryField(default=b"")
    setup_stderr_path = models.CharField(max_length=512, blank=True, default="")
    setup_stderr_size = models.PositiveBigIntegerField(default=0)
    setup_stderr_truncated = models.BooleanField(default=False)
    error_message = models.TextField(
        blank=True, default="", help_text="Why this suite could not be graded, if it couldn't."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "suite"], name="suite_result_unique_submission_suite"
            )
        ]

    def __str__(self) -> str:
        return f"{self.suite_name} of submission {self.submission_id}"


class AGTestCaseResult(models.Model):
    suite_result = models.ForeignKey(
        AGTestSuiteResult, on_delete=models.CASCADE, related_name="case_results"
    )
    case = models.ForeignKey(
        AGTestCase, null=True, on_delete=models.SET_NULL, related_name="results"
    )
    case_name = models.CharField(max_length=255)
    file_visibility = models.CharField(
        max_length=20,
        blank=True,
        default="",
        help_text="Set on tests read from a results file: who may see it "
        "(grading/results/file_visibility.py); empty for ordinary test cases.",
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.case_name


class AGTestCommandResult(models.Model):
    case_result = models.ForeignKey(
        AGTestCaseResult, on_delete=models.CASCADE, related_name="command_results"
    )
    command = models.ForeignKey(
        AGTestCommand, null=True, on_delete=models.SET_NULL, related_name="results"
    )
    command_name = models.CharField(max_length=255)
    return_code = models.IntegerField(null=True, blank=True)
    timed_out = models.BooleanField(default=False)
    out_of_memory = models.BooleanField(default=False)
    stdout = models.BinaryField(default=b"")
    stdout_path = models.CharField(max_length=512, blank=True, default="")
    stdout_size = models.PositiveBigIntegerField(default=0)
    stdout_truncated = models.BooleanField(default=False)
    stderr = models.BinaryField(default=b"")
    stderr_path = models.CharField(max_length=512, blank=True, default="")
    stderr_size = models.PositiveBigIntegerField(default=0)
    stderr_truncated = models.BooleanField(default=False)
    return_code_correct = models.BooleanField(null=True, help_text="Null: not checked.")
    stdout_correct = models.BooleanField(null=True)
    stderr_correct = models.BooleanField(null=True)
    points_awarded = models.IntegerField(
        default=0, help_text="Points minus deductions, as scored when it ran."
    )
    points_possible = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(default=0)
    error_message = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.command_name
