from decimal import Decimal
from typing import Any

from rest_framework import serializers

from autograder.common.serializers import StrictSerializer
from autograder.handgrading.models import HandgradingStatus, PointsStyle

_MAX = 99999
MAX_ID = 2**63 - 1
"""Ids beyond a bigint are refused as bad input rather than reaching the database."""


def points_field(
    *, min_value: int = -_MAX, max_value: int = _MAX, **kwargs: Any
) -> serializers.DecimalField:
    """Points as JSON numbers with at most two decimals."""
    return serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        coerce_to_string=False,
        min_value=Decimal(min_value),
        max_value=Decimal(max_value),
        **kwargs,
    )


# --- Rubric --------------------------------------------------------------------------------


class CriterionOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    short_description = serializers.CharField()
    long_description = serializers.CharField()
    points = points_field()


class AnnotationOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    short_description = serializers.CharField()
    long_description = serializers.CharField()
    deduction = points_field()
    max_deduction = points_field(allow_null=True)


class RubricOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    project = serializers.IntegerField(source="project_id")
    points_style = serializers.ChoiceField(choices=PointsStyle.choices)
    max_points = points_field()
    released = serializers.BooleanField()
    show_only_applied_to_students = serializers.BooleanField()
    handgraders_can_leave_comments = serializers.BooleanField()
    handgraders_can_adjust_points = serializers.BooleanField()
    handgraders_can_see_test_results = serializers.BooleanField()
    criteria = CriterionOutput(many=True, source="criteria.all")
    annotations = AnnotationOutput(many=True, source="annotations.all")


class RubricInput(StrictSerializer):
    points_style = serializers.ChoiceField(choices=PointsStyle.choices, required=False)
    max_points = points_field(min_value=0, required=False)
    released = serializers.BooleanField(required=False)
    show_only_applied_to_students = serializers.BooleanField(required=False)
    handgraders_can_leave_comments = serializers.BooleanField(required=False)
    handgraders_can_adjust_points = serializers.BooleanField(required=False)
    handgraders_can_see_test_results = serializers.BooleanField(required=False)


class RubricImportInput(StrictSerializer):
    project = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The project to copy from."
    )


class RubricOrderInput(StrictSerializer):
    ids = serializers.ListField(child=serializers.IntegerField(), max_length=1000)


class RubricOrderOutput(serializers.Serializer[Any]):
    ids = serializers.ListField(child=serializers.IntegerField())


class CriterionInput(StrictSerializer):
    short_description = serializers.CharField(max_length=255)
    long_description = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    points = points_field(required=False)


class AnnotationInput(StrictSerializer):
    short_description = serializers.CharField(max_length=255)
    long_description = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    deduction = points_field(max_value=0, required=False)
    max_deduction = points_field(max_value=0, required=False, allow_null=True)


# --- Results -------------------------------------------------------------------------------


class CriterionResultOutput(CriterionOutput):
    selected = serializers.BooleanField()


class AppliedAnnotationOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    annotation = serializers.IntegerField()
    filename = serializers.CharField()
    first_line = serializers.IntegerField()
    last_line = serializers.IntegerField()
    created_by = serializers.CharField(allow_null=True, help_text="Hidden from students.")


class CommentOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    text = serializers.CharField()
    filename = serializers.CharField(help_text="Empty for a comment on the whole submission.")
    first_line = serializers.IntegerField(allow_null=True)
    last_line = serializers.IntegerField(allow_null=True)
    created_by = serializers.CharField(allow_null=True, help_text="Hidden from students.")


class HandgradingResultOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    group = serializers.IntegerField()
    submission = serializers.IntegerField()
    submitted_filenames = serializers.ListField(child=serializers.CharField())
    finished = serializers.BooleanField()
    points_adjustment = points_field()
    version = serializers.IntegerField(help_text="Grows with every change to the result.")
    total_points = points_field()
    max_points = points_field()
    points_style = serializers.ChoiceField(choices=PointsStyle.choices)
    criteria = CriterionResultOutput(many=True)
    annotations = AnnotationOutput(many=True)
    applied_annotations = AppliedAnnotationOutput(many=True)
    comments = CommentOutput(many=True)


class ResultUpdateInput(StrictSerializer):
    points_adjustment = points_field(required=False)
    finished = serializers.BooleanField(required=False)


class CriterionSelectInput(StrictSerializer):
    selected = serializers.BooleanField()


class AnnotationApplyInput(StrictSerializer):
    annotation = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    filename = serializers.CharField(max_length=255)
    first_line = serializers.IntegerField(min_value=1, max_value=10_000_000)
    last_line = serializers.IntegerField(min_value=1, max_value=10_000_000)


class CommentInput(StrictSerializer):
    text = serializers.CharField(max_length=20000)
    filename = serializers.CharField(max_length=255, required=False, allow_blank=True)
    first_line = serializers.IntegerField(min_value=1, max_value=10_000_000, required=False)
    last_line = serializers.IntegerField(min_value=1, max_value=10_000_000, required=False)


class CommentUpdateInput(StrictSerializer):
    text = serializers.CharField(max_length=20000)


# --- Progress and assignments ------------------------------------------------------------


class ProgressRowOutput(serializers.Serializer[Any]):
    group = serializers.IntegerField()
    members = serializers.ListField(child=serializers.CharField())
    submission = serializers.IntegerField(source="submission_id", allow_null=True)
    status = serializers.ChoiceField(choices=HandgradingStatus.choices)
    grader = serializers.CharField(allow_null=True)
    total_points = points_field(allow_null=True)


class ProgressOutput(serializers.Serializer[Any]):
    rubric = RubricOutput(allow_null=True, help_text="Null until staff create one.")
    groups = ProgressRowOutput(many=True)


class MyHandgradingOutput(serializers.Serializer[Any]):
    result = HandgradingResultOutput(
        allow_null=True, help_text="Null until staff release handgrading for your group."
    )


class ProgressQueryInput(StrictSerializer):
    status = serializers.ChoiceField(choices=HandgradingStatus.choices, required=False)
    grader = serializers.CharField(max_length=150, required=False)


class AssignInput(StrictSerializer):
    groups = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=5000
    )
    grader = serializers.CharField(
        max_length=150,
        allow_null=True,
        help_text="Username of a handgrader or staff member; null unassigns.",
    )


class AssignOutput(serializers.Serializer[Any]):
    changed = serializers.IntegerField()
