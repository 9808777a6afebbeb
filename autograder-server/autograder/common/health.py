"""`/api/health/`: what load balancers and container healthchecks ask."""

from django.db import connection
from django.http import HttpRequest, JsonResponse


def health(request: HttpRequest) -> JsonResponse:
    """200 when this process serves requests and reaches the database; 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means unhealthy, whatever its type
        return JsonResponse({"status": "unhealthy", "database": False}, status=503)
    return JsonResponse({"status": "ok", "database": True})
