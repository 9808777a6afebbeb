"""The configured providers and their discovery documents."""

from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache

from autograder.accounts.oidc.errors import SignInRefusedError


@dataclass(frozen=True)
class Provider:
    """One OpenID Connect provider, as configured by AG_OIDC_<ID>_* (settings.OIDC_PROVIDERS)."""

    id: str
    issuer: str
    client_id: str
    client_secret: str
    label: str
    scopes: str
    trust_email: bool
    """Take `email` as verified without an `email_verified` claim (a single-tenant Microsoft
    directory, whose addresses are its own)."""


@dataclass(frozen=True)
class Endpoints:
    """What a provider's discovery document says, for one login."""

    authorization: str
    token: str
    jwks: str
    userinfo: str


def provider_list() -> list[Provider]:
    return [Provider(**config) for config in settings.OIDC_PROVIDERS]


def provider_get(provider_id: str) -> Provider | None:
    return next((p for p in provider_list() if p.id == provider_id), None)


def provider_endpoints(provider: Provider) -> Endpoints:
    """Reads (and caches) `<issuer>/.well-known/openid-configuration`. A document naming
    another issuer is refused: its tokens would never pass the issuer check anyway, and it
    means the configuration points at the wrong place."""
    key = f"oidc-discovery:{provider.issuer}"
    document: dict[str, Any] | None = cache.get(key)
    if document is None:
        url = provider.issuer + "/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise SignInRefusedError(
                "provider_unreachable",
                f"{provider.label} could not be reached to sign you in. Try again in a minute.",
                status=502,
            ) from exc
        assert document is not None
        if document.get("issuer", "").rstrip("/") != provider.issuer:
            raise SignInRefusedError(
                "provider_misconfigured",
                f"{provider.label} describes itself as another issuer; the site's "
                "single sign-on settings need fixing. Tell your administrator.",
                status=502,
            )
        cache.set(key, document, settings.OIDC_DISCOVERY_CACHE_SECONDS)
    try:
        return Endpoints(
            authorization=document["authorization_endpoint"],
            token=document["token_endpoint"],
            jwks=document["jwks_uri"],
            userinfo=document.get("userinfo_endpoint", ""),
        )
    except KeyError as exc:
        raise SignInRefusedError(
            "provider_misconfigured",
            f"{provider.label}'s discovery document lacks {exc.args[0]}. Tell your administrator.",
            status=502,
        ) from exc
