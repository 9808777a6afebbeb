"""C signatures staff write for C questions: what parses (and how it is normalized), what is
refused and why, and which test-case values fit."""

from typing import Any

import pytest

from autograder.eipl.c_signature import (
    CSignatureError,
    args_check,
    call_text,
    expected_check,
    expected_for_check,
    signature_parse,
)


@pytest.mark.parametrize(
    ("text", "prototype", "kinds"),
    [
        ("int add(int a, int b)", "int add(int a, int b)", ["int", "int"]),
        ("  int   add ( int a ,int b ) ; ", "int add(int a, int b)", ["int", "int"]),
        (
            "double mean(const double *xs, int n)",
            "double mean(const double *xs, int n)",
            ["double[]", "length"],
        ),
        ("int sum(int xs[], int n)", "int sum(int *xs, int n)", ["int[]", "length"]),
        ("char *shout(const char *s)", "char *shout(const char *s)", ["string"]),
        ("const char* name(void)", "const char *name(void)", []),
        ("int zero()", "int zero(void)", []),
        ("bool odd(long long int x)", "bool odd(long long x)", ["long long"]),
        ("_Bool f(long int x, float y, char c)", "bool f(long x, float y, char c)",
         ["long", "float", "char"]),
    ],
)  # fmt: skip
def test_supported_signatures_parse_and_are_normalized(
    text: str, prototype: str, kinds: list[str]
) -> None:
    signature = signature_parse(text)
    assert signature.prototype() == prototype
    assert [p.kind for p in signature.params] == kinds


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "Give the function's C signature"),
        ("add(int a, int b)", "needs a type and a name"),
        ("void show(int a)", "void is not supported"),
        ("int f(unsigned int a)", "unsigned is not supported"),
        ("int f(size_t n)", "size_t is not supported"),
        ("int f(string s)", "unknown type 'string'"),
        ("int f(int)", "needs a type and a name"),
        ("int f(long *xs, int n)", "long * is not supported"),
        ("int f(char **argv)", "pointers to pointers"),
        ("int *range(int n)", "must return a scalar or a string"),
        ("double mean(const double *xs)", "must be followed by its length"),
        ("double mean(const double *xs, double n)", "must be followed by its length"),
        ("int f(int a, int a)", "its own name"),
        ("int f(int a,, int b)", "missing between two commas"),
        ("int f(int a); int g(int b)", "one prototype"),
        ("int f(int a) { return a; }", "Write only the prototype"),
        ("int f(int return)", "C keyword"),
        ("int f(" + ", ".join(f"int a{i}" for i in range(13)) + ")", "at most 12 parameters"),
        ("int f(" + ", ".join(f"int a{i}" for i in range(60)) + ")", "300 characters"),
    ],
)
def test_unsupported_signatures_are_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(CSignatureError) as refused:
        signature_parse(text)
    assert reason in str(refused.value)


@pytest.mark.parametrize(
    ("text", "args", "problem"),
    [
        ("int add(int a, int b)", [1, 2], None),
        ("int add(int a, int b)", [1], "gives 1 arguments; int add(int a, int b) takes 2"),
        ("int add(int a, int b)", [1, 2**31], "argument 2 (b) must be a whole number"),
        ("int add(int a, int b)", [1, 2.5], "argument 2 (b) must be a whole number"),
        ("int add(int a, int b)", [True, 2], "argument 1 (a) must be a whole number"),
        ("long f(long a)", [-(2**63)], None),
        ("long f(long a)", [2**63], "from -9223372036854775808 to 9223372036854775807"),
        ("double f(double a)", [3], None),
        ("double f(double a)", ["3"], "must be a number (double)"),
        ("float f(float a)", [1e39], "finite number a float can hold"),
        ("bool f(bool a)", [1], "must be true or false"),
        ("char f(char c)", ["ab"], "one ASCII character"),
        ("char f(char c)", ["é"], "one ASCII character"),
        ("char *f(char *s)", [5], "must be a string"),
        ("double mean(const double *xs, int n)", [[1, 2.5]], None),
        ("double mean(const double *xs, int n)", [[1, 2], 2], "length is not given"),
        ("int sum(const int *xs, int n)", [[1, 2.5]], "argument 1 (xs) item 1 must be a whole"),
        ("int sum(const int *xs, int n)", [5], "must be a list of int values"),
    ],
)
def test_arguments_must_fit_the_signature(text: str, args: list[Any], problem: str | None) -> None:
    found = args_check(signature_parse(text), args)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found, found


@pytest.mark.parametrize(
    ("text", "expected", "fits"),
    [
        ("int f(void)", 3, True),
        ("int f(void)", "3", False),
        ("double f(void)", 0.5, True),
        ("bool f(void)", False, True),
        ("bool f(void)", 0, False),
        ("char *f(void)", None, True),
        ("char *f(void)", "HI", True),
        ("char f(void)", "x", True),
    ],
)
def test_an_expected_value_the_function_can_never_return_is_refused(
    text: str, expected: Any, fits: bool
) -> None:
    assert (expected_check(signature_parse(text), expected) is None) is fits


def test_a_float_result_is_compared_at_float_precision() -> None:
    """A float cannot hold 1/3 to 1e-9: the expected value becomes the float the harness
    prints (the shortest decimal that reads back as the same float)."""
    assert expected_for_check(signature_parse("float f(void)"), 1 / 3) == 0.33333334
    assert expected_for_check(signature_parse("float f(void)"), 0.1) == 0.1
    assert expected_for_check(signature_parse("double f(void)"), 1 / 3) == 1 / 3


def test_calls_are_shown_as_c_writes_them() -> None:
    mean = signature_parse("double mean(const double *xs, int n)")
    assert call_text(mean, [[1.5, 2]]) == "mean({1.5, 2}, 2)"
    shout = signature_parse("char *shout(const char *s, char c, bool loud)")
    assert call_text(shout, ['say "hi"', "'", True]) == 'shout("say \\"hi\\"", \'\\\'\', true)'
