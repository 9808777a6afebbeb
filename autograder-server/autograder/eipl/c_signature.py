"""The C signature of a C EiPL question: what staff may write, and whether a test case's
arguments and expected value fit it.

Staff give the function's prototype (`int add(int a, int b)`); the generated suite's harness
calls the function with each test case's arguments written as C literals and prints what it
returned as JSON. So only types with an obvious JSON counterpart are accepted:

- `int`, `long`, `long long` (whole numbers in the type's 32- or 64-bit range),
  `double`, `float` (numbers), `bool` (true/false, stdbool), `char` (a one-character ASCII
  string);
- `char *` / `const char *`: a string (a JSON string; the function may change its copy);
- `int *`, `double *` (with or without `const`, or written `xs[]`): an array, which must be
  followed by an `int` parameter, its length. A test case gives the array as ONE JSON list
  and no length: `double mean(const double *xs, int n)` is called with `[[1.5, 2.5]]`.

The function returns one of the scalars or a string (`char *`; NULL is JSON null). Pure
Python, no Django: services.py turns `CSignatureError` into a 400 naming the field.
"""

import json
import math
import re
import struct
from dataclasses import dataclass
from typing import Any

MAX_LENGTH = 300
MAX_PARAMS = 12
MAX_ARRAY = 100_000

_RANGES = {
    "int": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
    "long long": (-(2**63), 2**63 - 1),
}
_BASES = {
    "int": "int",
    "long": "long",
    "long int": "long",
    "long long": "long long",
    "long long int": "long long",
    "double": "double",
    "float": "float",
    "bool": "bool",
    "_Bool": "bool",
    "char": "char",
}
_TYPE_WORDS = {"const", "int", "long", "double", "float", "bool", "_Bool", "char"}
_UNSUPPORTED_WORDS = {
    "unsigned",
    "signed",
    "short",
    "void",
    "struct",
    "union",
    "enum",
    "size_t",
    "volatile",
    "static",
    "inline",
}
_C_KEYWORDS = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
    "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
    "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch",
    "typedef", "union", "unsigned", "void", "volatile", "while", "bool", "true", "false",
    "main", "_Bool", "NULL",
}  # fmt: skip
_TOKEN = re.compile(r"[A-Za-z_]\w*|[*(),\[\];]")
_SUPPORTED = (
    "int, long, long long, double, float, bool, char, char * (a string), "
    "or int * / double * followed by an int length"
)


class CSignatureError(ValueError):
    """Not a signature a C question can test (the message says why, for staff)."""


@dataclass(frozen=True)
class CParam:
    type: str
    """As it goes into the prototype, normalized: `const double *`, `long long`."""
    name: str
    kind: str
    """int, long, long long, double, float, bool, char, string, int[], double[] or length
    (the int after an array, which test cases do not give)."""

    def text(self) -> str:
        joiner = "" if self.type.endswith("*") else " "
        return f"{self.type}{joiner}{self.name}"


@dataclass(frozen=True)
class CSignature:
    returns: str
    """The return type as written in the prototype."""
    return_kind: str
    name: str
    params: tuple[CParam, ...]

    def prototype(self) -> str:
        joiner = "" if self.returns.endswith("*") else " "
        params = ", ".join(p.text() for p in self.params) or "void"
        return f"{self.returns}{joiner}{self.name}({params})"

    def arg_params(self) -> list[CParam]:
        """The parameters a test case gives an argument for (not an array's length)."""
        return [p for p in self.params if p.kind != "length"]

    def harness_spec(self) -> dict[str, Any]:
        """What the sandbox's harness needs to call the function (no expected values)."""
        return {
            "prototype": self.prototype(),
            "returns": self.return_kind,
            "params": [{"name": p.name, "kind": p.kind} for p in self.params],
        }


def _declaration(tokens: list[str], *, what: str, allow_array: bool) -> tuple[str, str, str]:
    """(normalized type, name, kind) of `const char *s`, `int xs[]`, `double mean`, …"""
    array = False
    if tokens[-2:] == ["[", "]"]:
        if not allow_array:
            raise CSignatureError(f"{what} cannot be an array.")
        tokens, array = tokens[:-2], True
    if len(tokens) < 2 or not re.fullmatch(r"[A-Za-z_]\w*", tokens[-1]):
        raise CSignatureError(f"{what} needs a type and a name (e.g. int a).")
    name, type_tokens = tokens[-1], tokens[:-1]
    if name in _TYPE_WORDS or name in _UNSUPPORTED_WORDS:
        raise CSignatureError(f"{what} needs a name after its type.")
    if name in _C_KEYWORDS:
        raise CSignatureError(f"{what}: {name!r} is a C keyword, not a name.")
    stars = type_tokens.count("*")
    if stars and type_tokens[-stars:] != ["*"] * stars:
        raise CSignatureError(f"{what}: write the * right before the name ({' '.join(tokens)}).")
    words = type_tokens[: len(type_tokens) - stars]
    for word in words:
        if word in _UNSUPPORTED_WORDS:
            raise CSignatureError(f"{what}: {word} is not supported; use {_SUPPORTED}.")
        if word not in _TYPE_WORDS:
            raise CSignatureError(f"{what}: unknown type {word!r}; use {_SUPPORTED}.")
    const = words.count("const")
    base = _BASES.get(" ".join(w for w in words if w != "const"))
    if base is None or const > 1:
        raise CSignatureError(f"{what}: {' '.join(type_tokens)!r} is not a type it supports.")
    pointers = stars + (1 if array else 0)
    prefix = "const " if const else ""
    if pointers == 0:
        return f"{prefix}{base}", name, base
    if pointers > 1:
        raise CSignatureError(f"{what}: pointers to pointers are not supported.")
    kinds = {"char": "string", "int": "int[]", "double": "double[]"}
    if base not in kinds:
        raise CSignatureError(
            f"{what}: {base} * is not supported; pointers are char * (a string), "
            "int * or double * (an array followed by its int length)."
        )
    return f"{prefix}{base} *", name, kinds[base]


def _split_params(tokens: list[str]) -> list[list[str]]:
    if tokens in ([], ["void"]):
        return []
    params: list[list[str]] = [[]]
    for token in tokens:
        if token == ",":
            params.append([])
        else:
            params[-1].append(token)
    if any(not p for p in params):
        raise CSignatureError("A parameter is missing between two commas.")
    return params


def signature_parse(text: str) -> CSignature:
    """Parses a prototype like `double mean(const double *xs, int n)`; a trailing `;` is
    fine. Raises CSignatureError with the reason."""
    source = text.strip().removesuffix(";").strip()
    if not source:
        raise CSignatureError("Give the function's C signature, e.g. int add(int a, int b).")
    if len(source) > MAX_LENGTH:
        raise CSignatureError(f"Keep the signature to {MAX_LENGTH} characters.")
    tokens = _TOKEN.findall(source)
    if "".join(tokens) != re.sub(r"\s+", "", source):
        raise CSignatureError(
            "Write only the prototype: types, names, * , ( ) and commas (e.g. int add(int a, "
            "int b))."
        )
    if tokens.count("(") != 1 or tokens.count(")") != 1 or tokens[-1] != ")" or ";" in tokens:
        raise CSignatureError("Write one prototype: return type, name, (parameters).")
    opening = tokens.index("(")
    returns, name, return_kind = _declaration(
        tokens[:opening], what="The return type", allow_array=False
    )
    if return_kind in ("int[]", "double[]"):
        raise CSignatureError(
            "The function must return a scalar or a string (char *); an array's length would "
            "be unknown."
        )
    params: list[CParam] = []
    raw = _split_params(tokens[opening + 1 : -1])
    if len(raw) > MAX_PARAMS:
        raise CSignatureError(f"Give at most {MAX_PARAMS} parameters.")
    for number, declaration in enumerate(raw, start=1):
        ctype, pname, kind = _declaration(declaration, what=f"Parameter {number}", allow_array=True)
        after_array = bool(params) and params[-1].kind in ("int[]", "double[]")
        if after_array:
            if kind != "int":
                raise CSignatureError(
                    f"The array {params[-1].name} must be followed by its length, an int "
                    f"parameter (e.g. {params[-1].text()}, int n)."
                )
            kind = "length"
        params.append(CParam(type=ctype, name=pname, kind=kind))
    if params and params[-1].kind in ("int[]", "double[]"):
        raise CSignatureError(
            f"The array {params[-1].name} must be followed by its length, an int parameter "
            f"(e.g. {params[-1].text()}, int n)."
        )
    names = [p.name for p in params]
    if len(set(names)) != len(names) or name in names:
        raise CSignatureError("Give each parameter its own name, other than the function's.")
    return CSignature(returns=returns, return_kind=return_kind, name=name, params=tuple(params))


def _value_problem(kind: str, value: Any) -> str | None:
    """Why `value` (from JSON) cannot be a C value of `kind`; None when it can."""
    if kind in _RANGES:
        low, high = _RANGES[kind]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return f"must be a whole number from {low} to {high} ({kind})"
        return None
    if kind in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"must be a number ({kind})"
        limit = 3.4028234663852886e38 if kind == "float" else math.inf
        if not math.isfinite(value) or abs(value) > limit:
            return f"must be a finite number a {kind} can hold"
        return None
    if kind == "bool":
        return None if isinstance(value, bool) else "must be true or false (bool)"
    if kind == "char":
        if not isinstance(value, str) or len(value) != 1 or not 0 < ord(value) < 128:
            return 'must be one ASCII character as a string, e.g. "a" (char)'
        return None
    if kind == "string":
        if not isinstance(value, str) or "\x00" in value:
            return "must be a string (char *)"
        return None
    element = kind.removesuffix("[]")
    if not isinstance(value, list) or len(value) > MAX_ARRAY:
        return f"must be a list of {element} values (its length is passed for you)"
    for index, item in enumerate(value):
        problem = _value_problem(element, item)
        if problem:
            return f"item {index} {problem}"
    return None


def args_check(signature: CSignature, args: list[Any]) -> str | None:
    """Why these arguments do not fit the signature (None: they do)."""
    params = signature.arg_params()
    if len(args) != len(params):
        lengths = (
            " (an array's length is not given: it is passed for you)"
            if any(p.kind.endswith("[]") for p in params)
            else ""
        )
        return f"gives {len(args)} arguments; {signature.prototype()} takes {len(params)}{lengths}"
    for number, (param, value) in enumerate(zip(params, args, strict=True), start=1):
        problem = _value_problem(param.kind, value)
        if problem:
            return f"argument {number} ({param.name}) {problem}"
    return None


def expected_check(signature: CSignature, expected: Any) -> str | None:
    """Why the expected value can never be what the function returns (None: it can be)."""
    if signature.return_kind == "string" and expected is None:
        return None  # NULL
    problem = _value_problem(signature.return_kind, expected)
    return f"expected value {problem}" if problem else None


def float32(value: float) -> float:
    """The shortest decimal that reads back as the same 32-bit float as `value`: what the
    harness prints for a float result, so a float-returning question compares like that."""
    single = struct.unpack("f", struct.pack("f", value))[0]
    for digits in range(1, 10):
        text = f"{single:.{digits}g}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            return float(text)
    return float(single)


def expected_for_check(signature: CSignature, expected: Any) -> Any:
    """The expected value the grader compares with: a float result is compared as a float."""
    if signature.return_kind == "float":
        return float32(float(expected))
    return expected


def _shown(kind: str, value: Any) -> str:
    if kind in ("int[]", "double[]"):
        element = kind.removesuffix("[]")
        return "{" + ", ".join(_shown(element, v) for v in value) + "}"
    if kind == "char":
        return "'\\''" if value == "'" else "'" + json.dumps(value)[1:-1] + "'"
    return json.dumps(value, ensure_ascii=False)


def call_text(signature: CSignature, args: list[Any]) -> str:
    """The call as C would read it, for the test's name: `mean({1.5, 2.5}, 2)`."""
    shown: list[str] = []
    values = iter(args)
    last: Any = None
    for param in signature.params:
        if param.kind == "length":
            shown.append(str(len(last)))
            continue
        last = next(values)
        shown.append(_shown(param.kind, last))
    return f"{signature.name}({', '.join(shown)})"
