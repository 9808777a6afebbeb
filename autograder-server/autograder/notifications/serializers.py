from typing import Any

from rest_framework import serializers

from autograder.common.serializers import StrictSerializer
from autograder.notifications.models import NotificationSettings


class NotificationSettingsOutput(serializers.ModelSerializer[NotificationSettings]):
    class Meta:
        model = NotificationSettings
        fields = ["grading_finished"]


class NotificationSettingsInput(StrictSerializer):
    grading_finished = serializers.BooleanField()


class ReceiptFileOutput(serializers.Serializer[Any]):
    name = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class ReceiptOutput(serializers.Serializer[Any]):
    code = serializers.CharField()
    submission_id = serializers.IntegerField()
    project_id = serializers.IntegerField()
    project_name = serializers.CharField()
    group_id = serializers.IntegerField()
    members = serializers.ListField(child=serializers.CharField())
    submitter = serializers.CharField()
    submitted_at = serializers.DateTimeField(help_text="When the server received the upload.")
    status = serializers.CharField()
    files = ReceiptFileOutput(many=True)
    sha256 = serializers.CharField(help_text="SHA-256 over all files (see the staff docs).")
    receipt_created_at = serializers.DateTimeField()
    files_unchanged = serializers.BooleanField(
        help_text="The stored files still hash to what the receipt says."
    )
