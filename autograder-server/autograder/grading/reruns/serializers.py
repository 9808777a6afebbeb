from typing import Any

from rest_framework import serializers

from autograder.common.serializers import StrictSerializer
from autograder.grading.mutation.models import RERUN_SELECTION_KEY
from autograder.grading.pipeline.models import ImageChoice
from autograder.grading.reruns.services import Selection

MAX_LISTED_SUBMISSIONS = 10_000


class RerunCreateInput(StrictSerializer):
    selection = serializers.ChoiceField(choices=[s.value for s in Selection])
    submission_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=False,
        max_length=MAX_LISTED_SUBMISSIONS,
    )
    suite_selection = serializers.DictField(
        child=serializers.ListField(
            child=serializers.IntegerField(min_value=1), allow_null=True, allow_empty=False
        ),
        required=False,
        allow_null=True,
        allow_empty=False,
        help_text="Suite id → null (every test case) or a list of test case ids; the key "
        f'"{RERUN_SELECTION_KEY}" → a list of mutation suite ids. '
        "Left out or null: every suite and mutation suite.",
    )

    image_choice = serializers.ChoiceField(
        choices=ImageChoice.choices,
        required=False,
        default=ImageChoice.CURRENT,
        help_text="current: each suite's image as it is now. original: the image (by digest) "
        "each suite's earlier result was graded on; a suite whose image can't be had any more "
        "is not rerun and its result says why.",
    )

    def validate_suite_selection(self, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and not all(
            key.isdigit() or key == RERUN_SELECTION_KEY for key in value
        ):
            raise serializers.ValidationError(
                f'Keys must be suite ids (or "{RERUN_SELECTION_KEY}").'
            )
        if value is not None and value.get(RERUN_SELECTION_KEY, []) is None:
            raise serializers.ValidationError(f'"{RERUN_SELECTION_KEY}": give a list of ids.')
        return value


class RerunOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="task.pk")
    project = serializers.IntegerField(source="task.project_id")
    creator = serializers.CharField(source="task.creator.username", allow_null=True)
    selection = serializers.CharField(source="task.selection")
    suite_selection = serializers.DictField(
        source="task.suite_selection",
        child=serializers.ListField(child=serializers.IntegerField(), allow_null=True),
        allow_null=True,
        help_text="Null: every suite. Otherwise suite id → null (every test case) or a list "
        "of test case ids.",
    )
    image_choice = serializers.ChoiceField(source="task.image_choice", choices=ImageChoice.choices)
    is_cancelled = serializers.BooleanField(source="task.is_cancelled")
    created_at = serializers.DateTimeField(source="task.created_at")
    finished_at = serializers.DateTimeField(source="task.finished_at", allow_null=True)
    total = serializers.IntegerField(source="progress.total")
    completed = serializers.IntegerField(source="progress.completed")
    failed = serializers.IntegerField(source="progress.failed")
    cancelled = serializers.IntegerField(source="progress.cancelled")
    percent = serializers.FloatField(source="progress.percent")
    finished = serializers.BooleanField(source="progress.finished")


class RerunCreatedOutput(RerunOutput):
    skipped = serializers.IntegerField(
        help_text="Chosen submissions left out because a rerun of theirs was still waiting "
        "or running."
    )
