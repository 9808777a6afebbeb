"""`Authorization: Token <key>` for scripts; the browser uses Django sessions with CSRF.

Bad tokens count against the client's address (accounts/throttle.py); while an address is
locked out every token it sends is refused with a 429, the right one too, so keys cannot be
guessed by trying on.
"""

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from autograder.accounts import throttle
from autograder.accounts.models import ApiToken, User, hash_token_key


class TokenAttemptsThrottled(exceptions.Throttled):
    """A 429 with `Retry-After`, raised as DRF's own type: an authenticator must raise an
    `APIException` for DRF to finish the request as an anonymous one."""

    def __init__(self, lockout: throttle.Lockout) -> None:
        super().__init__(detail=lockout.message("invalid API tokens"))
        self.wait = lockout.seconds


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        address = throttle.client_address(request._request)
        lockout = throttle.token_lockout(address=address)
        if lockout:
            raise TokenAttemptsThrottled(lockout)
        try:
            token = self._token(header)
        except exceptions.AuthenticationFailed:
            lockout = throttle.token_failure_record(address=address)
            if lockout:
                raise TokenAttemptsThrottled(lockout) from None
            raise
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    @staticmethod
    def _token(header: list[bytes]) -> ApiToken:
        """The active token the header names; AuthenticationFailed says what is wrong."""
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.")
        try:
            key = header[1].decode()
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("Malformed API token.") from exc
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_token_key(key)).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked API token.")
        if token.expires_at is not None and token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed("This API token has expired.")
        return token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
