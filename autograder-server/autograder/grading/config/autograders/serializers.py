from rest_framework import serializers

from autograder.common.serializers import StrictSerializer
from autograder.grading.config.autograders.models import AutograderImport
from autograder.grading.config.models import MAX_TIME_LIMIT_S


class GradescopeImportInput(StrictSerializer):
    file = serializers.FileField(use_url=False, help_text="The autograder zip.")
    suite_name = serializers.CharField(max_length=255, default="Gradescope autograder")
    time_limit_s = serializers.IntegerField(
        min_value=1, max_value=MAX_TIME_LIMIT_S, default=MAX_TIME_LIMIT_S
    )


class PrairieLearnImportInput(StrictSerializer):
    file = serializers.FileField(use_url=False, help_text="A zip of the question's tests/.")
    suite_name = serializers.CharField(max_length=255, default="PrairieLearn grader")
    command = serializers.CharField(
        max_length=1000,
        help_text="What the grader image's entrypoint runs, e.g. /grade/tests/run.sh.",
    )
    sandbox_image = serializers.CharField(
        max_length=255, allow_blank=True, default="", help_text="Empty: the site's default."
    )
    time_limit_s = serializers.IntegerField(
        min_value=1, max_value=MAX_TIME_LIMIT_S, default=MAX_TIME_LIMIT_S
    )


class AutograderImportOutput(serializers.ModelSerializer[AutograderImport]):
    kind = serializers.CharField(help_text="gradescope or prairielearn")
    state = serializers.CharField(
        help_text="building (the image is being built), ready (the suite exists) or failed"
    )
    image_status = serializers.SerializerMethodField()
    image_build = serializers.SerializerMethodField()
    files = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = AutograderImport
        fields = [
            "id",
            "project",
            "kind",
            "state",
            "image",
            "image_status",
            "image_build",
            "suite",
            "suite_name",
            "command",
            "time_limit_s",
            "files",
            "error",
            "created_at",
        ]
        read_only_fields = fields

    def get_image_status(self, imported: AutograderImport) -> str | None:
        """The image's latest build state (pending, building, ready, failed, cancelled)."""
        return imported.image.status if imported.image else None

    def get_image_build(self, imported: AutograderImport) -> int | None:
        """The image's latest build (its live log is /api/image_builds/<id>/)."""
        if imported.image is None:
            return None
        pk: int | None = imported.image.builds.order_by("-pk").values_list("pk", flat=True).first()
        return pk
