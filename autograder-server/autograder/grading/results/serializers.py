"""Inputs (query parameters) and outputs of the results, output and gradebook endpoints.

The result tree is `grading.results.feedback.SubmissionFeedbackOutput`, a tree of dataclasses;
its serializer is derived from them.
"""

from typing import Any

from rest_framework import serializers
from rest_framework_dataclasses.serializers import DataclassSerializer

from autograder.common.points import PointsDataclassSerializer, PointsField
from autograder.common.serializers import StrictSerializer
from autograder.grading.results.feedback import REQUESTABLE_CATEGORIES, SubmissionFeedbackOutput
from autograder.grading.results.scores import SubmissionScore
from autograder.grading.results.statistics import ProjectStatistics

DEFAULT_MAX_BYTES = 1024 * 1024
MAX_MAX_BYTES = 50_000_000

_CATEGORY_CHOICES = [c.value for c in REQUESTABLE_CATEGORIES]


class ResultsQueryInput(StrictSerializer):
    feedback_category = serializers.ChoiceField(choices=_CATEGORY_CHOICES, required=False)


class OutputQueryInput(ResultsQueryInput):
    max_bytes = serializers.IntegerField(
        min_value=1, max_value=MAX_MAX_BYTES, default=DEFAULT_MAX_BYTES
    )


# --- The result tree -------------------------------------------------------------------------


class SubmissionScoreSerializer(PointsDataclassSerializer):
    """A graded submission's total as the requester sees it (the results page's default)."""

    feedback_category = serializers.ChoiceField(choices=_CATEGORY_CHOICES)

    class Meta:
        dataclass = SubmissionScore


class SubmissionFeedbackSerializer(PointsDataclassSerializer):
    """A submission's results as one feedback category shows them."""

    # The shape is written once: `feedback.SubmissionFeedbackOutput` and the dataclasses it nests.
    feedback_category = serializers.ChoiceField(choices=_CATEGORY_CHOICES)

    class Meta:
        dataclass = SubmissionFeedbackOutput


def _nullable_int() -> serializers.IntegerField:
    return serializers.IntegerField(allow_null=True)


DIFF_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": 'Lines as ["-" (expected only) | "+" (actual only) | " " (both), text].',
    "items": {
        "type": "array",
        "minItems": 2,
        "maxItems": 2,
        "items": {"type": "string"},
    },
}


# --- Gradebook -------------------------------------------------------------------------------


class GradebookMemberOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField()


class GradebookSuiteOutput(serializers.Serializer[Any]):
    suite = serializers.IntegerField()
    name = serializers.CharField()
    points_awarded = PointsField()
    points_possible = PointsField()


class GradebookExtraOutput(serializers.Serializer[Any]):
    """A column another app added (e.g. handgrading): null where the group has no score."""

    key = serializers.CharField()
    name = serializers.CharField()
    points_awarded = PointsField(allow_null=True)
    points_possible = PointsField(allow_null=True)


class GradebookRowOutput(serializers.Serializer[Any]):
    group = serializers.IntegerField(
        allow_null=True, help_text="Null for an enrolled student who is in no group."
    )
    members = GradebookMemberOutput(many=True)
    final_graded_submission = _nullable_int()
    submission_timestamp = serializers.DateTimeField(allow_null=True)
    points_awarded = PointsField(allow_null=True)
    points_possible = PointsField(allow_null=True)
    suites = GradebookSuiteOutput(many=True)
    mutation_suites = GradebookSuiteOutput(
        many=True,
        help_text="The project's mutation suites, in order (`suite` is the mutation suite's "
        "id); their points count in the row's total.",
    )
    extra = GradebookExtraOutput(many=True)


# --- Statistics ------------------------------------------------------------------------------


class ProjectStatisticsOutput(DataclassSerializer[ProjectStatistics]):
    """The shape is `statistics.ProjectStatistics` and the dataclasses it nests."""

    class Meta:
        dataclass = ProjectStatistics
