"""Optional error reporting: with AG_SENTRY_DSN set, unhandled exceptions of the web tier,
the workers and beat go to that Sentry (or a compatible service such as GlitchTip), tagged
with the release. Off by default; the SDK's defaults send no personal data (no cookies,
headers with credentials, user names or addresses)."""

import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def init_from_settings() -> bool:
    dsn: str = settings.SENTRY_DSN
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        release=settings.RELEASE or None,
        environment=settings.SENTRY_ENVIRONMENT,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        traces_sample_rate=0.0,
    )
    logger.info("Error reporting to Sentry is on")
    return True
