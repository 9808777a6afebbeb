"""Turns a roster request body into a list of identifiers (usernames or emails).

Three shapes are accepted: JSON `{"users": [...]}`, `{"text": "..."}` with identifiers
separated by commas, whitespace or newlines (pasted from a spreadsheet or an email), and a
multipart CSV upload in `file` (first column; a "username" or "email" header row is skipped).
Invalid identifiers are reported with their position: the index in `users` or in the split
`text`, or the CSV row number.
"""

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile

from autograder.common.errors import ApplicationError
from autograder.courses.services import identifiers_check

MAX_ROSTER_ENTRIES = 5000
MAX_CSV_BYTES = 2 * 1024 * 1024
HEADER_NAMES = {"username", "usernames", "email", "emails", "e-mail", "uniqname"}
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class RosterInput:
    identifiers: list[str]
    field_name: str
    """Where problems with `identifiers` are reported."""


def _error(field_name: str, message: str, *, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, fields={field_name: [message]})


def _too_many(field_name: str, count: int, what: str) -> ApplicationError:
    return _error(
        field_name,
        f"At most {MAX_ROSTER_ENTRIES} {what} per request; this one has {count}. "
        "Split the roster into several requests.",
        code="roster_too_large",
    )


def from_list(users: list[str]) -> RosterInput:
    if len(users) > MAX_ROSTER_ENTRIES:
        raise _too_many("users", len(users), "users")
    identifiers_check(users, field_name="users")
    return RosterInput(identifiers=users, field_name="users")


def from_text(text: str) -> RosterInput:
    identifiers = [part for part in _SEPARATORS.split(text.lstrip("\ufeff")) if part]
    if len(identifiers) > MAX_ROSTER_ENTRIES:
        raise _too_many("text", len(identifiers), "users")
    identifiers_check(identifiers, field_name="text", position_label="entry")
    return RosterInput(identifiers=identifiers, field_name="text")


def _decoded(upload: UploadedFile) -> str:
    if (upload.size or 0) > MAX_CSV_BYTES:
        raise _error(
            "file",
            f"The roster file is {upload.size} bytes; the limit is {MAX_CSV_BYTES} bytes.",
            code="roster_too_large",
        )
    raw: bytes = upload.read()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _error(
            "file",
            f"The roster file is not UTF-8 text (byte {exc.start + 1} is invalid). "
            "Save it as 'CSV UTF-8' and upload it again.",
            code="bad_encoding",
        ) from exc


def _is_header(cell: str) -> bool:
    return cell.strip().lower() in HEADER_NAMES


def from_csv(upload: UploadedFile) -> RosterInput:
    identifiers: list[str] = []
    lines: list[int] = []
    rows = 0
    first_row = True
    reader = csv.reader(io.StringIO(_decoded(upload), newline=""))
    try:
        for row in reader:
            cell = row[0].strip() if row else ""
            if not cell:
                continue
            if first_row:
                first_row = False
                if _is_header(cell):
                    continue
            rows += 1
            if rows <= MAX_ROSTER_ENTRIES:
                identifiers.append(cell)
                lines.append(reader.line_num)
    except csv.Error as exc:
        raise _error("file", f"Line {reader.line_num} is not valid CSV: {exc}.") from exc
    if rows > MAX_ROSTER_ENTRIES:
        raise _too_many("file", rows, "rows")
    identifiers_check(identifiers, field_name="file", positions=lines, position_label="line")
    return RosterInput(identifiers=identifiers, field_name="file")


def parse_roster_input(data: dict[str, Any]) -> RosterInput:
    """`data` is what `RosterJsonInput` or `RosterUploadInput` validated: exactly one of
    `users`, `text` and `file`."""
    given = [name for name in ("users", "text", "file") if data.get(name) is not None]
    if len(given) != 1:
        message = "Send exactly one of 'users' (a list), 'text' (pasted names) or 'file' (CSV)."
        raise ApplicationError(
            message, code="invalid", fields={name: [message] for name in given or ["users"]}
        )
    if given == ["users"]:
        return from_list(list(data["users"]))
    if given == ["text"]:
        return from_text(data["text"])
    return from_csv(data["file"])
