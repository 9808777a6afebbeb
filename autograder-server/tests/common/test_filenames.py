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
