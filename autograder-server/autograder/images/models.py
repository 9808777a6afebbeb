"""Sandbox images as data: a Dockerfile a course (or the site) owns, the runtime its containers
run under, the tag of its last good build, and every build with its log."""

from django.db import models

from autograder.courses.models import Course


class Runtime(models.TextChoices):
    RUNC = "runc", "runc (Docker's default)"
    RUNSC = "runsc", "runsc (gVisor: a user-space guest kernel)"


class ImageStatus(models.TextChoices):
    PENDING = "pending"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"
    CANCELLED = "cancelled"


class SandboxImage(models.Model):
    """One image suites may choose. `course` empty: a site image (superusers manage it).

    Suites store `reference` (stable across builds); a suite run resolves it to `tag`, the
    last good build, so a failed build leaves the previous good image in use.
    """

    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.CASCADE, related_name="sandbox_images"
    )
    display_name = models.CharField(max_length=200)
    reference = models.CharField(max_length=255, unique=True)
    dockerfile = models.TextField(blank=True, default="")
    build_files = models.JSONField(default=dict, blank=True)
    """{relative path: text} placed beside the Dockerfile in the build context."""
    runtime = models.CharField(max_length=16, choices=Runtime.choices, default=Runtime.RUNC)
    tag = models.CharField(max_length=255, blank=True, default="")
    """The Docker tag of the last good build ("" until one succeeds)."""
    digest = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(
        max_length=16, choices=ImageStatus.choices, default=ImageStatus.PENDING
    )
    """The state of the latest build (the image stays usable while `tag` is set)."""
    built_in = models.BooleanField(default=False)
    """A site image configured by AG_SANDBOX_IMAGE(S): not built here, its Dockerfile unknown."""
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["course_id", "display_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "display_name"], name="images_unique_name_per_course"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def usable(self) -> bool:
        return bool(self.tag)


class ImageBuild(models.Model):
    image = models.ForeignKey(SandboxImage, on_delete=models.CASCADE, related_name="builds")
    status = models.CharField(
        max_length=16, choices=ImageStatus.choices, default=ImageStatus.PENDING
    )
    dockerfile = models.TextField()
    build_files = models.JSONField(default=dict)
    log = models.TextField(blank=True, default="")
    """The build's output so far: appended while it runs, read by the page as it polls."""
    error = models.TextField(blank=True, default="")
    tag = models.CharField(max_length=255, blank=True, default="")
    digest = models.CharField(max_length=255, blank=True, default="")
    cancel_requested = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"build {self.pk} of image {self.image_id}"

    @property
    def finished(self) -> bool:
        return self.status in (ImageStatus.READY, ImageStatus.FAILED, ImageStatus.CANCELLED)
