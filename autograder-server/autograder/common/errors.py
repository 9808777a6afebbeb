"""The one error type for expected failures, shared by every service."""

from typing import Any

from django.core.exceptions import ValidationError


class ApplicationError(Exception):
    """An expected failure a user can act on.

    `code` is stable (clients branch on it), `message` is for people, `fields` maps a field
    name to its reasons. The API turns it into `{"code", "message", "fields"}` with `status`.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        fields: dict[str, Any] | None = None,
        status: int = 400,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}
        self.status = status


class NotFoundError(ApplicationError):
    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message, code="not_found", status=404)


class PermissionDeniedError(ApplicationError):
    def __init__(self, message: str = "You do not have permission to do that.") -> None:
        super().__init__(message, code="permission_denied", status=403)


class ConflictError(ApplicationError):
    def __init__(self, message: str, *, code: str = "conflict") -> None:
        super().__init__(message, code=code, status=409)


class RateLimitedError(ApplicationError):
    """Too many attempts: a 429 whose `Retry-After` header says when to try again."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, code="throttled", status=429)
        self.retry_after = retry_after


def field_error(field: str, message: str, *, code: str = "invalid") -> ApplicationError:
    """A 400 about one input field."""
    return ApplicationError(message, code=code, fields={field: [message]})


def from_validation_error(exc: ValidationError) -> ApplicationError:
    """A model's `full_clean` failure as a 400 naming its fields (the first reason leads)."""
    if hasattr(exc, "error_dict"):
        fields = {name: list(messages) for name, messages in exc.message_dict.items()}
    else:
        fields = {"non_field_errors": list(exc.messages)}
    name, reasons = next(iter(fields.items()))
    label = "" if name == "non_field_errors" else f"{name}: "
    return ApplicationError(f"{label}{reasons[0]}", fields=fields)
