"""pylti1p3 wired to our models: the registrations come from `LtiPlatform` rows, launch state
lives in the shared cache, and the checks the library leaves loose are made strict (the
audience and `azp`, and each nonce accepted once)."""

from typing import Any

import requests
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from pylti1p3.contrib.django.launch_data_storage.cache import DjangoCacheDataStorage
from pylti1p3.contrib.django.message_launch import DjangoMessageLaunch
from pylti1p3.deployment import Deployment
from pylti1p3.exception import LtiException
from pylti1p3.registration import Registration
from pylti1p3.service_connector import ServiceConnector
from pylti1p3.tool_config.abstract import ToolConfAbstract

from autograder.integrations.lti import keys
from autograder.integrations.lti.models import LtiPlatform, LtiUsedNonce

SERVICE_TIMEOUT_SECONDS = 20


class LaunchStorage(DjangoCacheDataStorage):
    """Nonces and launch data in the shared cache, keyed without a session cookie: inside an
    LMS iframe the session cookie is often withheld, while the short-lived state cookie that
    pylti1p3 sets (SameSite=None on HTTPS) still binds the launch to the browser."""

    def get_session_cookie_name(self) -> None:
        return None


def registration_of(platform: LtiPlatform) -> Registration:
    reg = Registration()
    reg.set_issuer(platform.issuer)
    reg.set_client_id(platform.client_id)
    reg.set_key_set_url(platform.keyset_url)
    reg.set_auth_login_url(platform.auth_login_url)
    reg.set_auth_token_url(platform.auth_token_url)
    if platform.auth_audience:
        reg.set_auth_audience(platform.auth_audience)
    reg.set_tool_private_key(keys.private_key_pem())
    reg.set_tool_public_key(keys.public_key_pem())
    return reg


class PlatformToolConf(ToolConfAbstract[Any]):
    """Registrations looked up by (issuer, client id) in the database."""

    def __init__(self) -> None:
        self.platform: LtiPlatform | None = None

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def _find(self, iss: str, client_id: str | None) -> LtiPlatform | None:
        platforms = LtiPlatform.objects.filter(issuer=iss)
        if client_id:
            platforms = platforms.filter(client_id=client_id)
        elif platforms.count() != 1:
            # Without a client id the login is ambiguous when an issuer has several.
            return None
        self.platform = platforms.first()
        return self.platform

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        raise NotImplementedError("Every issuer may have several client ids here.")

    def find_registration_by_params(
        self, iss: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Registration:
        platform = self._find(iss, client_id)
        if platform is None:
            raise LtiException(f"No platform with issuer {iss!r} and this client id is registered.")
        return registration_of(platform)

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        raise NotImplementedError("Every issuer may have several client ids here.")

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        platform = self._find(iss, client_id)
        if platform is None or deployment_id not in platform.deployment_ids:
            return None
        return Deployment().set_deployment_id(deployment_id)


class MessageLaunch(DjangoMessageLaunch):
    """A resource-link launch, refused unless every check passes. pylti1p3 skips the audience
    check by default and lets a nonce be used again; both are closed here."""

    def validate_registration(self) -> "MessageLaunch":
        body = self._get_jwt_body()
        aud = body.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if not audiences or not all(isinstance(a, str) for a in audiences):
            raise LtiException("The launch names no audience.")
        if len(audiences) > 1 and body.get("azp") not in audiences:
            raise LtiException("The launch has several audiences and no matching azp.")
        client_id = body.get("azp") if len(audiences) > 1 else audiences[0]
        platform = LtiPlatform.objects.filter(issuer=body.get("iss"), client_id=client_id).first()
        if platform is None:
            raise LtiException(
                "The launch is not addressed to a registration of this site "
                "(no platform with this issuer and client id)."
            )
        super().validate_registration()
        return self

    def get_client_id(self) -> str:
        body = self._get_jwt_body()
        aud = body.get("aud")
        if isinstance(aud, list):
            return str(body.get("azp") if len(aud) > 1 else aud[0])
        return str(aud)

    def validate_message(self) -> "MessageLaunch":
        """Runs last, after the signature and the deployment are checked, so only a genuine
        launch uses up its nonce."""
        super().validate_message()
        body = self._get_jwt_body()
        try:
            with transaction.atomic():
                LtiUsedNonce.objects.create(issuer=str(body.get("iss")), nonce=body["nonce"])
        except IntegrityError:
            raise LtiException("This launch was already used (replayed nonce).") from None
        return self


def tool_conf() -> PlatformToolConf:
    return PlatformToolConf()


def message_launch(request: HttpRequest) -> MessageLaunch:
    # pylti1p3's Django classes have no type hints.
    return MessageLaunch(  # type: ignore[no-untyped-call]
        request,
        tool_conf(),
        launch_data_storage=LaunchStorage(),  # type: ignore[no-untyped-call]
        requests_session=http_session(),
    )


def http_session() -> requests.Session:
    """A requests session whose calls give up after SERVICE_TIMEOUT_SECONDS."""
    session = requests.Session()
    session.request = _with_timeout(session.request)  # type: ignore[method-assign]
    session.headers["User-Agent"] = f"autograder-lti ({settings.SITE_URL})"
    return session


def _with_timeout(send: Any) -> Any:
    def request(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", SERVICE_TIMEOUT_SECONDS)
        return send(*args, **kwargs)

    return request


def service_connector(platform: LtiPlatform) -> ServiceConnector:
    return ServiceConnector(registration_of(platform), requests_session=http_session())
