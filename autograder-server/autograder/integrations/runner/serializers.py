from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from autograder.common.serializers import StrictSerializer
from autograder.integrations.runner.models import KEY_FEEDBACK_CATEGORIES, MachineKey, RunnerWork
from autograder.integrations.runner.params import MAX_PARAMS, MAX_VALUE_LENGTH
from autograder.projects.models import Project


class GradeInput(StrictSerializer):
    """The runner API's multipart form (correctomatic's fields; `assignment` is our project
    id where correctomatic has an image name)."""

    file = serializers.FileField(help_text="The work: one file, submitted as the student's.")
    work_id = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True,
        help_text="The caller's id of the work, sent back in the callback.",
    )  # fmt: skip
    assignment = serializers.IntegerField(min_value=1, help_text="The project's id.")
    param = serializers.ListField(
        child=serializers.CharField(max_length=MAX_VALUE_LENGTH + 70, trim_whitespace=False),
        required=False,
        default=list,
        max_length=MAX_PARAMS,
        help_text="Repeated NAME=VALUE fields: environment variables of the grading commands.",
    )
    callback = serializers.URLField(max_length=2000, help_text="Where the result is POSTed.")


class GradeOutput(serializers.Serializer[None]):
    success = serializers.BooleanField()
    message = serializers.CharField()


GradeRefusedOutput = inline_serializer(
    name="RunnerRefused",
    fields={
        "success": serializers.BooleanField(help_text="Always false."),
        "message": serializers.CharField(help_text="Why; starts with the field it is about."),
        "code": serializers.CharField(help_text="Stable; clients branch on it."),
        "fields": serializers.DictField(
            child=serializers.JSONField(), help_text="Input field name → its reasons."
        ),
    },
)
"""A refusal in correctomatic's shape, with our `code` and `fields`."""


class MachineKeyInput(StrictSerializer):
    name = serializers.CharField(max_length=100)
    projects = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=200
    )
    feedback_category = serializers.ChoiceField(
        choices=KEY_FEEDBACK_CATEGORIES, required=False, default="normal"
    )


class MachineKeyOutput(serializers.ModelSerializer[MachineKey]):
    projects: "serializers.PrimaryKeyRelatedField[Project]" = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = MachineKey
        fields = [
            "id",
            "course",
            "name",
            "prefix",
            "projects",
            "feedback_category",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = fields


class MachineKeyCreatedOutput(MachineKeyOutput):
    key = serializers.CharField(help_text="Shown once: `Authorization: Bearer <key>`.")
    signing_secret = serializers.CharField(
        help_text="Shown once: the callback receiver checks X-Autograder-Signature with it."
    )

    class Meta(MachineKeyOutput.Meta):
        fields = [*MachineKeyOutput.Meta.fields, "key", "signing_secret"]
        read_only_fields = fields


class RunnerWorkOutput(serializers.ModelSerializer[RunnerWork]):
    key_name = serializers.CharField(source="key.name")
    submission_status = serializers.CharField(source="submission.status")
    params = serializers.DictField(child=serializers.CharField())
    payload = serializers.DictField(child=serializers.JSONField(), allow_null=True)

    class Meta:
        model = RunnerWork
        fields = [
            "id",
            "key",
            "key_name",
            "work_id",
            "submission",
            "submission_status",
            "callback",
            "params",
            "payload",
            "state",
            "attempts",
            "response_status",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields
