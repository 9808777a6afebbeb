import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder.common.errors import ApplicationError
from autograder.common.filenames import check_filename, filename_problem


@pytest.mark.parametrize(
    "name",
    ["", ".", "..", "../etc/passwd", "a/b.py", "a\\b.py", "nul\x00.py", "tab\there", "x" * 256],
)
def test_unsafe_names_are_refused_with_a_reason(name: str) -> None:
    with pytest.raises(ApplicationError) as info:
        check_filename(name, field="files")
    assert info.value.fields["files"] == [info.value.message]


@pytest.mark.parametrize(
    "name", ["main.cpp", "Makefile", ".hidden", "résumé.txt", "数据.py", "%s%n.c", "a b.py"]
)
def test_ordinary_and_unicode_names_are_accepted(name: str) -> None:
    assert check_filename(name) == name


@given(st.text(min_size=1, max_size=80))
def test_accepted_names_never_escape_their_directory(name: str) -> None:
    if filename_problem(name) is None:
        assert "/" not in name and "\\" not in name and name not in {".", ".."}
        assert all(ord(ch) >= 32 and ord(ch) != 127 for ch in name)


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("evil\u202etxt.py", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("a\u202ab.py", "U+202A"),
        ("a\u2066b\u2069.py", "U+2066"),
        ("\ufeffmain.py", "U+FEFF BYTE ORDER MARK"),
        ("main\u200b.py", "U+200B ZERO WIDTH SPACE"),
        ("line\u2028break.py", "U+2028"),
        ("soft\u00adhyphen.py", "U+00AD"),
        ("del\x7f.py", "U+007F"),
    ],
)
def test_invisible_and_direction_changing_characters_are_named_in_the_reason(
    name: str, named: str
) -> None:
    """Names that display as something else (`evil` + U+202E + `txt.py` shows as
    `evilyp.txt`) would mislead staff reading a submission."""
    problem = filename_problem(name)
    assert problem is not None and named in problem


def test_a_name_that_was_not_utf8_says_so() -> None:
    problem = filename_problem(b"caf\xe9.py".decode("utf-8", errors="replace"))
    assert problem is not None and "not valid UTF-8" in problem


@given(st.text(min_size=1, max_size=40))
def test_accepted_names_have_no_invisible_characters(name: str) -> None:
    if filename_problem(name) is None:
        assert not any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Zl", "Zp"} for ch in name)
        assert "\ufffd" not in name
