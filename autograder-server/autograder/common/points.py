"""Points as the API and the downloads show them: decimals with at most two places.

Test commands award whole points, but a mutation suite's points per exposed bug and a rubric's
criteria may be fractional (1.5, 0.25), so every total is a `Decimal`. In JSON a point value is
a number (`4`, `4.5`, `4.25`), never a string; in CSVs it is written the same way.
"""

from decimal import Decimal
from typing import Any

from rest_framework import serializers
from rest_framework_dataclasses.serializers import DataclassSerializer

CENT = Decimal("0.01")


def points_text(value: Decimal | int) -> str:
    """`4`, `4.5`, `4.25`: the value with two places, trailing zeros dropped."""
    text = f"{Decimal(value).quantize(CENT):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class PointsField(serializers.DecimalField):
    """Points as a JSON number with at most two decimals."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("coerce_to_string", False)
        super().__init__(**kwargs)


# A dataclass serializer whose `Decimal` fields (and those of the dataclasses it nests) are
# `PointsField`s. (A comment, not a docstring: the schema would show a docstring as the
# description of every nested dataclass's component.)
class PointsDataclassSerializer(DataclassSerializer[Any]):
    serializer_field_mapping = {
        **DataclassSerializer.serializer_field_mapping,
        Decimal: PointsField,
    }

    @property
    def serializer_dataclass_field(self) -> type[serializers.Field[Any, Any, Any, Any]]:
        return PointsDataclassSerializer
