import fnmatch

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder.projects.file_matching import ExpectedPattern, MatchResult, match_files


def test_exact_name_beats_glob_whatever_the_order() -> None:
    patterns = [ExpectedPattern("*.cpp", 1, 1), ExpectedPattern("main.cpp", 1, 1)]
    for files in (["main.cpp", "helper.cpp"], ["helper.cpp", "main.cpp"]):
        result = match_files(files, patterns)
        assert sorted(result.accepted) == ["helper.cpp", "main.cpp"]
        assert result.matched == {"main.cpp": ["main.cpp"], "*.cpp": ["helper.cpp"]}
        assert result.discarded == []
        assert result.missing == {}


def test_extra_files_and_files_past_the_maximum_are_discarded() -> None:
    patterns = [ExpectedPattern("test_*.py", 0, 2), ExpectedPattern("README.md", 1, 1)]
    files = ["test_a.py", "notes.txt", "test_b.py", "test_c.py", "README.md"]
    result = match_files(files, patterns)
    assert result.accepted == ["test_a.py", "test_b.py", "README.md"]
    assert result.discarded == ["notes.txt", "test_c.py"]
    assert result.is_complete


def test_missing_counts_the_files_still_needed() -> None:
    patterns = [ExpectedPattern("*.h", 3, 5), ExpectedPattern("Makefile", 1, 1)]
    result = match_files(["a.h"], patterns)
    assert result.missing == {"*.h": 2, "Makefile": 1}
    assert not result.is_complete


def test_matching_is_case_sensitive() -> None:
    result = match_files(["MAIN.CPP"], [ExpectedPattern("main.cpp")])
    assert result.discarded == ["MAIN.CPP"]
    assert result.missing == {"main.cpp": 1}


def test_a_repeated_name_is_discarded_after_its_first_occurrence() -> None:
    result = match_files(["a.py", "a.py"], [ExpectedPattern("*.py", 1, 5)])
    assert result.accepted == ["a.py"]
    assert result.discarded == ["a.py"]


def test_a_full_pattern_lets_the_next_matching_pattern_take_the_file() -> None:
    patterns = [ExpectedPattern("a*", 0, 5), ExpectedPattern("*.txt", 0, 1)]
    result = match_files(["a1.txt", "a2.txt"], patterns)
    assert result.matched == {"*.txt": ["a1.txt"], "a*": ["a2.txt"]}


def test_no_patterns_discards_everything() -> None:
    assert match_files(["x"], []) == MatchResult(accepted=[], discarded=["x"], missing={})


def test_duplicate_patterns_are_refused() -> None:
    with pytest.raises(ValueError, match="distinct"):
        match_files([], [ExpectedPattern("*.c"), ExpectedPattern("*.c")])


def _is_subsequence(part: list[str], whole: list[str]) -> bool:
    rest = iter(whole)
    return all(item in rest for item in part)


names = st.text(alphabet="abc.*?[]!_", min_size=1, max_size=6)
plain_names = st.text(alphabet="abc._", min_size=1, max_size=6)


@st.composite
def pattern_lists(draw: st.DrawFn) -> list[ExpectedPattern]:
    texts = draw(st.lists(names, unique=True, max_size=5))
    patterns = []
    for text in texts:
        low = draw(st.integers(0, 3))
        high = draw(st.integers(max(low, 1), 4))
        patterns.append(ExpectedPattern(text, low, high))
    return patterns


@given(files=st.lists(plain_names, max_size=12), patterns=pattern_lists())
def test_properties(files: list[str], patterns: list[ExpectedPattern]) -> None:
    result = match_files(files, patterns)
    by_pattern = {p.pattern: p for p in patterns}

    # Every file lands in exactly one of accepted/discarded, in the order given.
    assert sorted(result.accepted + result.discarded) == sorted(files)
    assert len(set(result.accepted)) == len(result.accepted)
    assert _is_subsequence(result.accepted, files)
    assert _is_subsequence(result.discarded, files)

    # Each accepted file matches the pattern that took it; no pattern exceeds its maximum.
    assert set(result.matched) == set(by_pattern)
    taken = [name for group in result.matched.values() for name in group]
    assert sorted(taken) == sorted(result.accepted)
    for text, group in result.matched.items():
        assert len(group) <= by_pattern[text].max_num_matches
        assert all(fnmatch.fnmatchcase(name, text) for name in group)

    # A discarded first occurrence had nowhere to go: every pattern it matches is full.
    for name in set(result.discarded) - set(result.accepted):
        for p in patterns:
            if fnmatch.fnmatchcase(name, p.pattern):
                assert len(result.matched[p.pattern]) == p.max_num_matches

    # Missing is exactly the shortfall below each minimum.
    for p in patterns:
        shortfall = p.min_num_matches - len(result.matched[p.pattern])
        assert result.missing.get(p.pattern, 0) == max(shortfall, 0)


@given(files=st.lists(plain_names, max_size=12), patterns=pattern_lists(), data=st.data())
def test_pattern_order_does_not_matter(
    files: list[str], patterns: list[ExpectedPattern], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(patterns))
    assert match_files(files, patterns) == match_files(files, shuffled)


@given(files=st.lists(plain_names, unique=True, max_size=12))
def test_an_exact_pattern_always_gets_its_file(files: list[str]) -> None:
    if not files:
        return
    target = files[-1]
    patterns = [ExpectedPattern("*", 0, 1), ExpectedPattern(target, 1, 1)]
    result = match_files(files, patterns)
    assert result.matched[target] == [target]
    assert result.missing == {}
