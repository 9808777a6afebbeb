"""Turns every expected failure into `{"code", "message", "fields"}`.

Unknown exceptions are left to DRF/Django (a logged 500): they are bugs.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from autograder.common.errors import ApplicationError


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def _first_message(fields: dict[str, Any]) -> str:
    for name, reasons in fields.items():
        reason = reasons
        while isinstance(reason, (list, dict)) and reason:
            reason = reason[0] if isinstance(reason, list) else next(iter(reason.values()))
        label = "" if name == "non_field_errors" else f"{name}: "
        return f"{label}{reason}"
    return "Invalid input."


def handle_api_exception(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        body = {"code": exc.code, "message": exc.message, "fields": exc.fields}
        return Response(body, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        fields = (
            _flatten(exc.message_dict)
            if hasattr(exc, "error_dict")
            else {"non_field_errors": _flatten(exc.messages)}
        )
        body = {"code": "invalid", "message": _first_message(fields), "fields": fields}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = (
            _flatten(detail) if isinstance(detail, dict) else {"non_field_errors": _flatten(detail)}
        )
        response.data = {"code": "invalid", "message": _first_message(fields), "fields": fields}
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        response.data = {"code": code, "message": str(exc.detail), "fields": {}}
    return response
