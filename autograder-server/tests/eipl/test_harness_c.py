"""The C harness in a real sandbox (the default image: gcc and python3): each supported type
goes in as a C literal and comes back as the JSON line the grader compares, and whatever goes
wrong with a generation (gcc's first error, a crash, a time limit) is a line starting with
`!`, one line per generation, in order."""

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autograder.eipl.c_signature import signature_parse
from autograder.sandbox.docker_backend import DockerBackend, DockerSandbox
from autograder.sandbox.interface import ContainerSpec, Limits, Outcome, Owner, PutFile

pytestmark = pytest.mark.slow

IMAGE = os.environ.get("AG_SANDBOX_TEST_IMAGE", "ag-sandbox-default:latest")
HARNESS = (Path(__file__).parents[2] / "autograder" / "eipl" / "harness_c.txt").read_bytes()
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def sandbox() -> Iterator[DockerSandbox]:
    backend = DockerBackend()
    sb = backend.create(
        IMAGE, ContainerSpec(memory_bytes=512 * MiB, pids=128, workdir_bytes=64 * MiB)
    )
    try:
        yield sb
    finally:
        sb.release()


def run_harness(
    sandbox: DockerSandbox, prototype: str, sources: list[str], args: list[Any]
) -> tuple[list[str], str]:
    """Runs the harness over generated files with these sources; (stdout lines, stderr)."""
    signature = signature_parse(prototype)
    files = [f"solution{'' if k == 1 else f'_{k}'}.c" for k in range(1, len(sources) + 1)]
    cases = {
        "function_name": signature.name,
        "files": files,
        **signature.harness_spec(),
        "cases": [{"args": args}],
    }
    sandbox.run(["sh", "-c", "rm -f solution*.c"], limits=Limits(timeout_s=10))
    sandbox.put_files(
        [
            PutFile("eipl_harness_c.py", HARNESS, owner=Owner.ROOT),
            PutFile("eipl_cases.json", json.dumps(cases).encode(), owner=Owner.ROOT),
            *(PutFile(name, source.encode()) for name, source in zip(files, sources, strict=True)),
        ]
    )
    result = sandbox.run(["python3", "eipl_harness_c.py", "0"], limits=Limits(timeout_s=80))
    assert (result.outcome, result.exit_code) == (Outcome.EXITED, 0), result
    return result.stdout.decode().splitlines(), result.stderr.decode()


@pytest.mark.parametrize(
    ("prototype", "body", "args", "line"),
    [
        ("int add(int a, int b)", "return a + b;", [2147483647, -2147483648], "-1"),
        ("long long same(long long x)", "return x;", [-(2**63)], str(-(2**63))),
        ("long twice(long x)", "return 2 * x;", [2**40], str(2**41)),
        (
            "double mean(const double *xs, int n)",
            "double s = 0; for (int i = 0; i < n; i++) s += xs[i]; return s / n;",
            [[0.1, 0.2]],
            "0.15000000000000002",
        ),
        (
            "double mean(const double *xs, int n)",
            "double s = 0; for (int i = 0; i < n; i++) s += xs[i]; return s / n;",
            [[]],
            "NaN",
        ),
        ("double tenth(void)", "return 0.1;", [], "0.1"),
        ("float third(float x)", "return x / 3;", [1], "0.33333334"),
        ("bool is_even(int n)", "return n % 2 == 0;", [4], "true"),
        ("char first(const char *s)", "return s[0];", ['"?'], json.dumps('"')),
        (
            "char *shout(char *s)",
            "for (char *c = s; *c; c++) if (*c >= 'a' && *c <= 'z') *c -= 32; return s;",
            ['héllo "??/" \\ \n\t'],
            json.dumps('HéLLO "??/" \\ \n\t'),
        ),
        ("const char *nothing(void)", "return NULL;", [], "null"),
        (
            "int sum(int xs[], int n)",
            "int s = 0; for (int i = 0; i < n; i++) s += xs[i]; return s;",
            [[1, 2, 3, -4]],
            "2",
        ),
        ("int code(char c, bool up)", "return up ? c - 32 : c;", ["a", True], "65"),
    ],
)
def test_each_type_goes_in_as_c_and_comes_back_as_json(
    sandbox: DockerSandbox, prototype: str, body: str, args: list[Any], line: str
) -> None:
    source = f"#include <stddef.h>\n{prototype} {{\n    {body}\n}}\n"

    lines, stderr = run_harness(sandbox, prototype, [source], args)

    assert lines == [line], stderr
    assert f"generation 1 (solution.c): {signature_parse(prototype).name}(" in stderr


GOOD = "int add(int a, int b) { return a + b; }\n"


def test_a_line_per_generation_says_what_went_wrong(sandbox: DockerSandbox) -> None:
    sources = [
        GOOD,
        "int add(int a, int b) {\n    return a +\n}\n",
        "int add(int a, int b) { int *p = 0; return *p; }\n",
        "long add(long a, long b) { return a + b; }\n",
        "int plus(int a, int b) { return a + b; }\n",
        "#include <stdlib.h>\nint add(int a, int b) { exit(3); }\n",
        "int add(int a, int b) { for (;;) {} }\n",
        # Its own main and output: neither gets in the way.
        '#include <stdio.h>\nint add(int a, int b) { printf("5\\n"); return a + b; }\n'
        "int main(void) { return add(1, 1); }\n",
    ]

    lines, stderr = run_harness(sandbox, "int add(int a, int b)", sources, [1, 2])

    assert len(lines) == len(sources), (lines, stderr)
    assert lines[0] == "3"
    assert lines[1].startswith("!compile error: solution_2.c:3:1: error: expected expression")
    assert lines[2] == "!crashed (SIGSEGV)"
    assert lines[3].startswith("!compile error: solution_4.c:1:6: error: conflicting types")
    assert lines[4].startswith("!compile error:") and "undefined reference to `add'" in lines[4]
    assert lines[5] == "!ended with exit status 3 before returning"
    assert lines[6] == "!took longer than 10 s"
    assert lines[7] == "3"
    # gcc's own words, for people, on stderr.
    assert "generation 2 (solution_2.c): add(1, 2) compile error:" in stderr
    assert "previous declaration of 'add'" in stderr
