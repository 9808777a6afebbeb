"""Serves the built single-page app (ag-website/dist) when Django is the only web server, as
in the quickstart. In production nginx serves these files and never forwards such paths here.

Every path that is not the API, the Django admin or static files gets `index.html`, so the
app's own router handles deep links such as /projects/7; files under /assets/ are the build's
hashed bundles, cached for a year.
"""

import mimetypes
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.views.decorators.http import require_safe

ASSET_PREFIX = "assets/"
NOT_BUILT = (
    "<!doctype html><title>Autograder</title><h1>The website is not built</h1>"
    "<p>Run <code>scripts/build-website.sh</code> (it needs Node.js and npm), then reload. "
    "The API is at <a href='/api/docs/'>/api/docs/</a>.</p>"
)


def dist_dir() -> Path:
    configured = getattr(settings, "WEBSITE_DIST_DIR", None)
    return Path(configured) if configured else settings.REPO_DIR / "ag-website" / "dist"


def _asset(path: str) -> FileResponse:
    root = (dist_dir() / "assets").resolve()
    target = (root / path[len(ASSET_PREFIX) :]).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise Http404("No such asset.")
    content_type, _ = mimetypes.guess_type(target.name)
    response = FileResponse(target.open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def _index() -> HttpResponse:
    index = dist_dir() / "index.html"
    if not index.is_file():
        return HttpResponse(NOT_BUILT, status=503)
    response = HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def spa(request: HttpRequest, path: str = "") -> HttpResponseBase:
    if path.startswith(ASSET_PREFIX):
        return _asset(path)
    return _index()
