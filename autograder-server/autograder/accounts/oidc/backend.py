"""mozilla-django-oidc's backend, one provider per login, with the id token checked fully."""

from typing import Any

import jwt
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from autograder.accounts.models import User
from autograder.accounts.oidc.errors import SignInRefusedError
from autograder.accounts.oidc.providers import Provider, provider_endpoints
from autograder.accounts.oidc.services import oidc_user_for_claims

SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256")
"""Asymmetric only: a token "signed" with alg none, or with HS256 keyed by something public,
is a forgery."""
CLOCK_SKEW_SECONDS = 60


def _refused_token(why: str) -> SignInRefusedError:
    return SignInRefusedError(
        "invalid_id_token",
        f"The sign-in could not be verified: {why} Start again from the login page.",
    )


class OidcBackend(OIDCAuthenticationBackend):
    """Signs in whoever the callback view's provider vouches for. Other logins (passwords)
    pass through: without `request.ag_oidc_provider` this backend answers None."""

    provider: Provider

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The library reads one provider's endpoints from settings here; ours are set per
        # login in authenticate().
        self.UserModel = User

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        provider = getattr(request, "ag_oidc_provider", None) if request else None
        if not isinstance(provider, Provider):
            return None
        endpoints = provider_endpoints(provider)
        self.provider = provider
        self.OIDC_OP_TOKEN_ENDPOINT = endpoints.token
        self.OIDC_OP_USER_ENDPOINT = endpoints.userinfo
        self.OIDC_OP_JWKS_ENDPOINT = endpoints.jwks
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.OIDC_RP_CLIENT_SECRET = provider.client_secret
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None
        user: User | None = super().authenticate(request, **kwargs)
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """Signature from the provider's published keys, then issuer, audience, expiry,
        issue time and the nonce this browser's login started with (a token replayed from
        another login carries another nonce)."""
        if not token:
            raise _refused_token("the provider sent no id token.")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise _refused_token("the id token is malformed.") from exc
        algorithm = header.get("alg")
        if algorithm not in SIGNING_ALGORITHMS:
            raise _refused_token(f"the id token is not signed with a provider key ({algorithm}).")
        key = self._signing_key(token)
        try:
            payload: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.provider.client_id,
                issuer=self.provider.issuer,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise _refused_token("the id token has expired.") from exc
        except jwt.InvalidAudienceError as exc:
            raise _refused_token("the id token was issued for another application.") from exc
        except jwt.InvalidIssuerError as exc:
            raise _refused_token("the id token comes from another issuer.") from exc
        except jwt.ImmatureSignatureError as exc:
            raise _refused_token("the id token is dated in the future.") from exc
        except jwt.InvalidSignatureError as exc:
            raise _refused_token("the id token's signature does not match.") from exc
        except jwt.InvalidTokenError as exc:
            raise _refused_token(f"the id token is invalid ({exc}).") from exc
        nonce = kwargs.get("nonce")
        if not nonce or payload.get("nonce") != nonce:
            raise _refused_token("the id token belongs to another sign-in (nonce).")
        return payload

    def _signing_key(self, token: str) -> Any:
        try:
            return self.retrieve_matching_jwk(token)
        except Exception as exc:  # the library raises SuspiciousOperation or HTTP errors
            raise _refused_token("no key of the provider matches the id token.") from exc

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        """Claims from the id token, completed from userinfo when it lacks the email (as
        some providers do); userinfo must be about the same subject."""
        claims = dict(payload)
        if "email" not in claims and self.OIDC_OP_USER_ENDPOINT and access_token:
            info: dict[str, Any] = self.get_userinfo(access_token, id_token, payload)
            if info.get("sub") != payload.get("sub"):
                raise _refused_token("the provider's user information names someone else.")
            claims = {**info, **payload}
        return oidc_user_for_claims(provider=self.provider, claims=claims)
