from typing import Any

from rest_framework import serializers
from rest_framework_dataclasses.serializers import DataclassSerializer

from autograder.common.serializers import StrictSerializer
from autograder.grading.config.transfer.preview import ProjectCopyCounts


class ProjectCopyCountsOutput(DataclassSerializer[ProjectCopyCounts]):
    class Meta:
        dataclass = ProjectCopyCounts


class CourseCopyPreviewOutput(serializers.Serializer[Any]):
    projects = ProjectCopyCountsOutput(many=True)


class ExportQuery(StrictSerializer):
    bundle = serializers.ChoiceField(
        choices=["zip", "yaml"],
        default="zip",
        help_text="zip: project.yaml with the instructor files; yaml: the document alone.",
    )


class ImportInput(StrictSerializer):
    file = serializers.FileField(
        help_text="A project.yaml, or a zip of project.yaml and instructor_files/<name>."
    )
    dry_run = serializers.BooleanField(
        default=True, help_text="Only report what would change (the default)."
    )
    delete_missing = serializers.BooleanField(
        default=False,
        help_text="Delete suites, test cases, commands and files the document doesn't list.",
    )


class ChangeOutput(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=["create", "update", "delete", "keep"])
    kind = serializers.CharField()
    name = serializers.CharField()
    details = serializers.ListField(child=serializers.CharField())
    text = serializers.CharField()


class ImportOutput(serializers.Serializer[Any]):
    applied = serializers.BooleanField()
    changes = ChangeOutput(many=True)
