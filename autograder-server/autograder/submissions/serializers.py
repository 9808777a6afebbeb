import datetime
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from autograder.accounts.models import User
from autograder.common.serializers import StrictSerializer
from autograder.submissions.models import Submission
from autograder.submissions.selectors import SubmissionPlan


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


# --- What the project page shows before an upload ----------------------------------------------


class ZonedDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time with the offset of the zone it was computed in (the project's reset
    time zone), where a plain DateTimeField would convert it to the server's zone."""

    def to_representation(self, value: Any) -> str:
        assert isinstance(value, datetime.datetime)
        return value.isoformat()


class RefusalOutput(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="The `code` the upload would answer with.")
    message = serializers.CharField()
    name = serializers.CharField(
        allow_null=True, help_text="The chosen file it is about; null when about the upload."
    )


class MemberLateDaysOutput(serializers.Serializer[Any]):
    username = serializers.CharField()
    late_days_remaining = serializers.IntegerField()
    late_days_used = serializers.IntegerField(help_text="Spent in the course, on any project.")
    late_days_needed = serializers.IntegerField(
        help_text="Late days a submission now would charge this member (0 when on time, or "
        "when this group already charged them for this late day)."
    )
    would_count = serializers.BooleanField(
        help_text="False when the member lacks the late days: the submission would not count "
        "for their grade, and they are not charged."
    )


class SubmissionLimitsOutput(serializers.Serializer[Any]):
    """`selectors.SubmissionPlan` for the requesting user: the same plan the upload follows."""

    group = serializers.SerializerMethodField(help_text="The user's group; null without one.")
    checked_at = serializers.DateTimeField(source="now", help_text="When this was computed.")
    limits_apply = serializers.BooleanField(
        help_text="False for course staff: limits, deadlines and late days don't apply to them."
    )
    submissions_per_day = serializers.IntegerField(
        source="daily.limit",
        allow_null=True,
        help_text="The group's daily limit (times its size when the project pools it); null "
        "for no limit.",
    )
    submissions_used_today = serializers.IntegerField(source="daily.used")
    submissions_remaining_today = serializers.IntegerField(
        source="daily.remaining", allow_null=True
    )
    daily_limit_resets_at = ZonedDateTimeField(
        source="daily.resets_at",
        help_text="The next daily reset, with the offset of the project's reset time zone.",
    )
    reset_timezone = serializers.CharField(source="project.submission_limit_reset_timezone")
    total_submission_limit = serializers.IntegerField(source="total.limit", allow_null=True)
    submissions_used_total = serializers.IntegerField(source="total.used")
    total_submissions_remaining = serializers.IntegerField(
        source="total.remaining", allow_null=True
    )
    bonus_submissions_remaining = serializers.IntegerField()
    closing_time = serializers.DateTimeField(source="project.closing_time", allow_null=True)
    extended_due_date = serializers.SerializerMethodField()
    deadline = serializers.DateTimeField(
        source="late.deadline",
        allow_null=True,
        help_text="The deadline that applies: the group's extension, else the closing time.",
    )
    allow_late_days = serializers.BooleanField(source="project.allow_late_days")
    past_deadline = serializers.BooleanField(source="late.is_past_deadline")
    days_late = serializers.IntegerField(
        source="late.days_late", help_text="Whole days past the deadline, rounded up."
    )
    late_days_remaining = serializers.SerializerMethodField(
        help_text="The requesting user's late days left in the course."
    )
    late_days_used = serializers.SerializerMethodField(
        help_text="The requesting user's late days spent in the course, on any project."
    )
    late_days_to_use = serializers.SerializerMethodField(
        help_text="Late days a submission now would charge the requesting user."
    )
    members = serializers.SerializerMethodField(
        help_text="Every member's late days (just the user without a group)."
    )
    would_use_bonus_submission = serializers.BooleanField(source="is_bonus_submission")
    would_be_past_daily_limit = serializers.BooleanField(source="is_past_daily_limit")
    would_be_late = serializers.BooleanField(source="is_late")
    refusal = RefusalOutput(
        allow_null=True,
        help_text="Why an upload now would be refused (the first reason, as the upload checks "
        "them); null when it would be accepted, files permitting.",
    )

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_group(self, plan: SubmissionPlan) -> int | None:
        return plan.group.pk if plan.group is not None else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_extended_due_date(self, plan: SubmissionPlan) -> str | None:
        due = plan.group.extended_due_date if plan.group is not None else None
        return serializers.DateTimeField().to_representation(due) if due else None

    def get_late_days_remaining(self, plan: SubmissionPlan) -> int:
        mine = plan.submitter_late_days
        return mine.remaining if mine is not None else 0

    def get_late_days_used(self, plan: SubmissionPlan) -> int:
        mine = plan.submitter_late_days
        return mine.used if mine is not None else 0

    def get_late_days_to_use(self, plan: SubmissionPlan) -> int:
        return plan.late_day_charges.get(plan.submitter.pk, 0)

    @extend_schema_field(MemberLateDaysOutput(many=True))
    def get_members(self, plan: SubmissionPlan) -> Any:
        not_counted = {user.pk for user in plan.does_not_count_for}
        rows = [
            {
                "username": member.user.username,
                "late_days_remaining": member.remaining,
                "late_days_used": member.used,
                "late_days_needed": member.needed,
                "would_count": member.user.pk not in not_counted,
            }
            for member in plan.late.members
        ]
        return MemberLateDaysOutput(rows, many=True).data


FILE_CHECK_MAX_FILES = 10_000
"""More names than any upload may have (AG_MAX_FILES_PER_SUBMISSION, 500 by default), so the
dry run can still say "too many"; the cap keeps one request's matching work bounded."""


class ChosenFileInput(StrictSerializer):
    name = serializers.CharField(
        max_length=1024, allow_blank=True, trim_whitespace=False, help_text="The file's name."
    )
    size = serializers.IntegerField(
        min_value=0, required=False, help_text="Bytes; leave out to skip the size limit."
    )

    def validate_name(self, name: str) -> str:
        try:
            name.encode("utf-8")
        except UnicodeEncodeError as exc:  # a lone surrogate, from JSON like "\ud800"
            raise serializers.ValidationError("Not a valid Unicode file name.") from exc
        return name


class FileCheckInput(StrictSerializer):
    files = serializers.ListField(child=ChosenFileInput(), max_length=FILE_CHECK_MAX_FILES)


class FileCheckOutput(serializers.Serializer[Any]):
    """`selectors.FileCheck`: what an upload of these files would come to."""

    accepted = serializers.ListField(
        child=serializers.CharField(), source="match.accepted", help_text="Files that are kept."
    )
    discarded = serializers.ListField(
        child=serializers.CharField(),
        source="match.discarded",
        help_text="Files left out: unexpected, one too many for a pattern, or repeated.",
    )
    missing = serializers.DictField(
        child=serializers.IntegerField(),
        source="match.missing",
        help_text="Pattern → files it still needs.",
    )
    matched = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        source="match.matched",
        help_text="Every expected pattern → the chosen files it takes.",
    )
    problems = RefusalOutput(
        many=True,
        source="refusals",
        help_text="Everything the upload would refuse about these files, in the order it "
        "checks them (it answers with the first).",
    )
    acceptable = serializers.BooleanField(
        help_text="True when the upload would accept these files (limits and deadlines aside)."
    )
