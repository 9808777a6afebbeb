from typing import Any

from rest_framework import serializers

from autograder.common.serializers import StrictSerializer
from autograder.integrations.lti.models import LtiPlatform
from autograder.integrations.lti.selectors import StudentGradeStatus


class PlatformOutput(serializers.ModelSerializer[LtiPlatform]):
    deployment_ids = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = LtiPlatform
        fields = (
            "id",
            "name",
            "issuer",
            "client_id",
            "deployment_ids",
            "keyset_url",
            "auth_login_url",
            "auth_token_url",
            "auth_audience",
            "created_at",
            "last_modified",
        )
        read_only_fields = fields


class PlatformInput(StrictSerializer):
    name = serializers.CharField(max_length=255)
    issuer = serializers.URLField(max_length=500)
    client_id = serializers.CharField(max_length=255)
    deployment_ids = serializers.ListField(
        child=serializers.CharField(max_length=255), min_length=1, max_length=100
    )
    keyset_url = serializers.URLField(max_length=500)
    auth_login_url = serializers.URLField(max_length=500)
    auth_token_url = serializers.URLField(max_length=500)
    auth_audience = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ToolUrlsOutput(serializers.Serializer[Any]):
    """What to paste into the LMS when adding this tool."""

    jwks_url = serializers.CharField()
    login_url = serializers.CharField()
    launch_url = serializers.CharField()
    redirect_uris = serializers.ListField(child=serializers.CharField())
    public_jwk = serializers.DictField()


class CourseLinkOutput(serializers.Serializer[Any]):
    linked = serializers.BooleanField()
    platform = serializers.CharField(allow_null=True)
    context_id = serializers.CharField(allow_null=True)
    context_title = serializers.CharField(allow_null=True)
    roster_available = serializers.BooleanField()
    grades_available = serializers.BooleanField()
    roster_synced_at = serializers.DateTimeField(allow_null=True)
    roster_sync_error = serializers.CharField(allow_blank=True)
    roster_sync_count = serializers.IntegerField()


class RosterSyncOutput(serializers.Serializer[Any]):
    students_added = serializers.IntegerField()
    staff_added = serializers.IntegerField()
    students_removed = serializers.IntegerField()
    skipped = serializers.ListField(child=serializers.CharField())


class GradeStatusOutput(serializers.Serializer[StudentGradeStatus]):
    user = serializers.IntegerField(source="user.pk")
    username = serializers.CharField(source="user.username")
    project = serializers.IntegerField(source="project.pk")
    project_name = serializers.CharField(source="project.name")
    score_sent = serializers.FloatField(allow_null=True)
    score_maximum = serializers.FloatField(allow_null=True)
    sent_at = serializers.DateTimeField(allow_null=True)
    attempted_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(allow_blank=True)


class SendGradesInput(StrictSerializer):
    project = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    users = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=10000,
    )


class SendGradesOutput(serializers.Serializer[Any]):
    """What was queued: the project, and the students (null: all of them)."""

    project = serializers.IntegerField()
    users = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
