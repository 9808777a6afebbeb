"""The browser's side of single sign-on: start at a provider, come back, or be refused."""

import logging
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.utils import extend_schema
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.accounts.oidc.errors import SignInRefusedError
from autograder.accounts.oidc.providers import provider_endpoints, provider_get, provider_list
from autograder.accounts.oidc.serializers import AuthProvidersOutput

logger = logging.getLogger(__name__)

STATE_PROVIDERS = "ag_oidc_state_providers"
"""Session key: which provider each pending login (by its state) went to."""


def refusal_page(request: HttpRequest, refused: SignInRefusedError) -> HttpResponse:
    logger.info("single sign-on refused (%s): %s", refused.code, refused.message)
    return render(
        request,
        "accounts/oidc_refused.html",
        {"code": refused.code, "message": refused.message},
        status=refused.status,
    )


class OidcLoginView(OIDCAuthenticationRequestView):
    """GET auth/oidc/<provider_id>/login/?next=/path: off to the provider's sign-in page."""

    provider_id = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Skip the library's reading of one provider from settings; get() sets ours.
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get_settings(self, attr: str, *args: Any) -> Any:
        if attr == "OIDC_RP_SCOPES":
            return self.scopes
        return super().get_settings(attr, *args)

    def get(self, request: HttpRequest, provider_id: str) -> HttpResponse:
        provider = provider_get(provider_id)
        if provider is None:
            return refusal_page(
                request,
                SignInRefusedError(
                    "unknown_provider", "This site has no such sign-in.", status=404
                ),
            )
        try:
            endpoints = provider_endpoints(provider)
        except SignInRefusedError as refused:
            return refusal_page(request, refused)
        self.OIDC_OP_AUTH_ENDPOINT = endpoints.authorization
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.scopes = provider.scopes
        response: HttpResponse = super().get(request)
        state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
        pending = request.session.get(STATE_PROVIDERS, {})
        pending[state] = provider.id
        request.session[STATE_PROVIDERS] = pending
        return response


class OidcCallbackView(OIDCAuthenticationCallbackView):
    """GET auth/oidc/callback/?code=...&state=...: the provider sends the browser back here.
    The library checks the state and signs in; every failure becomes the refusal page."""

    def get(self, request: HttpRequest) -> HttpResponse:
        state = request.GET.get("state", "")
        pending: dict[str, str] = request.session.get(STATE_PROVIDERS, {})
        provider = provider_get(pending.get(state, ""))
        if provider is None:
            return refusal_page(
                request,
                SignInRefusedError(
                    "unknown_state",
                    "This sign-in link was already used, has expired, or was started in "
                    "another browser. Start again from the login page.",
                ),
            )
        del pending[state]
        request.session[STATE_PROVIDERS] = pending
        request.ag_oidc_provider = provider  # type: ignore[attr-defined]  # read by OidcBackend
        if request.GET.get("error"):
            super().get(request)  # lets the library forget the state
            return refusal_page(
                request,
                SignInRefusedError(
                    "provider_error",
                    f"{provider.label} did not sign you in "
                    f"({request.GET.get('error_description') or request.GET['error']}).",
                    status=403,
                ),
            )
        try:
            response: HttpResponse = super().get(request)
        except SignInRefusedError as refused:
            return refusal_page(request, refused)
        except SuspiciousOperation:
            return refusal_page(
                request,
                SignInRefusedError(
                    "unknown_state",
                    "This sign-in does not match one this browser started. Start again from "
                    "the login page.",
                ),
            )
        except requests.RequestException:
            logger.exception("single sign-on: %s failed to answer", provider.id)
            return refusal_page(
                request,
                SignInRefusedError(
                    "provider_unreachable",
                    f"{provider.label} did not complete the sign-in. Try again in a minute.",
                    status=502,
                ),
            )
        return response

    def login_failure(self) -> HttpResponse:
        return refusal_page(
            self.request,
            SignInRefusedError(
                "failed", "The sign-in did not succeed. Start again from the login page."
            ),
        )


class AuthProvidersApi(APIView):
    """What the login page offers: the single sign-on buttons and whether passwords work."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=AuthProvidersOutput)
    def get(self, request: Request) -> Response:
        providers = [
            {"id": p.id, "label": p.label, "login_url": f"/api/auth/oidc/{p.id}/login/"}
            for p in provider_list()
        ]
        body = {"password_login": settings.PASSWORD_LOGIN, "providers": providers}
        return Response(AuthProvidersOutput(body).data)
