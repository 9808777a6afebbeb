"""What every API module does with a request's input."""

import json
from typing import Any

from rest_framework import serializers
from rest_framework.renderers import BaseRenderer


def validated(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    """The serializer's validated data, or a 400 naming each bad field."""
    serializer.is_valid(raise_exception=True)
    data: dict[str, Any] = serializer.validated_data
    return data


class EventStreamRenderer(BaseRenderer):
    """Lets a client asking for `text/event-stream` (a browser's EventSource) negotiate a
    server-sent event stream; errors before the stream starts still come back as JSON."""

    media_type = "text/event-stream"
    format = "event-stream"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return json.dumps(data).encode()
