"""Sending stored files (submissions, instructor files) to an authorised user.

Behind nginx (`AG_PROTECTED_MEDIA_PREFIX`, e.g. `/protected/`), Django only checks permission
and answers with `X-Accel-Redirect`; nginx then streams the bytes from the media volume from
an internal location, so a big download never holds an application worker. Without it
(the quickstart), Django streams the file itself.
"""

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse, HttpResponseBase

from autograder.common.errors import NotFoundError


def stored_file_response(*, path: str, filename: str) -> HttpResponseBase:
    """`path` is relative to MEDIA_ROOT; the browser saves the file as `filename`."""
    if not default_storage.exists(path):
        raise NotFoundError("This file's contents are missing from storage.")
    prefix = settings.PROTECTED_MEDIA_PREFIX
    if prefix:
        response = HttpResponse(content_type="application/octet-stream")
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(path)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return response
    return FileResponse(
        default_storage.open(path, "rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/octet-stream",
    )
