"""The runner API's `param` fields (`NAME=VALUE`): environment variables for the grading
commands, checked so that they can never change the sandbox's own environment."""

import re
from collections.abc import Sequence

from autograder.common.errors import field_error

MAX_PARAMS = 32
MAX_VALUE_LENGTH = 4096
NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")

RESERVED_NAMES = frozenset(
    {
        # The sandbox's own environment (sandbox/runner/agrunner.py) and the shell's.
        "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TMPDIR", "SHELL", "PWD",
        "OLDPWD", "TERM", "HOSTNAME", "IFS", "ENV", "BASH_ENV", "CDPATH",
        # Variables that make an interpreter or toolchain load other code.
        "CLASSPATH", "NODE_OPTIONS", "NODE_PATH", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS",
        "JDK_JAVA_OPTIONS", "PERL5LIB", "PERL5OPT", "PERLLIB", "RUBYOPT", "RUBYLIB",
    }
)  # fmt: skip
RESERVED_PREFIXES = ("LC_", "LD_", "AG_", "PYTHON", "BASH_FUNC_", "GCONV_", "MALLOC_", "GLIBC_")
"""AG_ is ours; the others change how the C library, Python or bash behave."""


def _refusal(raw: str) -> str | None:
    name, sep, value = raw.partition("=")
    if not sep:
        return f"{raw[:80]!r} is not NAME=VALUE."
    if not NAME_PATTERN.fullmatch(name):
        return (
            f"{name[:80]!r} is not a variable name (a letter or _, then letters, digits or _; "
            "at most 64)."
        )
    if reserved(name):
        return f"{name} belongs to the sandbox's own environment and cannot be set."
    if "\0" in value or len(value) > MAX_VALUE_LENGTH:
        return f"The value of {name} has a NUL byte or is over {MAX_VALUE_LENGTH} characters."
    return None


def params_parse(raw_params: Sequence[str]) -> dict[str, str]:
    """`NAME=VALUE` strings → a mapping; an ApplicationError on field `param` names the first
    bad one and why."""
    if len(raw_params) > MAX_PARAMS:
        raise field_error("param", f"At most {MAX_PARAMS} param fields.")
    params: dict[str, str] = {}
    for raw in raw_params:
        refusal = _refusal(raw)
        if refusal:
            raise field_error("param", refusal)
        name, _, value = raw.partition("=")
        if name in params:
            raise field_error("param", f"{name} is given twice.")
        params[name] = value
    return params


def reserved(name: str) -> bool:
    """Whether `name` may never be set (the grading side checks again)."""
    upper = name.upper()
    return upper in RESERVED_NAMES or upper.startswith(RESERVED_PREFIXES)
