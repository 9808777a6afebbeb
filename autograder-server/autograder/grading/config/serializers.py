import dataclasses
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from autograder.common.serializers import StrictModelSerializer, StrictSerializer
from autograder.grading.config import feedback_settings as feedback_config
from autograder.grading.config.feedback_settings import FeedbackCategory, OutputFeedback
from autograder.grading.config.models import (
    MAX_NOTE_LENGTH,
    AGTestCase,
    AGTestCommand,
    AGTestSuite,
)
from autograder.grading.config.services import COMMAND_FIELDS, SUITE_FIELDS
from autograder.projects.models import ExpectedStudentFile, InstructorFile, Project

# --- Feedback JSON (for the schema; values are checked by feedback_config) ------------------

OUTPUT_FEEDBACK_CHOICES = [level.value for level in OutputFeedback]
"""One named enum in the schema (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] can point here)."""


def _settings_serializer(
    name: str, settings: type[Any], *, partial: bool
) -> type[serializers.Serializer[Any]]:
    fields: dict[str, serializers.Field[Any, Any, Any, Any]] = {}
    for field in dataclasses.fields(settings):
        if field.type is OutputFeedback:
            fields[field.name] = serializers.ChoiceField(
                choices=OUTPUT_FEEDBACK_CHOICES, required=not partial
            )
        else:
            fields[field.name] = serializers.BooleanField(required=not partial)
    return type(name, (serializers.Serializer,), fields)


def _categories_serializer(
    name: str, settings: type[serializers.Serializer[Any]], *, with_override: bool, partial: bool
) -> type[serializers.Serializer[Any]]:
    fields: dict[str, serializers.Field[Any, Any, Any, Any]] = {
        category.value: settings(required=not partial)
        for category in feedback_config.CATEGORIES_WITHOUT_OVERRIDE
    }
    if with_override:
        fields[FeedbackCategory.FIRST_FAILED_TEST.value] = settings(
            required=False, allow_null=partial
        )
    return type(name, (serializers.Serializer,), fields)


def _feedback_serializers(
    prefix: str, settings: type[Any], *, with_override: bool
) -> tuple[type[serializers.Serializer[Any]], ...]:
    """Settings of one category, all categories as stored, all categories as a change."""
    full = _settings_serializer(f"{prefix}FeedbackSettings", settings, partial=False)
    partial = _settings_serializer(f"{prefix}FeedbackSettingsChange", settings, partial=True)
    return (
        full,
        _categories_serializer(
            f"{prefix}FeedbackConfig", full, with_override=with_override, partial=False
        ),
        _categories_serializer(
            f"{prefix}FeedbackConfigChange", partial, with_override=with_override, partial=True
        ),
    )


_, SuiteFeedbackJson, SuiteFeedbackChangeJson = _feedback_serializers(
    "Suite", feedback_config.SuiteFeedback, with_override=False
)
_, CaseFeedbackJson, CaseFeedbackChangeJson = _feedback_serializers(
    "Case", feedback_config.CaseFeedback, with_override=False
)
CommandFeedbackSettingsJson, CommandFeedbackJson, CommandFeedbackChangeJson = _feedback_serializers(
    "Command", feedback_config.CommandFeedback, with_override=True
)


@extend_schema_field(SuiteFeedbackChangeJson)
class SuiteFeedbackField(serializers.JSONField):
    pass


@extend_schema_field(CaseFeedbackChangeJson)
class CaseFeedbackField(serializers.JSONField):
    pass


@extend_schema_field(CommandFeedbackChangeJson)
class CommandFeedbackField(serializers.JSONField):
    pass


_FEEDBACK_HELP = (
    "Settings per feedback category. On create, what is left out gets its default; on "
    "update, only the categories and settings sent change."
)

# --- Output ---------------------------------------------------------------------------------


class CommandOutput(serializers.ModelSerializer[AGTestCommand]):
    """Every field of a command; instructor files by id (null if the file was deleted)."""

    feedback = serializers.SerializerMethodField()
    points_possible = serializers.IntegerField(read_only=True)

    class Meta:
        model = AGTestCommand
        fields = (
            "id",
            "case",
            "order",
            *COMMAND_FIELDS,
            "points_possible",
            "created_at",
            "last_modified",
        )
        read_only_fields = fields

    @extend_schema_field(CommandFeedbackJson)
    def get_feedback(self, command: AGTestCommand) -> dict[str, Any]:
        return feedback_config.normalize_command_feedback(command.feedback)


class CaseOutput(serializers.ModelSerializer[AGTestCase]):
    feedback = serializers.SerializerMethodField()
    commands = CommandOutput(many=True, read_only=True)

    class Meta:
        model = AGTestCase
        fields = (
            "id",
            "suite",
            "order",
            "name",
            "description",
            "student_hint",
            "staff_notes",
            "feedback",
            "commands",
            "created_at",
            "last_modified",
        )
        read_only_fields = fields

    @extend_schema_field(CaseFeedbackJson)
    def get_feedback(self, case: AGTestCase) -> dict[str, Any]:
        return feedback_config.normalize_case_feedback(case.feedback)


class SuiteOutput(serializers.ModelSerializer[AGTestSuite]):
    """Every field of a suite, with its test cases and their commands in order."""

    instructor_files_needed: serializers.PrimaryKeyRelatedField[InstructorFile] = (
        serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    )
    student_files_needed: serializers.PrimaryKeyRelatedField[ExpectedStudentFile] = (
        serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    )
    feedback = serializers.SerializerMethodField()
    cases = CaseOutput(many=True, read_only=True)

    class Meta:
        model = AGTestSuite
        fields = ("id", "project", "order", *SUITE_FIELDS, "cases", "created_at", "last_modified")
        read_only_fields = fields

    @extend_schema_field(SuiteFeedbackJson)
    def get_feedback(self, suite: AGTestSuite) -> dict[str, Any]:
        return feedback_config.normalize_suite_feedback(suite.feedback)


class OrderOutput(serializers.Serializer[Any]):
    ids = serializers.ListField(child=serializers.IntegerField())


class FeedbackPresetOutput(serializers.Serializer[Any]):
    """A named starting point for one category of a command's feedback."""

    name = serializers.CharField()
    settings = CommandFeedbackSettingsJson()


class SandboxImageOption(serializers.Serializer[Any]):
    reference = serializers.CharField(help_text="The value `sandbox_image` stores.")
    display_name = serializers.CharField()
    runtime = serializers.CharField(help_text="runc or runsc (gVisor).")


class SandboxImagesOutput(serializers.Serializer[Any]):
    """The images a suite may run on, as the site is configured now."""

    default_image = serializers.CharField(
        help_text="What an empty `sandbox_image` means (AG_SANDBOX_IMAGE)."
    )
    images = serializers.ListField(
        child=serializers.CharField(),
        help_text="Every value `sandbox_image` may take besides empty, the default first.",
    )
    options = SandboxImageOption(
        many=True, help_text="The same images with their names and runtimes, for a select."
    )


# --- Input ----------------------------------------------------------------------------------

_TEXT = {"trim_whitespace": False}


class SuiteInput(StrictModelSerializer):
    """Types and ranges; cross-field and cross-row rules are the service's."""

    instructor_files_needed = serializers.PrimaryKeyRelatedField(
        many=True, queryset=InstructorFile.objects.all(), required=False
    )
    student_files_needed = serializers.PrimaryKeyRelatedField(
        many=True, queryset=ExpectedStudentFile.objects.all(), required=False
    )
    feedback = SuiteFeedbackField(required=False, help_text=_FEEDBACK_HELP)

    class Meta:
        model = AGTestSuite
        fields = SUITE_FIELDS
        extra_kwargs = {"setup_command": _TEXT, "description": _TEXT, "staff_notes": _TEXT}
        # The project comes from the URL; the service reports a taken name on `name`.
        validators: list[Any] = []


def _note(help_text: str) -> serializers.CharField:
    return serializers.CharField(
        max_length=MAX_NOTE_LENGTH,
        allow_blank=True,
        required=False,
        trim_whitespace=False,
        help_text=help_text,
    )


class CaseInput(StrictSerializer):
    name = serializers.CharField(max_length=255)
    description = _note("Markdown shown with the result.")
    student_hint = _note("Markdown shown to students when the test fails as they see it.")
    staff_notes = _note("Markdown for staff only.")
    feedback = CaseFeedbackField(required=False, help_text=_FEEDBACK_HELP)


class CaseUpdateInput(CaseInput):
    suite = serializers.PrimaryKeyRelatedField(
        queryset=AGTestSuite.objects.all(),
        required=False,
        help_text="Moves the test case to the end of this suite (of the same project).",
    )


class CommandInput(StrictModelSerializer):
    stdin_instructor_file = serializers.PrimaryKeyRelatedField(
        queryset=InstructorFile.objects.all(), allow_null=True, required=False
    )
    expected_stdout_instructor_file = serializers.PrimaryKeyRelatedField(
        queryset=InstructorFile.objects.all(), allow_null=True, required=False
    )
    expected_stderr_instructor_file = serializers.PrimaryKeyRelatedField(
        queryset=InstructorFile.objects.all(), allow_null=True, required=False
    )
    feedback = CommandFeedbackField(required=False, help_text=_FEEDBACK_HELP)

    class Meta:
        model = AGTestCommand
        fields = COMMAND_FIELDS
        extra_kwargs = {
            "cmd": _TEXT,
            "stdin_text": _TEXT,
            "expected_stdout_text": _TEXT,
            "expected_stderr_text": _TEXT,
        }
        validators: list[Any] = []


class OrderInput(StrictSerializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=10_000)


class SuiteCopyInput(StrictSerializer):
    target_project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all())
    new_name = serializers.CharField(max_length=255, required=False)
