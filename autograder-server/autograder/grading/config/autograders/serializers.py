from rest_framework import serializers

from autograder.common.serializers import StrictSerializer
from autograder.grading.config.autograders.models import AutograderImport, AutograderImportVersion
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


class ImportVersionInput(StrictSerializer):
    file = serializers.FileField(
        use_url=False, help_text="The new autograder zip (as for a new import of its kind)."
    )
    time_limit_s = serializers.IntegerField(
        min_value=1,
        max_value=MAX_TIME_LIMIT_S,
        required=False,
        help_text="Left out: the time limit stays as it is.",
    )
    command = serializers.CharField(
        max_length=1000,
        required=False,
        help_text="PrairieLearn only. Left out: the command stays as it is.",
    )


class ImportVersionOutput(serializers.ModelSerializer[AutograderImportVersion]):
    files = serializers.ListField(child=serializers.CharField())
    build_status = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = AutograderImportVersion
        fields = [
            "number",
            "files",
            "command",
            "time_limit_s",
            "build",
            "build_status",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_build_status(self, version: AutograderImportVersion) -> str | None:
        """The state of the image build this version started (pending, building, ready,
        failed, cancelled); null for PrairieLearn versions, which apply at once."""
        return version.build.status if version.build else None

    def get_created_by(self, version: AutograderImportVersion) -> str | None:
        """Who uploaded it (their username)."""
        return version.created_by.username if version.created_by else None


class AutograderImportOutput(serializers.ModelSerializer[AutograderImport]):
    kind = serializers.CharField(help_text="gradescope or prairielearn")
    state = serializers.CharField(
        help_text="building (the image is being built), ready (the suite exists), failed, or "
        "suite_deleted (staff deleted its suite: no new version can be uploaded)"
    )
    version = serializers.SerializerMethodField()
    versions = ImportVersionOutput(many=True, read_only=True)
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
            "version",
            "versions",
        ]
        read_only_fields = fields

    def get_version(self, imported: AutograderImport) -> int:
        """The number of the latest version (1: as first imported)."""
        return max((v.number for v in imported.versions.all()), default=1)

    def get_image_status(self, imported: AutograderImport) -> str | None:
        """The image's latest build state (pending, building, ready, failed, cancelled)."""
        return imported.image.status if imported.image else None

    def get_image_build(self, imported: AutograderImport) -> int | None:
        """The image's latest build (its live log is /api/image_builds/<id>/)."""
        if imported.image is None:
            return None
        pk: int | None = imported.image.builds.order_by("-pk").values_list("pk", flat=True).first()
        return pk
