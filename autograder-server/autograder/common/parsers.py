"""JSON request bodies with a nesting limit, so no body can make the server recurse itself to death.

Python's JSON decoder recurses once per nesting level: a body nested 100,000 levels deep raises
`RecursionError` (DRF's parser only turns `ValueError` into a 400), and a body just shallow
enough to be decoded can still exhaust the stack later, in a serializer, the database adapter
or the renderer. Bodies deeper than `MAX_JSON_DEPTH` are refused with a 400 that says so; no
real request to this API comes close (the deepest, a project import, is under ten levels).
"""

from collections.abc import Mapping
from typing import IO, Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_JSON_DEPTH = 100
"""Most nested arrays/objects a JSON body may have (`[]` is depth 1)."""

TOO_DEEP = f"JSON parse error - the body is nested more than {MAX_JSON_DEPTH} levels deep."


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether `value` nests arrays/objects more than `limit` levels deep.

    Iterative, so checking a deep value cannot itself overflow the stack.
    """
    if not isinstance(value, (list, dict)):
        return False
    stack: list[tuple[list[Any] | dict[str, Any], int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (list, dict)))
    return False


class DepthLimitedJSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than `MAX_JSON_DEPTH` with a 400."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise ParseError(TOO_DEEP)
        return data
