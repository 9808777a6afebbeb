"""The one error type for expected failures, shared by every service."""

from typing import Any


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
