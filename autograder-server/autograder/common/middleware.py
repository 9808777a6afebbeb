"""Refuses oversize request bodies before anything reads them."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit: int = settings.MAX_UPLOAD_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return JsonResponse(
                {
                    "code": "request_too_large",
                    "message": (
                        f"The upload is {length} bytes; the limit is {limit} bytes "
                        f"({limit / (1024 * 1024):.1f} MiB)."
                    ),
                    "fields": {},
                },
                status=413,
            )
        return self.get_response(request)
