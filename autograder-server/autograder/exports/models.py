"""A staff-requested bulk download of a project: built by a worker on the `small` queue into
one file under MEDIA_ROOT, served through nginx, removed after AG_EXPORT_RETENTION_HOURS."""

from django.conf import settings
from django.db import models

from autograder.projects.models import Project


class ExportKind(models.TextChoices):
    ALL_FILES = "all_files", "All submissions (zip)"
    FINAL_FILES = "final_files", "Final graded submissions (zip)"
    ALL_SCORES = "all_scores", "All scores (CSV)"
    FINAL_SCORES = "final_scores", "Final graded scores (CSV)"


class ExportState(models.TextChoices):
    QUEUED = "queued", "Queued"
    BUILDING = "building", "Building"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ExportTask(models.Model):
    """`state` and `progress` are written only by `exports.services`."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="export_tasks")
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=ExportKind.choices)
    include_staff = models.BooleanField(default=False)
    include_pending_extensions = models.BooleanField(default=False)
    state = models.CharField(max_length=16, choices=ExportState.choices, default=ExportState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done, 0 to 100.")
    error_message = models.TextField(blank=True, default="")
    file_path = models.CharField(
        max_length=512, blank=True, default="", help_text="Relative to MEDIA_ROOT once done."
    )
    file_size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.kind}, {self.state})"
