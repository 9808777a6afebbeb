"""Inputs and outputs of the mutation suite configuration API."""

import dataclasses
from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from autograder.common.points import PointsField
from autograder.common.serializers import StrictModelSerializer, StrictSerializer
from autograder.grading.config.feedback_settings import CATEGORIES_WITHOUT_OVERRIDE
from autograder.grading.mutation.models import MAX_POINTS_PER_BUG, MutationTestSuite
from autograder.grading.mutation.services import MUTATION_FIELDS
from autograder.grading.mutation.settings import BugsExposedFeedback, MutationFeedback
from autograder.projects.models import ExpectedStudentFile, InstructorFile

BUGS_EXPOSED_CHOICES = [level.value for level in BugsExposedFeedback]


def _settings_serializer(name: str, *, partial: bool) -> type[serializers.Serializer[Any]]:
    fields: dict[str, serializers.Field[Any, Any, Any, Any]] = {}
    for field in dataclasses.fields(MutationFeedback):
        if field.name == "bugs_exposed_feedback":
            fields[field.name] = serializers.ChoiceField(
                choices=BUGS_EXPOSED_CHOICES, required=not partial
            )
        else:
            fields[field.name] = serializers.BooleanField(required=not partial)
    return type(name, (serializers.Serializer,), fields)


def _categories(name: str, settings: type[serializers.Serializer[Any]], *, partial: bool) -> Any:
    fields = {c.value: settings(required=not partial) for c in CATEGORIES_WITHOUT_OVERRIDE}
    return type(name, (serializers.Serializer,), fields)


MutationFeedbackJson = _categories(
    "MutationFeedbackConfig",
    _settings_serializer("MutationFeedbackSettings", partial=False),
    partial=False,
)
MutationFeedbackChangeJson = _categories(
    "MutationFeedbackConfigChange",
    _settings_serializer("MutationFeedbackSettingsChange", partial=True),
    partial=True,
)


@extend_schema_field(MutationFeedbackChangeJson)
class MutationFeedbackField(serializers.JSONField):
    pass


_TEXT = {"trim_whitespace": False}


class MutationSuiteInput(StrictModelSerializer):
    """Types and ranges; placeholder rules and cross-row checks are the service's."""

    instructor_files_needed = serializers.PrimaryKeyRelatedField(
        many=True, queryset=InstructorFile.objects.all(), required=False
    )
    student_files_needed = serializers.PrimaryKeyRelatedField(
        many=True, queryset=ExpectedStudentFile.objects.all(), required=False
    )
    buggy_impl_names = serializers.ListField(
        child=serializers.CharField(max_length=255), required=False, max_length=500
    )
    points_per_exposed_bug = PointsField(
        max_digits=7,
        min_value=Decimal(0),
        max_value=MAX_POINTS_PER_BUG,
        required=False,
        help_text="A number with at most two decimals (1, 0.5, 2.25).",
    )
    feedback = MutationFeedbackField(
        required=False,
        help_text="Settings per feedback category; what is left out keeps its value.",
    )

    class Meta:
        model = MutationTestSuite
        fields = MUTATION_FIELDS
        extra_kwargs = {
            "setup_command": _TEXT,
            "get_student_test_names_command": _TEXT,
            "validity_check_command": _TEXT,
            "grade_buggy_impl_command": _TEXT,
        }
        validators: list[Any] = []


class MutationSuiteOutput(serializers.ModelSerializer[MutationTestSuite]):
    instructor_files_needed: serializers.PrimaryKeyRelatedField[InstructorFile] = (
        serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    )
    student_files_needed: serializers.PrimaryKeyRelatedField[ExpectedStudentFile] = (
        serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    )
    buggy_impl_names = serializers.ListField(child=serializers.CharField(), read_only=True)
    feedback = serializers.SerializerMethodField()
    points_per_exposed_bug = PointsField(read_only=True)
    points_possible = PointsField(read_only=True)

    class Meta:
        model = MutationTestSuite
        fields = (
            "id",
            "project",
            "order",
            *MUTATION_FIELDS,
            "points_possible",
            "created_at",
            "last_modified",
        )
        read_only_fields = fields

    @extend_schema_field(MutationFeedbackJson)
    def get_feedback(self, suite: MutationTestSuite) -> dict[str, Any]:
        return {c.value: s.to_json() for c, s in suite.feedback_settings().items()}


class MutationOrderInput(StrictSerializer):
    ids = serializers.ListField(child=serializers.IntegerField(), max_length=1000)


class MutationOrderOutput(serializers.Serializer[Any]):
    ids = serializers.ListField(child=serializers.IntegerField())
