"""Who wants which email, the receipts of submissions, and which notices went out."""

from django.conf import settings
from django.db import models

from autograder.submissions.models import Submission


class NotificationSettings(models.Model):
    """A user's choices. No row means the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    grading_finished = models.BooleanField(
        default=True, help_text="Email me when one of my submissions has finished grading."
    )

    def __str__(self) -> str:
        return f"notification settings of user {self.user_id}"


class SubmissionReceipt(models.Model):
    """What was received, fixed when the submission was queued: each file's name, size and
    SHA-256, and one SHA-256 over them all. Students get the code by email; staff look it up
    to settle "I did submit" (and whether the stored files still match)."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="receipt")
    code = models.CharField(max_length=16, unique=True)
    files = models.JSONField(default=list, help_text='[{"name", "size", "sha256"}], by name.')
    sha256 = models.CharField(
        max_length=64, help_text="SHA-256 of the lines '<sha256>  <name>\\n' of every file."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"receipt {self.code}"


class NoticeKind(models.TextChoices):
    RECEIPT = "receipt", "Submission receipt"
    GRADING_FINISHED = "grading_finished", "Grading finished"
    GROUP_INVITATION = "group_invitation", "Group invitation"


class SentNotice(models.Model):
    """One email of `kind` about one object (a submission or an invitation) to one user: the
    row is written in the transaction that sends it, so a task run twice sends it once."""

    kind = models.CharField(max_length=32, choices=NoticeKind.choices)
    object_id = models.BigIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "user"], name="notice_once_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} to user {self.user_id}"
