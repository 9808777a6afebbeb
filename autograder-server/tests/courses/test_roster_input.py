"""Reading rosters: address forms, separators, names, and problems named by line."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from autograder.common.errors import ApplicationError
from autograder.courses.roster_input import (
    RosterEntry,
    from_csv,
    from_list,
    from_text,
    parse_line,
    parse_roster_input,
)


def read(line: str) -> list[tuple[str, str]]:
    entries, problems = parse_line(line, 1)
    assert problems == [], problems
    return [(entry.identifier, entry.name) for entry in entries]


def problems_of(line: str) -> list[str]:
    entries, problems = parse_line(line, 7)
    assert entries == []
    assert all(problem.position == 7 for problem in problems)
    return [problem.message for problem in problems]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Carol New <carol.new@demo.test>", [("carol.new@demo.test", "Carol New")]),
        ('"New, Carol" <carol.new@demo.test>', [("carol.new@demo.test", "New, Carol")]),
        ("New, Carol <carol.new@demo.test>", [("carol.new@demo.test", "New, Carol")]),
        ("<carol.new@demo.test>", [("carol.new@demo.test", "")]),
        ("carol.new@demo.test", [("carol.new@demo.test", "")]),
        ("Carol New carol.new@demo.test", [("carol.new@demo.test", "Carol New")]),
        ("carol.new@demo.test (Carol New)", [("carol.new@demo.test", "Carol New")]),
        ('"O\\"Hara, Kim" <kim@demo.test>', [("kim@demo.test", 'O"Hara, Kim')]),
        ("Jürgen Müller <jm@demo.test>", [("jm@demo.test", "Jürgen Müller")]),
        ("a@demo.test, b@demo.test", [("a@demo.test", ""), ("b@demo.test", "")]),
        ("a@demo.test; b@demo.test", [("a@demo.test", ""), ("b@demo.test", "")]),
        ("a@demo.test b@demo.test\tc@demo.test", [(f"{x}@demo.test", "") for x in "abc"]),
        (
            "Smith, John <j@demo.test>; Doe, Jane <d@demo.test>",
            [("j@demo.test", "Smith, John"), ("d@demo.test", "Doe, Jane")],
        ),
        (
            "Ann Lee <ann@demo.test>, Bo <bo@demo.test>",
            [("ann@demo.test", "Ann Lee"), ("bo@demo.test", "Bo")],
        ),
        ("a@demo.test,, ;b@demo.test", [("a@demo.test", ""), ("b@demo.test", "")]),
        ("alice", [("alice", "")]),
        ("Alice", [("Alice", "")]),
        ("alice bob", [("alice", ""), ("bob", "")]),
        ("alice bob carol@demo.test", [("alice", ""), ("bob", ""), ("carol@demo.test", "")]),
        ("Carol New carol@demo.test bob", [("carol@demo.test", "Carol New"), ("bob", "")]),
        ("carol <carol@demo.test>", [("carol@demo.test", "carol")]),
        ("bob, Carol New <c@demo.test>", [("bob", ""), ("c@demo.test", "Carol New")]),
        ("", []),
        ("  \t ", []),
    ],
    ids=lambda value: repr(value)[:40],
)
def test_address_forms(line: str, expected: list[tuple[str, str]]) -> None:
    assert read(line) == expected


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Carol New", "'Carol New' has no email address."),
        ('"Carol New"', "has no email address."),
        ("<not-an-email>", "'not-an-email' is not a valid email address."),
        ("a@b", "'a@b' is not a valid email address."),
        ("Carol <carol@demo.test", "'<' without a closing '>'."),
        ('"Carol <carol@demo.test>', 'A quote (") without a closing quote.'),
        ("zero\u200bwidth@demo.test", "contains a control or invisible character."),
        ("x" * 141 + "@demo.test", "Longer than 150 characters."),
    ],
)
def test_what_is_not_an_address_is_a_problem_of_its_line(line: str, reason: str) -> None:
    messages = problems_of(line)
    assert len(messages) == 1 and messages[0].endswith(reason), messages


def test_a_line_keeps_its_good_entries_beside_its_problems() -> None:
    entries, problems = parse_line("ok@demo.test, Carol New, <bad>", 3)
    assert [e.identifier for e in entries] == ["ok@demo.test"]
    assert [(p.position, p.written) for p in problems] == [(3, "Carol New"), (3, "<bad>")]


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("Carol New", "Carol", "New"),
        ("Mary Ann Smith", "Mary Ann", "Smith"),
        ("New, Carol", "Carol", "New"),
        ("de la Cruz, Ana María", "Ana María", "de la Cruz"),
        ("Cher", "Cher", ""),
        ("", "", ""),
        ("x" * 200 + " y", "x" * 150, "y"),
    ],
)
def test_names_split_into_first_and_last(name: str, first: str, last: str) -> None:
    entry = RosterEntry("a@demo.test", name, 1, "")
    assert entry.first_and_last_name() == (first, last)


def test_text_problems_are_keyed_by_line_from_one() -> None:
    roster = from_text("Carol New <carol.new@demo.test>\r\nnot-an-email\n\nCarol New\n")
    assert [(e.identifier, e.position) for e in roster.entries] == [
        ("carol.new@demo.test", 1),
        ("not-an-email", 2),
    ]
    assert [(p.position, p.written) for p in roster.problems] == [(4, "Carol New")]
    error = roster.error(roster.problems)
    assert error.status == 400 and error.code == "invalid_identifiers"
    assert error.fields == {"text": {"4": ["'Carol New' has no email address."]}}
    assert error.message.startswith("1 line of the roster can't be used, so nothing was changed.")


def test_a_list_names_one_person_per_item_keyed_by_index() -> None:
    roster = from_list(["Carol New <carol@demo.test>", "", "a@demo.test b@demo.test", "bob"])
    assert [(e.identifier, e.name, e.position) for e in roster.entries] == [
        ("carol@demo.test", "Carol New", 0),
        ("bob", "", 3),
    ]
    assert [(p.position, p.message) for p in roster.problems] == [
        (1, "May not be empty."),
        (2, "Name one person per item."),
    ]
    assert roster.position_label == "item"


def csv_upload(content: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("roster.csv", content.encode(), content_type="text/csv")


@pytest.mark.parametrize(
    "content",
    [
        "Carol New <carol@demo.test>\nbob@demo.test\n",
        "email,name\ncarol@demo.test,Carol New\nbob@demo.test,\n",
        "Name,Email\nCarol New,carol@demo.test\n,bob@demo.test\n",
        "Last Name,First Name,E-mail\nNew,Carol,carol@demo.test\n,,bob@demo.test\n",
        'username\n"Carol New <carol@demo.test>"\nbob@demo.test\n',
        'student_name,login\n"New, Carol",carol@demo.test\n\n\nx,bob@demo.test\n',
    ],
    ids=["no-header", "email-name", "name-email", "first-last", "username-header", "login"],
)
def test_csv_columns(content: str) -> None:
    roster = from_csv(csv_upload(content))
    assert roster.problems == []
    carol, bob = roster.entries
    assert carol.identifier == "carol@demo.test"
    assert carol.first_and_last_name() == ("Carol", "New")
    assert bob.identifier == "bob@demo.test"
    if "x,bob" not in content:
        assert bob.name == ""


def test_csv_problems_are_keyed_by_file_line() -> None:
    roster = from_csv(csv_upload("email,name\nok@demo.test,Ok\n,Nobody\nCarol New,\n"))
    assert [e.identifier for e in roster.entries] == ["ok@demo.test"]
    assert [(p.position, p.message) for p in roster.problems] == [
        (3, "No address in this row."),
        (4, "'Carol New' has no email address."),
    ]


def test_exactly_one_source() -> None:
    with pytest.raises(ApplicationError) as info:
        parse_roster_input({"users": ["a@demo.test"], "text": "b@demo.test"})
    assert set(info.value.fields) == {"users", "text"}


# --- Properties -----------------------------------------------------------------------------

_local = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,20}[a-z0-9]", fullmatch=True).filter(
    lambda s: ".." not in s
)
_addresses = st.builds(lambda local, host: f"{local}@{host}.edu", _local, st.sampled_from("xyz"))
_separators = st.sampled_from([",", ", ", ";", " ; ", " ", "\t", "\n", "\r\n", ",\n"])
_name_words = st.from_regex(r"[A-Z][a-zà-ÿ'-]{0,12}", fullmatch=True)


@given(st.lists(st.tuples(_addresses, _separators), min_size=1, max_size=20))
def test_addresses_with_any_separators_are_read_in_order(
    pairs: list[tuple[str, str]],
) -> None:
    text = "".join(address + separator for address, separator in pairs)
    roster = from_text(text)
    assert roster.problems == []
    assert [entry.identifier for entry in roster.entries] == [address for address, _ in pairs]


@given(st.lists(_name_words, min_size=1, max_size=4), _addresses, st.booleans())
def test_a_display_name_stays_with_its_address(
    words: list[str], address: str, quoted: bool
) -> None:
    name = " ".join(words)
    line = f'"{name}" <{address}>' if quoted else f"{name} <{address}>"
    assert read(f"first@x.edu, {line}; last@y.edu") == [
        ("first@x.edu", ""),
        (address, name),
        ("last@y.edu", ""),
    ]


@given(st.text(max_size=200))
def test_any_text_is_read_or_refused_by_line_never_crashes(text: str) -> None:
    roster = from_text(text)
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for entry in roster.entries:
        assert 1 <= entry.position <= len(lines)
        assert entry.identifier and not any(ch.isspace() for ch in entry.identifier)
        assert entry.identifier in lines[entry.position - 1]
    for problem in roster.problems:
        assert 1 <= problem.position <= len(lines)
        assert problem.message
