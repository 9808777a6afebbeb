from typing import Any

from rest_framework import serializers

from autograder.accounts.models import User
from autograder.common.serializers import StrictSerializer
from autograder.submissions.models import Submission


class SubmissionCreateInput(StrictSerializer):
    """A multipart upload: one `files` part per file."""

    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        allow_empty=True,
        required=False,
        help_text="Repeat the `files` field once per file.",
    )
    honor_pledge_accepted = serializers.BooleanField(required=False, default=False)


class SubmissionOutput(serializers.ModelSerializer[Submission]):
    submitter: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    does_not_count_for: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", many=True, read_only=True
    )

    class Meta:
        model = Submission
        fields = [
            "id",
            "group",
            "project",
            "submitter",
            "timestamp",
            "status",
            "submitted_filenames",
            "discarded_files",
            "missing_files",
            "total_size",
            "is_past_daily_limit",
            "is_bonus_submission",
            "is_late",
            "late_days_charged",
            "does_not_count_for",
            "error_msg",
        ]
        read_only_fields = fields


class SubmittedFileOutput(serializers.Serializer[Any]):
    name = serializers.CharField()
    size = serializers.IntegerField()
