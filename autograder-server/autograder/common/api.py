"""What every API module does with a request's input."""

from typing import Any

from rest_framework import serializers


def validated(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    """The serializer's validated data, or a 400 naming each bad field."""
    serializer.is_valid(raise_exception=True)
    data: dict[str, Any] = serializer.validated_data
    return data
