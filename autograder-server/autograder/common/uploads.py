"""A multipart parser that reports bad file names instead of quietly rewriting or dropping them.

Django's parser strips directories and control characters from uploaded file names, drops a
file named `..`, and skips a part whose headers are not UTF-8. So `../x.cpp` would arrive as
`x.cpp`, and a file with a Latin-1 name would vanish ("no file was submitted"), and the user
would never learn why. Here every name is checked with the shared file-name rules
(`autograder.common.filenames`) and a bad one is a 400 on the upload field that says what is
wrong with it. Student submissions and instructor files both use it.
"""

import html
import re
from collections.abc import Mapping
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import TooManyFilesSent
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from django.utils.http import parse_header_parameters
from rest_framework.exceptions import ParseError
from rest_framework.parsers import DataAndFiles, MultiPartParser

from autograder.common.errors import ApplicationError
from autograder.common.filenames import filename_problem

_HEADER_LIMIT = 1024
"""Django reads at most this many bytes of a part's headers."""
_FILENAME = re.compile(rb'filename="((?:[^"\\]|\\.)*)"|filename=([^;\s]*)', re.IGNORECASE)


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def _undecodable_name(header_block: bytes) -> str | None:
    """The file name (shown with U+FFFD for the bad bytes) of a part whose Content-Disposition
    header is not UTF-8, or None when the part is fine or not a file."""
    for line in header_block.split(b"\r\n"):
        if not line.lower().startswith(b"content-disposition"):
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            match = _FILENAME.search(line)
            if match is None:
                return None
            raw = match.group(1) if match.group(1) is not None else match.group(2)
            return raw.decode("utf-8", errors="replace")
    return None


class NameCheckingStream:
    """Passes the request body through unchanged, looking at each part's headers on the way
    (Django ignores a header line that is not UTF-8, so without this the file is silently
    dropped). Keeps at most one part's headers in memory, never file contents."""

    def __init__(self, stream: _Readable, boundary: bytes, field: str) -> None:
        self._stream = stream
        self._delimiter = b"--" + boundary
        self._field = field
        self._pending = b""

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        self._scan(chunk, at_end=not chunk)
        return chunk

    def _scan(self, chunk: bytes, *, at_end: bool) -> None:
        data = self._pending + chunk
        start = 0
        while True:
            at = data.find(self._delimiter, start)
            if at < 0:
                self._pending = data[max(start, len(data) - len(self._delimiter) + 1) :]
                return
            headers_at = at + len(self._delimiter)
            end = data.find(b"\r\n\r\n", headers_at, headers_at + _HEADER_LIMIT + 4)
            if end < 0:
                if not at_end and len(data) - headers_at < _HEADER_LIMIT + 4:
                    self._pending = data[at:]  # the headers continue in the next chunk
                    return
                start = headers_at  # the closing delimiter, or headers Django won't read
                continue
            name = _undecodable_name(data[headers_at:end])
            if name is not None:
                message = (
                    f"The name of an uploaded file is not valid UTF-8 ({name!r}); rename the "
                    "file using ordinary characters and upload it again."
                )
                raise ApplicationError(
                    message, code="invalid_filename", fields={self._field: [message]}
                )
            start = end + 4


class _StrictNamesParser(DjangoMultiPartParser):
    def __init__(self, *args: Any, upload_field: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.upload_field = upload_field

    def sanitize_file_name(self, file_name: str) -> str:
        name = html.unescape(file_name)
        problem = filename_problem(name)
        if problem:
            raise ApplicationError(
                problem, code="invalid_filename", fields={self.upload_field: [problem]}
            )
        return name


class StrictNamesMultiPartParser(MultiPartParser):
    """DRF's multipart parser, except that a file name Django would rewrite, drop or skip is a
    400 on `upload_field` naming the file and the reason."""

    upload_field = "file"

    def too_many_files(self, limit: int) -> str:
        return f"At most {limit} files may be uploaded at once."

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> "DataAndFiles[Any, Any]":  # generic only in the stubs
        context = parser_context or {}
        request = context["request"]
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        encoding = str(context.get("encoding", settings.DEFAULT_CHARSET))
        try:
            _, options = parse_header_parameters(media_type or "")
        except ValueError as exc:
            raise ParseError(f"Multipart form parse error - {exc}") from exc
        boundary = options.get("boundary")
        body = (
            NameCheckingStream(stream, boundary.encode("ascii", "replace"), self.upload_field)
            if isinstance(boundary, str) and boundary
            else stream
        )
        try:
            parser = _StrictNamesParser(
                meta, body, request.upload_handlers, encoding, upload_field=self.upload_field
            )
            data, files = parser.parse()
        except TooManyFilesSent as exc:
            message = self.too_many_files(settings.DATA_UPLOAD_MAX_NUMBER_FILES)
            raise ApplicationError(
                message, code="too_many_files", fields={self.upload_field: [message]}
            ) from exc
        except MultiPartParserError as exc:
            raise ParseError(f"Multipart form parse error - {exc}") from exc
        return DataAndFiles(data, files)
