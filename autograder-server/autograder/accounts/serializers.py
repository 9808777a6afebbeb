from datetime import datetime
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from autograder.accounts.models import ApiToken, User
from autograder.common.serializers import StrictSerializer


class LoginInput(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=1024, trim_whitespace=False)


class UserOutput(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "is_superuser",
            "can_create_courses",
        ]


class CourseRolesOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    semester = serializers.CharField()
    year = serializers.IntegerField()
    subtitle = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())


class MeOutput(UserOutput):
    courses = CourseRolesOutput(many=True)

    class Meta(UserOutput.Meta):
        fields = [*UserOutput.Meta.fields, "courses"]


class TokenCreateInput(StrictSerializer):
    name = serializers.CharField(max_length=100)
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="When the token stops working; null: never."
    )

    def validate_expires_at(self, value: datetime | None) -> datetime | None:
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError("Choose a time in the future.")
        return value


class TokenOutput(serializers.ModelSerializer[ApiToken]):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "expires_at"]


class TokenCreatedOutput(TokenOutput):
    key = serializers.CharField(help_text="Shown once; store it now.")

    class Meta(TokenOutput.Meta):
        fields = [*TokenOutput.Meta.fields, "key"]


class UserUpdateInput(StrictSerializer):
    can_create_courses = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(
        required=False, help_text="False deactivates: no login, no API token, until reactivated."
    )


class UserAdminOutput(serializers.ModelSerializer[User]):
    """What a superuser's user list shows."""

    class Meta:
        model = User
        fields = [
            *UserOutput.Meta.fields,
            "is_active",
            "has_password",
            "last_login",
            "date_joined",
        ]

    has_password = serializers.SerializerMethodField()

    def get_has_password(self, user: User) -> bool:
        return user.has_usable_password()


class UserSearchInput(serializers.Serializer[Any]):
    search = serializers.CharField(max_length=200, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False, allow_null=True, default=None)


class PasswordForgotInput(StrictSerializer):
    email = serializers.EmailField(max_length=254)


class PasswordLinkInput(StrictSerializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)


class PasswordSetInput(PasswordLinkInput):
    password = serializers.CharField(max_length=1024, trim_whitespace=False)


class MessageOutput(serializers.Serializer[Any]):
    message = serializers.CharField()
