"""Rules for names of uploaded files: one flat directory, nothing that escapes it."""

import unicodedata

from autograder.common.errors import ApplicationError

MAX_FILENAME_LENGTH = 255


def filename_problem(name: str) -> str | None:
    """Returns why `name` is not a safe file name, or None when it is."""
    if not name:
        return "File names may not be empty."
    if name in {".", ".."}:
        return f"{name!r} is not a file name."
    if "/" in name or "\\" in name:
        return f"{name!r} contains a path separator; upload files, not paths."
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return f"{name!r} contains a NUL or control character."
    if len(name.encode("utf-8")) > MAX_FILENAME_LENGTH:
        return f"File names may be at most {MAX_FILENAME_LENGTH} bytes long."
    return None


def check_filename(name: str, *, field: str = "name") -> str:
    problem = filename_problem(name)
    if problem:
        raise ApplicationError(problem, code="invalid_filename", fields={field: [problem]})
    return name
