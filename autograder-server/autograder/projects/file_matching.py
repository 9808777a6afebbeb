"""Which submitted files a project accepts: a pure function over names and patterns.

The semantics are autograder.io's, made deterministic:

- Patterns are `fnmatch` globs (`*`, `?`, `[seq]`, `[!seq]`), matched case-sensitively on every
  platform (`fnmatch.fnmatchcase`). A file name never contains `/`, so `*` is "any characters".
- Each file goes to the first pattern that matches it *and still has room* (fewer than
  `max_num_matches` files so far). Patterns are tried in a fixed order: exact names (patterns
  without glob characters) first, then globs; within each kind, in sorted order. So
  `main.cpp` is claimed by a `main.cpp` pattern before `*.cpp` can take it, whatever order
  the files or patterns arrive in.
- Files are taken in the order given; a file that matches no pattern with room left is
  discarded (an unexpected file, or one too many for its pattern). A name that appears again
  after its first occurrence is discarded too.
- A pattern with fewer than `min_num_matches` files is missing; `missing` maps it to the number
  of files it still needs.

Nothing here touches the database or the file system, so the submissions app can call it
inside its transaction and tests can throw arbitrary inputs at it.
"""

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

GLOB_CHARACTERS = frozenset("*?[")


class ExpectedPatternLike(Protocol):
    """Anything with these attributes: an `ExpectedStudentFile` row or an `ExpectedPattern`."""

    @property
    def pattern(self) -> str: ...

    @property
    def min_num_matches(self) -> int: ...

    @property
    def max_num_matches(self) -> int: ...


@dataclass(frozen=True)
class ExpectedPattern:
    pattern: str
    min_num_matches: int = 1
    max_num_matches: int = 1


@dataclass(frozen=True)
class MatchResult:
    accepted: list[str]
    """Accepted file names, in the order given."""
    discarded: list[str]
    """Names that matched no pattern with room left (or repeated a name), in the order given."""
    missing: dict[str, int]
    """Pattern → how many more files it needs to reach its minimum. Only short patterns."""
    matched: dict[str, list[str]] = field(default_factory=dict)
    """Pattern → the accepted names it took. Every pattern is a key, possibly with []."""

    @property
    def is_complete(self) -> bool:
        return not self.missing


def is_exact_name(pattern: str) -> bool:
    return not GLOB_CHARACTERS.intersection(pattern)


def _priority_order(patterns: Iterable[ExpectedPatternLike]) -> list[ExpectedPatternLike]:
    return sorted(patterns, key=lambda p: (not is_exact_name(p.pattern), p.pattern))


def match_files(filenames: Sequence[str], patterns: Sequence[ExpectedPatternLike]) -> MatchResult:
    """Sorts `filenames` into accepted and discarded and reports missing patterns.

    Patterns must be distinct (the database guarantees it per project); a repeated pattern
    raises ValueError rather than being silently merged.
    """
    ordered = _priority_order(patterns)
    if len({p.pattern for p in ordered}) != len(ordered):
        raise ValueError("Expected-file patterns must be distinct.")

    matched: dict[str, list[str]] = {p.pattern: [] for p in ordered}
    accepted: list[str] = []
    discarded: list[str] = []
    seen: set[str] = set()
    for name in filenames:
        if name in seen:
            discarded.append(name)
            continue
        seen.add(name)
        target = next(
            (
                p
                for p in ordered
                if len(matched[p.pattern]) < p.max_num_matches
                and fnmatch.fnmatchcase(name, p.pattern)
            ),
            None,
        )
        if target is None:
            discarded.append(name)
        else:
            matched[target.pattern].append(name)
            accepted.append(name)

    missing = {
        p.pattern: p.min_num_matches - len(matched[p.pattern])
        for p in ordered
        if len(matched[p.pattern]) < p.min_num_matches
    }
    return MatchResult(accepted=accepted, discarded=discarded, missing=missing, matched=matched)
