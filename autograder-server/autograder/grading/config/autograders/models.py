"""An imported autograder: what staff uploaded it for, and the suite it became."""

from django.db import models

from autograder.grading.config.models import AGTestSuite
from autograder.images.models import ImageBuild, SandboxImage
from autograder.projects.models import Project


class AutograderKind(models.TextChoices):
    GRADESCOPE = "gradescope", "Gradescope autograder zip"
    PRAIRIELEARN = "prairielearn", "PrairieLearn external grader"


class ImportState(models.TextChoices):
    BUILDING = "building"
    """The image is being built; the suite is made when it is ready."""
    READY = "ready"
    FAILED = "failed"
    SUITE_DELETED = "suite_deleted"
    """Its suite was made, then deleted by staff: a new version has nowhere to go."""


class AutograderImport(models.Model):
    """A Gradescope import waits for its image's first good build, then its suite is made
    (`services.import_finish`); a PrairieLearn import has its suite at once."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=AutograderKind.choices)
    image = models.ForeignKey(
        SandboxImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suite = models.ForeignKey(
        AGTestSuite, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suite_name = models.CharField(max_length=255)
    command = models.TextField()
    time_limit_s = models.PositiveIntegerField()
    files = models.JSONField(default=list)
    """The current version's file paths, as uploaded."""
    error = models.TextField(blank=True, default="")
    """Why the suite could not be made (e.g. its name was taken meanwhile)."""
    suite_made = models.BooleanField(default=False)
    """The suite was made once: with `suite` empty, staff deleted it (SET_NULL can't say)."""
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.kind} import {self.pk} into project {self.project_id}"

    @property
    def state(self) -> str:
        if self.suite_id is not None:
            return ImportState.READY
        if self.suite_made:
            return ImportState.SUITE_DELETED
        if self.error or self.image is None or self.image.status in ("failed", "cancelled"):
            return ImportState.FAILED
        return ImportState.BUILDING


class AutograderImportVersion(models.Model):
    """One upload of an import's autograder: the first one and each new version staff uploaded
    to fix it. The suite stays the same across versions (its feedback settings with it); a
    Gradescope version rebuilds the import's image (`build`), a PrairieLearn version replaces
    the instructor files."""

    imported = models.ForeignKey(
        AutograderImport, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    files = models.JSONField(default=list)
    command = models.TextField()
    time_limit_s = models.PositiveIntegerField()
    build = models.ForeignKey(
        ImageBuild, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    """The image build this version started (Gradescope only)."""
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["imported", "number"], name="grading_import_version_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"version {self.number} of autograder import {self.imported_id}"
