from typing import Any

from rest_framework import serializers

from autograder.accounts.models import User
from autograder.common.serializers import StrictModelSerializer, StrictSerializer
from autograder.courses.models import Course, Semester
from autograder.courses.services import COURSE_EDITABLE_FIELDS


class CourseOutput(serializers.ModelSerializer[Course]):
    """`my_roles` are the requesting user's roles, given in the context as
    `{"roles": {course_id: [role, ...]}}`."""

    my_roles = serializers.SerializerMethodField()

    class Meta:
        model = Course
        fields = ("id", *COURSE_EDITABLE_FIELDS, "created_at", "last_modified", "my_roles")
        read_only_fields = fields

    def get_my_roles(self, course: Course) -> list[str]:
        roles: dict[int, list[str]] = self.context.get("roles", {})
        return roles.get(course.pk, [])


class CourseInput(StrictModelSerializer):
    """Parses and type-checks fields; a taken (name, semester, year) is the service's 400."""

    class Meta:
        model = Course
        fields = COURSE_EDITABLE_FIELDS
        validators: list[Any] = []


class CourseCopyInput(StrictSerializer):
    name = serializers.CharField(max_length=255)
    semester = serializers.ChoiceField(choices=Semester.choices)
    year = serializers.IntegerField(min_value=2000, max_value=2200)


class RosterUserOutput(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ("id", "username", "email", "first_name", "last_name")
        read_only_fields = fields


class RosterJsonInput(StrictSerializer):
    """Exactly one of `users` and `text`."""

    users = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        required=False,
        help_text="Usernames or emails.",
    )
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Usernames or emails separated by commas, whitespace or newlines.",
    )


class RosterUploadInput(StrictSerializer):
    """Exactly one of `file` and `text`."""

    file = serializers.FileField(
        required=False,
        allow_empty_file=True,
        use_url=False,
        help_text=(
            "A UTF-8 CSV file: the first column holds usernames or emails; a header row "
            "'username' or 'email' is skipped. At most 5000 rows."
        ),
    )
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class RosterChangeOutput(serializers.Serializer[Any]):
    added = RosterUserOutput(many=True)
    removed = RosterUserOutput(many=True)
    created = RosterUserOutput(many=True, help_text="Accounts made for unknown identifiers.")
    not_found = serializers.ListField(
        child=serializers.CharField(),
        help_text="Identifiers a removal matched to no one holding the role.",
    )


class LateDaysOutput(serializers.Serializer[Any]):
    user = RosterUserOutput()
    remaining = serializers.IntegerField()
    used = serializers.IntegerField()
    extra_granted = serializers.IntegerField(
        help_text="Late days granted beyond the course allowance (negative when taken away)."
    )


class LateDaysInput(StrictSerializer):
    remaining = serializers.IntegerField(min_value=0, max_value=10000)
