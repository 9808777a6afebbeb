"""`param` fields become environment variables only when they can't change the sandbox's own
environment."""

import pytest

from autograder.common.errors import ApplicationError
from autograder.integrations.runner.params import MAX_PARAMS, params_parse


def test_names_and_values_are_kept_as_given() -> None:
    assert params_parse(["LANGUAGE_LEVEL=2", "greeting=a=b c", "EMPTY="]) == {
        "LANGUAGE_LEVEL": "2",
        "greeting": "a=b c",
        "EMPTY": "",
    }


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("PATH=/tmp/evil", "sandbox's own environment"),
        ("home=/tmp", "sandbox's own environment"),
        ("LD_PRELOAD=/tmp/x.so", "sandbox's own environment"),
        ("PYTHONPATH=/tmp", "sandbox's own environment"),
        ("LC_ALL=C", "sandbox's own environment"),
        ("AG_SECRET=1", "sandbox's own environment"),
        ("BASH_ENV=/tmp/x", "sandbox's own environment"),
        ("NOEQUALS", "is not NAME=VALUE"),
        ("1ABC=x", "is not a variable name"),
        ("A-B=x", "is not a variable name"),
        ("=x", "is not a variable name"),
        ("A=x\0y", "NUL byte"),
        ("A=" + "x" * 5000, "over 4096"),
    ],
)
def test_bad_params_are_refused_naming_the_field(raw: str, reason: str) -> None:
    with pytest.raises(ApplicationError) as refused:
        params_parse([raw])
    assert list(refused.value.fields) == ["param"]
    assert reason in refused.value.message


def test_a_name_given_twice_or_too_many_params_are_refused() -> None:
    with pytest.raises(ApplicationError, match="given twice"):
        params_parse(["A=1", "A=2"])
    with pytest.raises(ApplicationError, match=f"At most {MAX_PARAMS}"):
        params_parse([f"V{i}=x" for i in range(MAX_PARAMS + 1)])
