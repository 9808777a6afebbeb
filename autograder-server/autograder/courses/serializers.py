from typing import Any

from rest_framework import serializers

from autograder.accounts.models import User
from autograder.common.serializers import StrictModelSerializer, StrictSerializer
from autograder.courses.models import Course, Semester
from autograder.courses.selectors import PlannedEntry, RosterMode
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
        help_text=(
            "One person per item: an email address, 'Name <address>', or the username of an "
            "existing account."
        ),
    )
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text=(
            "Pasted people: email addresses (optionally 'Name <address>' or "
            "'\"Last, First\" <address>') separated by commas, semicolons, whitespace or new "
            "lines. Problems are reported by line."
        ),
    )


class RosterUploadInput(StrictSerializer):
    """Exactly one of `file` and `text`."""

    file = serializers.FileField(
        required=False,
        allow_empty_file=True,
        use_url=False,
        help_text=(
            "A UTF-8 CSV file: the first column holds addresses (or 'Name <address>'), or a "
            "header row names an 'email' or 'username' column and optionally 'name' or "
            "'first name' / 'last name' columns. At most 5000 rows."
        ),
    )
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class RosterPreviewJsonInput(RosterJsonInput):
    mode = serializers.ChoiceField(
        choices=RosterMode.choices, default=RosterMode.ADD, help_text="The change to preview."
    )


class RosterPreviewUploadInput(RosterUploadInput):
    mode = serializers.ChoiceField(
        choices=RosterMode.choices, default=RosterMode.ADD, help_text="The change to preview."
    )


class RosterProblemOutput(serializers.Serializer[Any]):
    position = serializers.IntegerField(help_text="The line (from 1), or the index in `users`.")
    written = serializers.CharField(help_text="The text that can't be used.")
    message = serializers.CharField()


class RosterEntryOutput(serializers.Serializer[Any]):
    position = serializers.IntegerField(help_text="The line (from 1), or the index in `users`.")
    written = serializers.CharField()
    identifier = serializers.CharField(help_text="The address or username read from it.")
    name = serializers.CharField(help_text="The display name written with it, if any.")


class RosterPlannedOutput(serializers.Serializer[Any]):
    """Someone named in the roster and the account they are (or will be)."""

    position = serializers.IntegerField(source="entry.position")
    written = serializers.CharField(source="entry.written")
    identifier = serializers.CharField(source="entry.identifier")
    name = serializers.CharField(source="entry.name")
    account = RosterUserOutput(
        source="user", allow_null=True, help_text="The existing account; null: a new one."
    )
    new_first_name = serializers.SerializerMethodField(
        help_text="The new account's first name (empty for an existing account)."
    )
    new_last_name = serializers.SerializerMethodField()

    def get_new_first_name(self, planned: PlannedEntry) -> str:
        return planned.entry.first_and_last_name()[0] if planned.user is None else ""

    def get_new_last_name(self, planned: PlannedEntry) -> str:
        return planned.entry.first_and_last_name()[1] if planned.user is None else ""


class RosterPreviewOutput(serializers.Serializer[Any]):
    """What a roster change would do; nothing has been changed."""

    mode = serializers.ChoiceField(choices=RosterMode.choices)
    field = serializers.CharField(help_text="Where the names came from: users, text or file.")
    position_label = serializers.ChoiceField(
        choices=["line", "item"], help_text="What `position` counts: lines or list items."
    )
    add = RosterPlannedOutput(many=True, help_text="Would get the role.")
    unchanged = RosterPlannedOutput(many=True, help_text="Named and already holding the role.")
    remove = RosterUserOutput(many=True, help_text="Would lose the role.")
    not_found = RosterEntryOutput(
        many=True, help_text="Named for removal but not holding the role."
    )
    problems = RosterProblemOutput(
        many=True, help_text="Entries that can't be used: the change is refused until they go."
    )
    conflict = serializers.CharField(
        allow_blank=True, help_text="Why the change would be refused as a whole, if it would."
    )


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
