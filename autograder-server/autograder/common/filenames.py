"""Rules for names of uploaded files: one flat directory, nothing that escapes it, nothing
that makes a name look like another in staff views."""

import unicodedata

from autograder.common.errors import ApplicationError

MAX_FILENAME_LENGTH = 255

_INVISIBLE_CATEGORIES = {
    "Cc": "a control character",
    "Cf": "an invisible formatting character",
    "Cs": "a lone surrogate",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}
"""Unicode categories refused in names. Format characters (Cf) include the bidirectional
overrides and isolates (U+202A to U+202E, U+2066 to U+2069: "evil" + U+202E + "txt.py" displays
as "evilyp.txt"), zero-width spaces and joiners, and the byte order mark U+FEFF."""

REPLACEMENT_CHARACTER = "\ufffd"


def _describe(ch: str) -> str:
    name = "BYTE ORDER MARK" if ch == "\ufeff" else unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def filename_problem(name: str) -> str | None:
    """Returns why `name` is not a safe file name, or None when it is."""
    if not name:
        return "File names may not be empty."
    if name in {".", ".."}:
        return f"{name!r} is not a file name."
    if "/" in name or "\\" in name:
        return f"{name!r} contains a path separator; upload files, not paths."
    if REPLACEMENT_CHARACTER in name:
        return (
            f"{name!r} is not valid UTF-8 (or contains U+FFFD); rename the file using "
            "ordinary characters and upload it again."
        )
    for ch in name:
        kind = _INVISIBLE_CATEGORIES.get(unicodedata.category(ch))
        if kind:
            return (
                f"{name!r} contains {_describe(ch)} ({kind}); names may not contain "
                "characters that are invisible or change how a name is displayed. Rename "
                "the file without it."
            )
    if len(name.encode("utf-8")) > MAX_FILENAME_LENGTH:
        return f"File names may be at most {MAX_FILENAME_LENGTH} bytes long."
    return None


def check_filename(name: str, *, field: str = "name") -> str:
    problem = filename_problem(name)
    if problem:
        raise ApplicationError(problem, code="invalid_filename", fields={field: [problem]})
    return name
