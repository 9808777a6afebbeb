"""`Authorization: Bearer <machine key>` on the runner API (and nowhere else).

Bad keys count against the client's address like bad API tokens (accounts/throttle.py), so
keys cannot be guessed by trying on. The request runs as no user: the key is `request.auth`.
"""

from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from autograder.accounts import throttle
from autograder.accounts.authentication import TokenAttemptsThrottled
from autograder.accounts.models import hash_token_key
from autograder.integrations.runner.models import MachineKey


class MachineKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[AnonymousUser, MachineKey] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        address = throttle.client_address(request._request)
        lockout = throttle.token_lockout(address=address)
        if lockout:
            raise TokenAttemptsThrottled(lockout)
        key = self._key(header)
        if key is None:
            lockout = throttle.token_failure_record(address=address)
            if lockout:
                raise TokenAttemptsThrottled(lockout)
            raise exceptions.AuthenticationFailed("Invalid or revoked machine key.")
        return AnonymousUser(), key

    @staticmethod
    def _key(header: list[bytes]) -> MachineKey | None:
        if len(header) != 2:
            return None
        try:
            secret = header[1].decode()
        except UnicodeDecodeError:
            return None
        return MachineKey.objects.filter(
            key_hash=hash_token_key(secret), revoked_at__isnull=True
        ).first()

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
