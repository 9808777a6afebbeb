from typing import Any

from rest_framework import serializers


def _reject_unknown(data: Any, known: set[str], parse: Any) -> Any:
    """Runs `parse(data)` and adds one error per unknown field, so a typo and a missing
    required field are both reported in one answer."""
    unknown = sorted(set(data.keys()) - known) if hasattr(data, "keys") else []
    errors: dict[str, Any] = {}
    try:
        value = parse(data)
    except serializers.ValidationError as exc:
        if not isinstance(exc.detail, dict):
            raise
        errors.update(exc.detail)
    for name in unknown:
        errors[name] = ["Unknown field."]
    if errors:
        raise serializers.ValidationError(errors)
    return value


class StrictSerializer(serializers.Serializer[Any]):
    """An input serializer that rejects fields it doesn't know, naming them."""

    def to_internal_value(self, data: Any) -> Any:
        return _reject_unknown(data, set(self.fields), super().to_internal_value)


class StrictModelSerializer(serializers.ModelSerializer[Any]):
    """A model-backed input serializer that rejects fields it doesn't know (or may not set)."""

    def to_internal_value(self, data: Any) -> Any:
        writable = {name for name, field in self.fields.items() if not field.read_only}
        return _reject_unknown(data, writable, super().to_internal_value)
