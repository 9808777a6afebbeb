from typing import Any

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


class TokenOutput(serializers.ModelSerializer[ApiToken]):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at"]


class TokenCreatedOutput(TokenOutput):
    key = serializers.CharField(help_text="Shown once; store it now.")

    class Meta(TokenOutput.Meta):
        fields = [*TokenOutput.Meta.fields, "key"]


class UserUpdateInput(StrictSerializer):
    can_create_courses = serializers.BooleanField()
