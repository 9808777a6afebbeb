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
    submitted_filenames = serializers.ListField(child=serializers.CharField(), read_only=True)
    discarded_files = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Uploaded files not kept: unexpected, one too many for a pattern, or repeated.",
    )
    missing_files = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Pattern → matches still needed.",
    )
    error_detail = serializers.SerializerMethodField(
        help_text=(
            "Course staff only (empty for everyone else): what exactly broke when grading "
            "failed, such as a sandbox or Docker fault. `error_msg` is what students read."
        )
    )
    is_final_graded = serializers.SerializerMethodField(
        help_text=(
            "Whether this is the final graded submission: the group's for staff and "
            "handgraders; for a student, their own (submissions that don't count for them are "
            "skipped), once final graded feedback is shown to them (after their deadline, "
            "unless the project hides it), and false until then."
        )
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
            "error_detail",
            "is_final_graded",
        ]
        read_only_fields = fields

    def get_error_detail(self, submission: Submission) -> str:
        """The view sets `show_error_detail` for course staff; left out, the detail is hidden."""
        return submission.error_detail if self.context.get("show_error_detail") else ""

    def get_is_final_graded(self, submission: Submission) -> bool:
        """The view puts the viewer's `final_graded_id` (or None) in the context."""
        final_graded_id: int | None = self.context["final_graded_id"]
        return submission.pk == final_graded_id


class SubmittedFileOutput(serializers.Serializer[Any]):
    name = serializers.CharField()
    size = serializers.IntegerField()
