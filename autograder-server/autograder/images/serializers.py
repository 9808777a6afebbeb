from typing import Any

from rest_framework import serializers

from autograder.common.serializers import StrictSerializer
from autograder.images.models import ImageBuild, ImageStatus, Runtime, SandboxImage


class BuildFilesField(serializers.DictField):
    child = serializers.CharField(allow_blank=True, trim_whitespace=False)


class ImageInput(StrictSerializer):
    display_name = serializers.CharField(max_length=200)
    dockerfile = serializers.CharField(trim_whitespace=False, max_length=64_000)
    build_files = BuildFilesField(required=False, help_text="{relative path: text}")
    runtime = serializers.ChoiceField(choices=Runtime.choices, default=Runtime.RUNC)


class ImagePatchInput(StrictSerializer):
    display_name = serializers.CharField(max_length=200, required=False)
    dockerfile = serializers.CharField(trim_whitespace=False, max_length=64_000, required=False)
    build_files = BuildFilesField(required=False)
    runtime = serializers.ChoiceField(choices=Runtime.choices, required=False)


class ImageOutput(serializers.ModelSerializer[SandboxImage]):
    status = serializers.ChoiceField(choices=ImageStatus.choices)
    runtime = serializers.ChoiceField(choices=Runtime.choices)
    build_files = BuildFilesField()
    usable = serializers.BooleanField(help_text="Has a good build: suites may choose it.")
    latest_build = serializers.SerializerMethodField()

    class Meta:
        model = SandboxImage
        fields = [
            "id",
            "course",
            "display_name",
            "reference",
            "dockerfile",
            "build_files",
            "runtime",
            "tag",
            "digest",
            "status",
            "built_in",
            "usable",
            "latest_build",
            "created_at",
            "updated_at",
        ]

    def get_latest_build(self, image: SandboxImage) -> int | None:
        pk: int | None = image.builds.order_by("-pk").values_list("pk", flat=True).first()
        return pk


class BuildOutput(serializers.ModelSerializer[ImageBuild]):
    status = serializers.ChoiceField(choices=ImageStatus.choices)
    build_files = BuildFilesField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    finished = serializers.BooleanField()

    class Meta:
        model = ImageBuild
        fields = [
            "id",
            "image",
            "status",
            "dockerfile",
            "build_files",
            "log",
            "error",
            "tag",
            "digest",
            "cancel_requested",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "finished",
        ]


class RuntimesOutput(serializers.Serializer[Any]):
    runtimes = serializers.ListField(
        child=serializers.ChoiceField(choices=Runtime.choices),
        help_text="The runtimes this site's Docker offers.",
    )
