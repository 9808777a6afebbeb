from django.conf import settings
from django.db import models
from django.utils import timezone

from autograder.groups.models import Group
from autograder.projects.models import Project


class SubmissionStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    QUEUED = "queued", "Queued"
    BEING_GRADED = "being_graded", "Being graded"
    WAITING_FOR_DEFERRED = "waiting_for_deferred", "Core tests finished"
    FINISHED_GRADING = "finished_grading", "Finished grading"
    REMOVED_FROM_QUEUE = "removed_from_queue", "Removed from queue"
    REJECTED = "rejected", "Rejected"
    ERROR = "error", "Error"


ACTIVE_STATUSES = (
    SubmissionStatus.RECEIVED,
    SubmissionStatus.QUEUED,
    SubmissionStatus.BEING_GRADED,
)
"""A group may have at most one submission in these statuses."""

NOT_COUNTED_STATUSES = (
    SubmissionStatus.REMOVED_FROM_QUEUE,
    SubmissionStatus.REJECTED,
    SubmissionStatus.ERROR,
)
"""Submissions in these statuses do not count towards daily or total limits."""


class Submission(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="submissions")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="submissions")
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions_made"
    )
    timestamp = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(
        max_length=32, choices=SubmissionStatus.choices, default=SubmissionStatus.RECEIVED
    )
    submitted_filenames = models.JSONField(default=list)
    discarded_files = models.JSONField(default=list)
    missing_files = models.JSONField(default=dict, help_text="Pattern → matches still needed.")
    total_size = models.PositiveBigIntegerField(default=0)
    is_past_daily_limit = models.BooleanField(default=False)
    is_bonus_submission = models.BooleanField(default=False)
    is_late = models.BooleanField(default=False)
    late_days_charged = models.PositiveIntegerField(
        default=0, help_text="The most late days this submission charged any one member."
    )
    late_days_charges = models.JSONField(
        default=dict,
        blank=True,
        help_text="User id (as a string) → late days this submission charged them.",
    )
    does_not_count_for = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True
    )
    error_msg = models.TextField(
        blank=True, default="", help_text="Why grading failed or the submission was rejected."
    )
    error_detail = models.TextField(
        blank=True,
        default="",
        help_text=(
            "Staff only: what exactly broke when grading failed (a sandbox or Docker fault). "
            "Students see only `error_msg`, which never carries such internals."
        ),
    )
    queued_at = models.DateTimeField(null=True, blank=True)
    grading_started_at = models.DateTimeField(null=True, blank=True)
    non_deferred_finished_at = models.DateTimeField(
        null=True, blank=True, help_text="When every non-deferred suite had been graded."
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-timestamp", "-pk"]
        indexes = [
            models.Index(fields=["group", "status"]),
            models.Index(fields=["project", "status", "timestamp"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["group"],
                condition=models.Q(status__in=["received", "queued", "being_graded"]),
                name="submission_one_active_per_group",
            )
        ]

    def __str__(self) -> str:
        return f"Submission {self.pk} ({self.status})"

    @property
    def files_dir(self) -> str:
        return f"submissions/{self.project_id}/{self.group_id}/{self.pk}"
