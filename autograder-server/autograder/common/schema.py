"""What the OpenAPI schema says beyond drf-spectacular's defaults, for every endpoint at once.

- Error answers. drf-spectacular documents only the success code, yet every endpoint can
  answer 4xx with our one error body (`autograder.common.exception_handler`). `AutoSchema`
  adds those codes, each with the `Error` body, by what the operation has: 400 when it takes
  input (a body or query parameters), 401 and 403 when it authenticates, 404 when it names an
  object in its path or pages a list, 409 when it writes, 429 when it authenticates (bad API
  tokens and failed logins lock a client out for a while) or is throttled. A view
  that documents a code itself keeps its own. 5xx is never documented: it is always a bug.
- Request bodies of DELETE. drf-spectacular documents bodies only for POST, PUT and PATCH,
  so a DELETE that declares one (removing people from a roster) looked bodiless; clients
  and the fuzzer then sent nothing and got a 400. `AutoSchema` documents a declared one.
- Times of day. JSON Schema's `"format": "time"` means RFC 3339's full-time, which needs a
  UTC offset ("00:00:00Z"); DRF writes and reads a plain "00:00:00". `TimeFieldExtension`
  documents what the API really does, so clients (and the API fuzzer) validate against it.
"""

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


ErrorOutput = inline_serializer(
    name="Error",
    fields={
        "code": serializers.CharField(help_text="Stable; clients branch on it."),
        "message": serializers.CharField(help_text="For people."),
        "fields": serializers.DictField(
            child=serializers.JSONField(),
            help_text="Input field name → its reasons (a list, or nested for nested input).",
        ),
    },
)
"""Every 4xx answer (see docs/dev/api-conventions.md, "Errors")."""


_ERROR_DESCRIPTIONS = {
    "400": "The input is invalid; `fields` names each bad field and why.",
    "401": "Not logged in, or the API token is unknown or revoked.",
    "403": "Logged in, but this role may not do this (or the CSRF check failed).",
    "404": "No such object (or hidden from this user), or no such page of the list.",
    "409": "The request conflicts with the current state (for example a name already taken).",
    "429": "Too many attempts; wait as long as `Retry-After` says.",
}


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for code in self._error_codes(operation):
            if code not in responses:
                response = self._get_response_for_code(ErrorOutput, code)  # type: ignore[no-untyped-call]  # drf-spectacular is untyped
                response["description"] = _ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return operation

    def _get_request_body(self, direction: str = "request") -> dict[str, Any] | None:
        if self.method == "DELETE" and self._declared_request() is None:
            return None
        # The parent answers None for any method but POST/PUT/PATCH before it looks further.
        method, self.method = self.method, "PUT" if self.method == "DELETE" else self.method
        try:
            body: dict[str, Any] | None = super()._get_request_body(direction)  # type: ignore[no-untyped-call]  # untyped
        finally:
            self.method = method
        return body

    def _declared_request(self) -> Any:
        """The request `extend_schema(request=...)` declares, without the parent's guess from
        the view (which warns for every plain APIView)."""
        self._get_serializer = lambda: None  # type: ignore[method-assign]  # shadowed for this call only
        try:
            return self.get_request_serializer()
        finally:
            del self._get_serializer

    def _error_codes(self, operation: dict[str, Any]) -> list[str]:
        parameters = operation.get("parameters", [])
        has_query = any(parameter["in"] == "query" for parameter in parameters)
        has_path = any(parameter["in"] == "path" for parameter in parameters)
        codes = []
        if has_query or "requestBody" in operation:
            codes.append("400")
        authenticates = bool(self.view.get_authenticators())
        if authenticates:
            codes += ["401", "403"]
        if has_path or has_query:
            codes.append("404")
        if self.method in WRITE_METHODS:
            codes.append("409")
        # Bad API tokens and failed logins lock the client out (accounts/throttle.py).
        if authenticates or self.view.get_throttles():
            codes.append("429")
        return codes


class TimeFieldExtension(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]  # untyped
    target_class = "rest_framework.fields.TimeField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "description": "A time of day, HH:MM or HH:MM:SS (no UTC offset).",
            "example": "00:00:00",
        }
