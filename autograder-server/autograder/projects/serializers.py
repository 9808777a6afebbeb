from typing import Any

from rest_framework import serializers

from autograder.common.markdown import markdown_html
from autograder.common.serializers import StrictModelSerializer, StrictSerializer
from autograder.courses.models import Course
from autograder.projects.models import ExpectedStudentFile, InstructorFile, Project
from autograder.projects.services import PROJECT_EDITABLE_FIELDS


class ProjectOutput(serializers.ModelSerializer[Project]):
    """The same for every role that may read the project: none of these fields is secret.
    Instructor files are never part of it (they have their own staff-only endpoints)."""

    course_name = serializers.CharField(
        source="course.name",
        read_only=True,
        help_text="The course's name, so a project page can name it without asking again.",
    )
    instructions_html = serializers.SerializerMethodField(
        help_text="`instructions` rendered from Markdown and sanitized, ready to show."
    )

    class Meta:
        model = Project
        fields = (
            "id",
            "course",
            "course_name",
            *PROJECT_EDITABLE_FIELDS,
            "instructions_html",
            "created_at",
            "last_modified",
        )
        read_only_fields = fields

    def get_instructions_html(self, project: Project) -> str:
        return markdown_html(project.instructions)


class ProjectInput(StrictModelSerializer):
    """Parses and type-checks fields (including the time zone name); cross-field rules
    (group sizes, honor pledge text, unique name) are the service's."""

    class Meta:
        model = Project
        fields = PROJECT_EDITABLE_FIELDS
        extra_kwargs = {"instructions": {"trim_whitespace": False}}
        # The course comes from the URL, so DRF's unique-together check can't apply here;
        # the service reports a taken name on the `name` field.
        validators: list[Any] = []


class ProjectCopyInput(StrictSerializer):
    target_course = serializers.PrimaryKeyRelatedField(queryset=Course.objects.all())
    name = serializers.CharField(required=False, max_length=255)


class ExpectedFileOutput(serializers.ModelSerializer[ExpectedStudentFile]):
    class Meta:
        model = ExpectedStudentFile
        fields = ("id", "project", "pattern", "min_num_matches", "max_num_matches", "last_modified")
        read_only_fields = fields


MAX_FILE_MATCHES = 10_000
"""More files than any upload may hold (AG_MAX_FILES_PER_SUBMISSION is 500 by default), and
well inside what the database column holds: larger numbers are a 400 naming the field."""


class ExpectedFileInput(StrictSerializer):
    pattern = serializers.CharField(max_length=255, trim_whitespace=False)
    min_num_matches = serializers.IntegerField(
        min_value=0, max_value=MAX_FILE_MATCHES, required=False
    )
    max_num_matches = serializers.IntegerField(
        min_value=1, max_value=MAX_FILE_MATCHES, required=False
    )


class InstructorFileOutput(serializers.ModelSerializer[InstructorFile]):
    class Meta:
        model = InstructorFile
        fields = ("id", "project", "name", "size", "last_modified")
        read_only_fields = fields


class InstructorFileUploadInput(StrictSerializer):
    file = serializers.FileField(allow_empty_file=True, use_url=False)


class InstructorFileRenameInput(StrictSerializer):
    name = serializers.CharField(max_length=255, trim_whitespace=False)
