"""Turns a roster request body into entries: who is named, on which line, with which name.

Three shapes are accepted: JSON `{"users": [...]}` (one person per item), `{"text": "..."}`
pasted from a spreadsheet or an email, and a multipart CSV upload in `file`. Each person is
an email address, optionally with a display name (`Carol New <carol@x.edu>`,
`"New, Carol" <carol@x.edu>`), or the username of an account that already exists. Nothing is
refused here for being unknown (that needs the database, see `selectors.roster_plan`); what
can't be an address or a username becomes an `EntryProblem` naming its line, so that every
problem of a paste is reported at once.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email

from autograder.common.errors import ApplicationError

MAX_ROSTER_ENTRIES = 5000
MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_IDENTIFIER_LENGTH = 150
"""The length of `User.username`: an address may become a username."""
MAX_NAME_LENGTH = 150
"""The length of `User.first_name` and `User.last_name`."""
ADDRESS_HEADERS = {
    "email",
    "emails",
    "e-mail",
    "email address",
    "e-mail address",
    "username",
    "usernames",
    "uniqname",
    "login",
}
NAME_HEADERS = {"name", "full name", "display name", "student name"}
FIRST_NAME_HEADERS = {"first name", "given name", "first"}
LAST_NAME_HEADERS = {"last name", "family name", "surname", "last"}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WORD = re.compile(r'[^\s,;"<(]+')


# --- What a roster names --------------------------------------------------------------------


@dataclass(frozen=True)
class RosterEntry:
    """One person named in a roster."""

    identifier: str
    """An email address, or a username (which must then belong to an existing account)."""
    name: str
    """The display name written with the address ("" if none); "Last, First" keeps its comma."""
    position: int
    """The line (pasted text and CSV, from 1) or the index in `users` (from 0)."""
    written: str
    """The entry as written, for messages."""
    is_email: bool = False
    """Whether `identifier` is a valid email address (else it can only be a username)."""

    def first_and_last_name(self) -> tuple[str, str]:
        """`name` split for a new account: "Last, First" at its comma, otherwise the last word
        is the last name ("Mary Ann Smith" → "Mary Ann", "Smith")."""
        if "," in self.name:
            last, first = self.name.split(",", 1)
        else:
            words = self.name.split()
            first, last = " ".join(words[:-1]), " ".join(words[-1:])
            if not first:
                first, last = last, ""
        return first.strip()[:MAX_NAME_LENGTH], last.strip()[:MAX_NAME_LENGTH]


@dataclass(frozen=True)
class EntryProblem:
    position: int
    written: str
    message: str

    def described(self) -> str:
        """The message, quoting what was written unless it already does."""
        if not self.written or repr(self.written) in self.message:
            return self.message
        return f"{self.written!r}: {self.message}"


@dataclass(frozen=True)
class RosterInput:
    entries: list[RosterEntry]
    problems: list[EntryProblem]
    field_name: str
    """The request field that problems are reported under: `users`, `text` or `file`."""
    position_label: str = "line"
    """What an entry's `position` counts: "line" (from 1) or "item" (from 0)."""

    def error(self, problems: list[EntryProblem]) -> ApplicationError:
        """A 400 listing every problem under `field_name`, keyed by position (several
        problems on one line are listed together); nothing was changed."""
        by_position: dict[str, list[str]] = {}
        for problem in sorted(problems, key=lambda p: p.position):
            by_position.setdefault(str(problem.position), []).append(problem.described())
        first = min(problems, key=lambda p: p.position)
        count = len(by_position)
        what = self.position_label if count == 1 else f"{self.position_label}s"
        message = (
            f"{count} {what} of the roster can't be used, so nothing was changed. "
            f"{self.position_label.capitalize()} {first.position}: {first.described()}"
        )
        return ApplicationError(
            message, code="invalid_identifiers", fields={self.field_name: by_position}
        )


def is_email_address(text: str) -> bool:
    try:
        validate_email(text)
    except ValidationError:
        return False
    return True


def identifier_problem(identifier: str) -> str | None:
    """Why `identifier` can't name an account (as an address or a username), or None."""
    if not identifier:
        return "May not be empty."
    if len(identifier) > MAX_IDENTIFIER_LENGTH:
        return f"Longer than {MAX_IDENTIFIER_LENGTH} characters."
    if any(ch.isspace() for ch in identifier):
        return f"{identifier!r} contains whitespace."
    if any(unicodedata.category(ch).startswith("C") for ch in identifier):
        return f"{identifier!r} contains a control or invisible character."
    return None


# --- One line of text -----------------------------------------------------------------------


@dataclass
class _Token:
    kind: str
    """word, quoted, angle, paren or sep."""
    value: str
    start: int
    end: int


class _SyntaxError(Exception):
    """A line that can't be split into entries at all (an unclosed quote or bracket)."""


def _closing(line: str, start: int, close: str) -> int:
    """The index of `close` ending the group opened at `start` (quotes honour backslashes)."""
    index = start + 1
    while index < len(line):
        if line[index] == "\\" and close == '"':
            index += 2
            continue
        if line[index] == close:
            return index
        index += 1
    opened = {'"': 'A quote (")', ">": "'<'", ")": "'('"}[close]
    closing = {'"': "quote", ">": "'>'", ")": "')'"}[close]
    raise _SyntaxError(f"{opened} without a closing {closing}.")


def _tokens(line: str) -> Iterator[_Token]:
    index = 0
    while index < len(line):
        ch = line[index]
        if ch.isspace():
            index += 1
        elif ch in ",;":
            yield _Token("sep", ch, index, index + 1)
            index += 1
        elif ch in '"<(':
            close = {'"': '"', "<": ">", "(": ")"}[ch]
            end = _closing(line, index, close)
            value = line[index + 1 : end]
            if ch == '"':
                value = re.sub(r"\\(.)", r"\1", value)
            kind = {'"': "quoted", "<": "angle", "(": "paren"}[ch]
            yield _Token(kind, value.strip(), index, end + 1)
            index = end + 1
        else:
            word = _WORD.match(line, index)
            end = word.end() if word else index + 1
            yield _Token("word", line[index:end], index, end)
            index = end


def _looks_like_a_name(names: list[_Token]) -> bool:
    """Whether words are a person's name rather than usernames: quoted, or with a capital
    letter ("Carol New <carol@x.edu>" is named; "alice bob carol@x.edu" is three people)."""
    return any(t.kind != "word" or t.value[:1].isupper() for t in names)


class _LineParser:
    def __init__(self, line: str, position: int) -> None:
        self.line = line
        self.position = position
        self.entries: list[RosterEntry] = []
        self.problems: list[EntryProblem] = []

    def problem(self, written: str, message: str) -> None:
        self.problems.append(EntryProblem(self.position, written.strip(), message))

    def address(self, address: str, name: str, start: int, end: int) -> None:
        written = self.line[start:end].strip()
        problem = identifier_problem(address)
        if problem:
            self.problem(written, problem)
        elif not is_email_address(address):
            self.problem(written, f"{address!r} is not a valid email address.")
        else:
            self.entries.append(RosterEntry(address, name, self.position, written, is_email=True))

    def leftover(self, names: list[_Token]) -> None:
        """Words that no address followed: plain words may be usernames; a name is a name
        without an address."""
        written = self.line[names[0].start : names[-1].end]
        if _looks_like_a_name(names) and (len(names) > 1 or names[0].kind != "word"):
            self.problem(written, f"{written!r} has no email address.")
            return
        for word in names:
            problem = identifier_problem(word.value)
            if problem:
                self.problem(word.value, problem)
            else:
                self.entries.append(RosterEntry(word.value, "", self.position, word.value))

    def parse(self) -> None:
        try:
            tokens = list(_tokens(self.line))
        except _SyntaxError as exc:
            self.problem(self.line, str(exc))
            return
        names: list[_Token] = []
        carried: list[_Token] = []
        """Words before a comma that may be the "Last" of "Last, First <addr>"."""
        bare_start = -1
        """Where the last entry began when it was a bare address, which a comment may name."""
        for token in tokens:
            is_address = token.kind == "angle" or (token.kind == "word" and "@" in token.value)
            if token.kind == "sep":
                if carried:
                    self.leftover(carried)
                carried = []
                if names and token.value == "," and _looks_like_a_name(names):
                    carried = names
                elif names:
                    self.leftover(names)
                names, bare_start = [], -1
            elif is_address:
                if token.kind == "word" and names and not _looks_like_a_name(names):
                    self.leftover(names)
                    names = []
                if carried and names:
                    name = f"{_joined(carried)}, {_joined(names)}"
                    start = carried[0].start
                else:
                    if carried:
                        self.leftover(carried)
                    name, start = _joined(names), (names[0].start if names else token.start)
                before = len(self.entries)
                self.address(token.value, name, start, token.end)
                made = len(self.entries) > before
                bare_start = start if made and token.kind == "word" and not names else -1
                names, carried = [], []
            elif token.kind == "paren" and bare_start >= 0:
                # "carol@x.edu (Carol New)": a comment after a bare address names it.
                entry = self.entries[-1]
                written = self.line[bare_start : token.end]
                self.entries[-1] = RosterEntry(
                    entry.identifier, token.value, entry.position, written, is_email=True
                )
                bare_start = -1
            else:
                names.append(token)
                bare_start = -1
        if carried:
            self.leftover(carried)
        if names:
            self.leftover(names)


def _joined(names: list[_Token]) -> str:
    return " ".join(t.value for t in names if t.value)


def parse_line(line: str, position: int) -> tuple[list[RosterEntry], list[EntryProblem]]:
    """The people named on one line: addresses separated by commas, semicolons or spaces,
    each optionally with a display name before it (`Carol New <carol@x.edu>`,
    `"New, Carol" <carol@x.edu>`, `New, Carol <carol@x.edu>`, `Carol New carol@x.edu`) or a
    comment after it (`carol@x.edu (Carol New)`), and single words that may be usernames."""
    parser = _LineParser(line, position)
    parser.parse()
    return parser.entries, parser.problems


# --- Request shapes -------------------------------------------------------------------------


def _error(field_name: str, message: str, *, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, fields={field_name: [message]})


def _too_many(field_name: str, count: int, what: str) -> ApplicationError:
    return _error(
        field_name,
        f"At most {MAX_ROSTER_ENTRIES} {what} per request; this one has {count}. "
        "Split the roster into several requests.",
        code="roster_too_large",
    )


def _checked_size(roster: RosterInput) -> RosterInput:
    if len(roster.entries) > MAX_ROSTER_ENTRIES:
        raise _too_many(roster.field_name, len(roster.entries), "people")
    return roster


def from_list(users: list[str]) -> RosterInput:
    """One person per item (an address, `Name <address>` or a username), keyed by index."""
    if len(users) > MAX_ROSTER_ENTRIES:
        raise _too_many("users", len(users), "users")
    entries: list[RosterEntry] = []
    problems: list[EntryProblem] = []
    for index, item in enumerate(users):
        found, wrong = parse_line(item, index)
        if not found and not wrong:
            wrong = [EntryProblem(index, item, "May not be empty.")]
        elif len(found) > 1:
            wrong = [*wrong, EntryProblem(index, item, "Name one person per item.")]
        entries += found if len(found) == 1 else []
        problems += wrong
    return RosterInput(entries, problems, "users", position_label="item")


def from_text(text: str) -> RosterInput:
    """Pasted text: any number of people per line; problems are keyed by line (from 1)."""
    entries: list[RosterEntry] = []
    problems: list[EntryProblem] = []
    for number, line in enumerate(_LINE_BREAK.split(text.lstrip("\ufeff")), start=1):
        found, wrong = parse_line(line, number)
        entries += found
        problems += wrong
        if len(entries) > MAX_ROSTER_ENTRIES:
            break
    return _checked_size(RosterInput(entries, problems, "text"))


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


@dataclass(frozen=True)
class _Columns:
    """Where a CSV keeps the address and the name parts (-1: nowhere)."""

    address: int = 0
    name: int = -1
    first: int = -1
    last: int = -1

    @classmethod
    def from_header(cls, row: list[str]) -> "_Columns | None":
        """The columns a header row names, or None when `row` is not a header."""
        cells = [cell.strip().lower().replace("_", " ") for cell in row]

        def find(names: set[str]) -> int:
            return next((i for i, cell in enumerate(cells) if cell in names), -1)

        address = find(ADDRESS_HEADERS)
        if address < 0:
            return None
        return cls(address, find(NAME_HEADERS), find(FIRST_NAME_HEADERS), find(LAST_NAME_HEADERS))

    def cell(self, row: list[str], index: int) -> str:
        return row[index].strip() if 0 <= index < len(row) else ""

    def line_of(self, row: list[str]) -> str:
        """The row as one roster line: its name columns (if any) before its address."""
        address = self.cell(row, self.address)
        first, last = self.cell(row, self.first), self.cell(row, self.last)
        name = self.cell(row, self.name)
        if not name:
            name = f"{last}, {first}" if first and last else first or last
        if not name or not address or "<" in address or not is_email_address(address):
            return address
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{quoted}" <{address}>'


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise _error("file", f"Line {reader.line_num} is not valid CSV: {exc}.") from exc


def from_csv(upload: UploadedFile) -> RosterInput:
    """A CSV file: the address (or `Name <address>`) in the first column, or, after a header
    row naming an `email` or `username` column, in that column with the name from `name` or
    `first name` / `last name` columns. Blank rows are skipped; problems are keyed by line."""
    entries: list[RosterEntry] = []
    problems: list[EntryProblem] = []
    columns: _Columns | None = None
    for line_number, row in _csv_rows(_decoded(upload)):
        if not any(cell.strip() for cell in row):
            continue
        if columns is None:
            columns = _Columns.from_header(row)
            if columns is not None:
                continue
            columns = _Columns()
        line = columns.line_of(row)
        if not line:
            problems.append(EntryProblem(line_number, ",".join(row), "No address in this row."))
            continue
        found, wrong = parse_line(line, line_number)
        entries += found
        problems += wrong
    return _checked_size(RosterInput(entries, problems, "file"))


def parse_roster_input(data: dict[str, Any]) -> RosterInput:
    """`data` is what `RosterJsonInput` or `RosterUploadInput` validated: exactly one of
    `users`, `text` and `file` (other keys are ignored)."""
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
