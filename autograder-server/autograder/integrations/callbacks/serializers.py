from rest_framework import serializers

from autograder.common.serializers import StrictSerializer
from autograder.integrations.callbacks.models import (
    SUBSCRIBABLE_EVENTS,
    Delivery,
    Webhook,
    WebhookEvent,
)


class WebhookOutput(serializers.ModelSerializer[Webhook]):
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices))

    class Meta:
        model = Webhook
        fields = ["id", "project", "url", "events", "created_at"]
        read_only_fields = fields


class WebhookCreatedOutput(WebhookOutput):
    secret = serializers.CharField(
        help_text="Shown once: receivers check X-Autograder-Signature with it."
    )

    class Meta(WebhookOutput.Meta):
        fields = [*WebhookOutput.Meta.fields, "secret"]
        read_only_fields = fields


SUBSCRIBABLE_EVENT_CHOICES = [(e.value, e.label) for e in SUBSCRIBABLE_EVENTS]
"""What a webhook may subscribe to (every event but the test ping); named in the schema."""


class WebhookInput(StrictSerializer):
    url = serializers.URLField(max_length=2000)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=SUBSCRIBABLE_EVENT_CHOICES),
        min_length=1,
        max_length=len(SUBSCRIBABLE_EVENTS),
    )


class DeliveryOutput(serializers.ModelSerializer[Delivery]):
    payload = serializers.DictField(child=serializers.JSONField())

    class Meta:
        model = Delivery
        fields = [
            "id",
            "webhook",
            "event",
            "url",
            "payload",
            "state",
            "attempts",
            "response_status",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields
