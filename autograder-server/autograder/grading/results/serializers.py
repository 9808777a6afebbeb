"""Inputs (query parameters) and outputs of the results, output and gradebook endpoints.

The result tree is built as a dict by `grading.results.feedback.submission_feedback`; the output
serializers here describe it (for the schema) and pass it through.
"""

from typing import Any

from rest_framework import serializers

from autograder.common.serializers import StrictSerializer
from autograder.grading.results.feedback import REQUESTABLE_CATEGORIES

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


def _nullable_int() -> serializers.IntegerField:
    return serializers.IntegerField(allow_null=True)


def _nullable_bool() -> serializers.BooleanField:
    return serializers.BooleanField(allow_null=True)


class CommandFeedbackOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    command = _nullable_int()
    name = serializers.CharField()
    config_deleted = serializers.BooleanField()
    feedback = serializers.DictField(help_text="The settings this command was shown with.")
    timed_out = _nullable_bool()
    out_of_memory = _nullable_bool()
    return_code_correct = _nullable_bool()
    expected_return_code = serializers.CharField(allow_null=True)
    actual_return_code = _nullable_int()
    stdout_correct = _nullable_bool()
    stdout_diff_available = serializers.BooleanField()
    stdout_available = serializers.BooleanField()
    stdout_size = _nullable_int()
    stdout_truncated = _nullable_bool()
    stderr_correct = _nullable_bool()
    stderr_diff_available = serializers.BooleanField()
    stderr_available = serializers.BooleanField()
    stderr_size = _nullable_int()
    stderr_truncated = _nullable_bool()
    points_awarded = _nullable_int()
    points_possible = _nullable_int()
    error_message = serializers.CharField(allow_null=True)


class CaseFeedbackOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    case = _nullable_int()
    name = serializers.CharField()
    config_deleted = serializers.BooleanField()
    points_awarded = serializers.IntegerField()
    points_possible = serializers.IntegerField()
    commands = CommandFeedbackOutput(many=True, allow_null=True)


class SuiteFeedbackOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    suite = _nullable_int()
    name = serializers.CharField()
    config_deleted = serializers.BooleanField()
    error_message = serializers.CharField(allow_blank=True)
    setup_return_code = _nullable_int()
    setup_timed_out = _nullable_bool()
    setup_stdout_available = serializers.BooleanField()
    setup_stdout_size = _nullable_int()
    setup_stdout_truncated = _nullable_bool()
    setup_stderr_available = serializers.BooleanField()
    setup_stderr_size = _nullable_int()
    setup_stderr_truncated = _nullable_bool()
    points_awarded = serializers.IntegerField()
    points_possible = serializers.IntegerField()
    cases = CaseFeedbackOutput(many=True, allow_null=True)


class SubmissionFeedbackOutput(serializers.Serializer[Any]):
    submission = serializers.IntegerField()
    feedback_category = serializers.ChoiceField(choices=_CATEGORY_CHOICES)
    points_awarded = serializers.IntegerField()
    points_possible = serializers.IntegerField()
    suites = SuiteFeedbackOutput(many=True)


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
    points_awarded = serializers.IntegerField()
    points_possible = serializers.IntegerField()


class GradebookRowOutput(serializers.Serializer[Any]):
    group = serializers.IntegerField()
    members = GradebookMemberOutput(many=True)
    final_graded_submission = _nullable_int()
    submission_timestamp = serializers.DateTimeField(allow_null=True)
    points_awarded = _nullable_int()
    points_possible = _nullable_int()
    suites = GradebookSuiteOutput(many=True)
