"""Counts the web tier's 5xx answers for `/api/metrics/` (nginx's own 502/504 are in its log)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from autograder.monitor import metrics


class ServerErrorCountMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code >= 500:
            metrics.server_error(status=response.status_code)
        return response
