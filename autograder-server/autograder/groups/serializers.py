from typing import Any

from rest_framework import serializers

from autograder.accounts.models import User
from autograder.common.serializers import StrictSerializer
from autograder.groups.models import Group, GroupInvitation


class MemberOutput(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "username"]


class GroupOutput(serializers.ModelSerializer[Group]):
    members = MemberOutput(many=True, read_only=True)
    late_days_used = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="User id (as a string) → late days charged here.",
    )
    num_submissions = serializers.SerializerMethodField()

    class Meta:
        model = Group
        fields = [
            "id",
            "project",
            "members",
            "extended_due_date",
            "bonus_submissions_remaining",
            "late_days_used",
            "num_submissions",
            "created_at",
            "last_modified",
        ]

    def get_num_submissions(self, group: Group) -> int:
        annotated: int | None = getattr(group, "num_submissions", None)
        return annotated if annotated is not None else group.submissions.count()


MAX_BONUS_SUBMISSIONS = 10_000
"""Far above any real grant, and well inside what the database column holds: larger numbers
are a 400 naming the field, not a bare database refusal."""


class GroupCreateInput(StrictSerializer):
    members = serializers.ListField(
        child=serializers.CharField(max_length=150), max_length=100, allow_empty=True
    )
    extended_due_date = serializers.DateTimeField(required=False, allow_null=True)
    bonus_submissions_remaining = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_BONUS_SUBMISSIONS
    )


class GroupUpdateInput(StrictSerializer):
    members = serializers.ListField(
        child=serializers.CharField(max_length=150), max_length=100, required=False
    )
    extended_due_date = serializers.DateTimeField(required=False, allow_null=True)
    bonus_submissions_remaining = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_BONUS_SUBMISSIONS
    )


class GroupMergeInput(StrictSerializer):
    other_group = serializers.IntegerField(min_value=1)


class InvitationOutput(serializers.ModelSerializer[GroupInvitation]):
    sender = MemberOutput(read_only=True)
    recipients = MemberOutput(many=True, read_only=True)
    accepted_by = MemberOutput(many=True, read_only=True)

    class Meta:
        model = GroupInvitation
        fields = ["id", "project", "sender", "recipients", "accepted_by", "created_at"]


class InvitationCreateInput(StrictSerializer):
    recipients = serializers.ListField(
        child=serializers.CharField(max_length=150), max_length=100, allow_empty=True
    )


class AcceptOutput(serializers.Serializer[Any]):
    """`group_created` tells whether this acceptance was the last one."""

    group_created = serializers.BooleanField()
    invitation = InvitationOutput(allow_null=True)
    group = GroupOutput(allow_null=True)
