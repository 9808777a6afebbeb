from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from rest_framework import serializers

from autograder.common.serializers import StrictSerializer
from autograder.exports.models import ExportKind, ExportState, ExportTask
from autograder.exports.services import download_filename


class ExportCreateInput(StrictSerializer):
    kind = serializers.ChoiceField(choices=ExportKind.choices)
    include_staff = serializers.BooleanField(
        default=False, help_text="Also groups with a staff or admin member."
    )
    include_pending_extensions = serializers.BooleanField(
        default=False, help_text="Also groups whose extended deadline has not passed yet."
    )


class ExportOutput(serializers.ModelSerializer[ExportTask]):
    creator = serializers.CharField(source="creator.username", allow_null=True, default=None)
    kind = serializers.ChoiceField(choices=ExportKind.choices)
    state = serializers.ChoiceField(choices=ExportState.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100, help_text="Percent done.")
    filename = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(
        help_text="Where to fetch the file once `state` is `done` (null before)."
    )
    expires_at = serializers.SerializerMethodField(
        help_text="When the file and this record are removed (AG_EXPORT_RETENTION_HOURS)."
    )

    class Meta:
        model = ExportTask
        fields = [
            "id",
            "project",
            "creator",
            "kind",
            "include_staff",
            "include_pending_extensions",
            "state",
            "progress",
            "error_message",
            "filename",
            "file_size",
            "download_url",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
        ]
        read_only_fields = fields

    def get_filename(self, task: ExportTask) -> str:
        return download_filename(task)

    def get_download_url(self, task: ExportTask) -> str | None:
        if task.state != ExportState.DONE:
            return None
        return reverse("export-file", kwargs={"export_id": task.pk})

    def get_expires_at(self, task: ExportTask) -> datetime:
        return task.created_at + timedelta(hours=settings.EXPORT_RETENTION_HOURS)
