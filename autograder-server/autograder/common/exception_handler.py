"""Turns every failure of an API view into `{"code", "message", "fields"}`.

Expected failures keep their status. Bad input that reaches Python or the database before our
validation does (a body nested deeper than the stack, too many form fields, a value the
database cannot store) is a 4xx too: no request may cause a 5xx. Anything else is a bug: it is
logged with its traceback and answered with a JSON 500 that reveals nothing, unless DEBUG is
explicitly on (then Django's debug page shows it to the developer).
"""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.db import DataError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from autograder.common.errors import ApplicationError, RateLimitedError
from autograder.common.parsers import TOO_DEEP

logger = logging.getLogger(__name__)


def _body(code: str, message: str, status_code: int) -> Response:
    return Response({"code": code, "message": message, "fields": {}}, status=status_code)


def _suspicious_message(exc: SuspiciousOperation) -> str:
    if isinstance(exc, TooManyFieldsSent):
        return f"Too many form fields: at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}."
    if isinstance(exc, TooManyFilesSent):
        return f"Too many files: at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES}."
    return "The request is malformed."


def _unexpected(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Failures DRF has no answer for: bad input caught late (4xx), or a bug (500)."""
    request = context.get("request")
    where = f"{request.method} {request.path}" if request is not None else "an API view"
    if isinstance(exc, RecursionError):
        return _body("parse_error", TOO_DEEP, status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):
        return _body("request_too_large", str(exc), status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, SuspiciousOperation):
        logging.getLogger(f"django.security.{type(exc).__name__}").warning("%s: %s", where, exc)
        return _body("bad_request", _suspicious_message(exc), status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DataError):
        # The input passed our validation but not the database's (a NUL character in text,
        # a number out of range): a missing check, logged so it gets added, but the
        # request's own fault.
        logger.warning("%s: the database refused a value", where, exc_info=exc)
        return _body(
            "invalid",
            "A value cannot be stored (too long, out of range, or it contains a NUL character).",
            status.HTTP_400_BAD_REQUEST,
        )
    if settings.DEBUG:
        return None  # Django's debug page, for the developer who turned DEBUG on
    logger.error("%s failed", where, exc_info=exc)
    # What Django sends for an unhandled exception: error reporters (Sentry) and the test
    # client listen to it.
    got_request_exception.send(sender=None, request=getattr(request, "_request", request))
    return _body(
        "server_error",
        "Something went wrong on the server. It has been logged; please try again later.",
        status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


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
        answer = Response(body, status=exc.status)
        if isinstance(exc, RateLimitedError):
            answer["Retry-After"] = str(exc.retry_after)
        return answer
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
        return _unexpected(exc, context)
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
