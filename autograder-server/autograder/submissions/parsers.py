"""A multipart parser that reports bad file names instead of quietly rewriting them.

Django's parser strips directories and control characters from uploaded file names, so
`../x.cpp` would arrive as `x.cpp` and a student would never learn why their file was renamed.
Here every name is checked with the shared file-name rules and a bad one is a 400 naming it.
"""

import html
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import TooManyFilesSent
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from rest_framework.exceptions import ParseError
from rest_framework.parsers import DataAndFiles, MultiPartParser

from autograder.common.errors import ApplicationError
from autograder.common.filenames import filename_problem

UPLOAD_FIELD = "files"


class _StrictNamesParser(DjangoMultiPartParser):
    def sanitize_file_name(self, file_name: str) -> str:
        name = html.unescape(file_name)
        problem = filename_problem(name)
        if problem:
            raise ApplicationError(
                problem, code="invalid_filename", fields={UPLOAD_FIELD: [problem]}
            )
        return name


class SubmissionMultiPartParser(MultiPartParser):
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
            parser = _StrictNamesParser(meta, stream, request.upload_handlers, encoding)
            data, files = parser.parse()
        except TooManyFilesSent as exc:
            limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
            message = f"A submission may have at most {limit} files."
            raise ApplicationError(
                message, code="too_many_files", fields={UPLOAD_FIELD: [message]}
            ) from exc
        except MultiPartParserError as exc:
            raise ParseError(f"Multipart form parse error - {exc}") from exc
        return DataAndFiles(data, files)
