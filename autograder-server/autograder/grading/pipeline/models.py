"""Grading work as rows: what the pipeline claims, leases and finishes.

RabbitMQ messages only wake workers; which submission a worker grades is decided here, in
PostgreSQL, with `SELECT ... FOR UPDATE SKIP LOCKED` (see `grading.pipeline.dispatch`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from autograder.projects.models import Project
from autograder.submissions.models import Submission


class JobKind(models.TextChoices):
    GRADE = "grade", "Grade (non-deferred suites)"
    DEFERRED = "deferred", "Deferred suites"
    RERUN = "rerun", "Rerun"


class JobState(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


UNFINISHED_JOB_STATES = (JobState.PENDING, JobState.RUNNING)


class ImageChoice(models.TextChoices):
    """Which sandbox image a rerun grades on."""

    CURRENT = "current", "The suite's current image"
    ORIGINAL = "original", "The image each result was originally graded on (by digest)"


class RerunTask(models.Model):
    """A staff request to grade existing submissions again (on the `rerun` queue)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="rerun_tasks")
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    selection = models.CharField(
        max_length=16, help_text="all, latest, best or list (see grading.reruns)."
    )
    suite_selection = models.JSONField(
        null=True,
        blank=True,
        help_text="Null: every suite. Otherwise {suite id: null (all cases) or [case ids]}.",
    )
    image_choice = models.CharField(
        max_length=16,
        choices=ImageChoice.choices,
        default=ImageChoice.CURRENT,
        help_text="current: each suite's image now; original: the digest each suite's "
        "earlier result recorded (see grading.pipeline.image_choice).",
    )
    total = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    is_cancelled = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Rerun {self.pk} of project {self.project_id}"


class GradingJob(models.Model):
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="grading_jobs"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=JobKind.choices)
    queue = models.CharField(max_length=32)
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.PENDING)
    suite_selection = models.JSONField(
        null=True, blank=True, help_text="Reruns only: as RerunTask.suite_selection."
    )
    rerun_task = models.ForeignKey(
        RerunTask, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    enqueued_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    lease_owner = models.CharField(max_length=255, blank=True, default="")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    wakeups_sent_at = models.DateTimeField(null=True, blank=True)
    error_message = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["enqueued_at", "pk"]
        indexes = [
            models.Index(fields=["queue", "state", "enqueued_at"]),
            models.Index(fields=["state", "lease_expires_at"]),
            # The fair claim skips from project to project through the pending jobs.
            models.Index(
                fields=["queue", "project", "enqueued_at", "id"],
                condition=models.Q(state="pending"),
                name="job_pending_by_project",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "kind"],
                condition=models.Q(state__in=["pending", "running"]),
                name="job_one_unfinished_per_submission_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} job {self.pk} for submission {self.submission_id} ({self.state})"
