"""Outgoing HTTP calls to other systems: project webhooks and one row per delivery (the
delivery log staff read)."""

from django.conf import settings
from django.db import models

from autograder.projects.models import Project


class WebhookEvent(models.TextChoices):
    GRADING_FINISHED = "grading_finished", "Grading finished"
    FINAL_GRADED_CHANGED = "final_graded_changed", "Final graded submission changed"
    RERUN_FINISHED = "rerun_finished", "Rerun finished"
    PING = "ping", "Test delivery"


SUBSCRIBABLE_EVENTS = (
    WebhookEvent.GRADING_FINISHED,
    WebhookEvent.FINAL_GRADED_CHANGED,
    WebhookEvent.RERUN_FINISHED,
)


class Webhook(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list, help_text="WebhookEvent values it receives.")
    secret = models.CharField(max_length=64, help_text="Signs each delivery (HMAC-SHA256).")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url


class FinalGradedSeen(models.Model):
    """The final graded submission last announced for a group, so `final_graded_changed` is
    sent when it changes and not on every grading."""

    group = models.OneToOneField("groups.Group", on_delete=models.CASCADE, related_name="+")
    submission_id = models.IntegerField(null=True)

    def __str__(self) -> str:
        return f"group {self.group_id}: {self.submission_id}"


class DeliveryState(models.TextChoices):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    """Every attempt failed (or the URL may not be called)."""


class Delivery(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    url = models.URLField(max_length=2000)
    payload = models.JSONField()
    state = models.CharField(
        max_length=20, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["project", "-id"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.url}"
