"""What the pipeline's endpoints send."""

from typing import Any

from rest_framework import serializers

from autograder.submissions.models import SubmissionStatus


class SubmissionStatusOutput(serializers.Serializer[Any]):
    """Where a submission stands: the status endpoint's body and each live event's data."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=SubmissionStatus.choices)
    error_msg = serializers.CharField()
    error_detail = serializers.CharField(
        help_text="Course staff only (empty for everyone else): what broke when grading "
        "failed. `error_msg` is what students read."
    )
    queue_position = serializers.IntegerField(allow_null=True)
    estimated_wait_s = serializers.FloatField(allow_null=True)
    queued_at = serializers.DateTimeField(allow_null=True)
    grading_started_at = serializers.DateTimeField(allow_null=True)
    non_deferred_finished_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
