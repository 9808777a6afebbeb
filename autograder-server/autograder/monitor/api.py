"""`GET /api/metrics/`: Prometheus text format, for a scraper holding the metrics token
(`Authorization: Bearer <AG_METRICS_TOKEN>`) or a signed-in superuser."""

import hmac
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from autograder.monitor import metrics


def bearer_token_matches(request: Request) -> bool:
    expected: str = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, given = header.partition(" ")
    return bool(
        expected
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.strip().encode(), expected.encode())
    )


class MetricsAccess(BasePermission):
    message = "Metrics need the metrics token (Authorization: Bearer ...) or a superuser."

    def has_permission(self, request: Request, view: object) -> bool:
        return bearer_token_matches(request) or bool(
            request.user and request.user.is_authenticated and request.user.is_superuser
        )


class AnyAccept(BaseContentNegotiation):
    """The answer's format follows Prometheus' Accept header (see `metrics.render`), so DRF's
    negotiation must not refuse one it doesn't know (a 406 would only hide the metrics)."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class MetricsView(APIView):
    permission_classes = [MetricsAccess]
    content_negotiation_class = AnyAccept

    @extend_schema(
        summary="Site metrics in the Prometheus text format",
        responses={200: OpenApiResponse(description="text/plain; version=0.0.4")},
    )
    def get(self, request: Request) -> HttpResponse:
        body, content_type = metrics.render(accept=request.META.get("HTTP_ACCEPT", ""))
        return HttpResponse(body, content_type=content_type)
