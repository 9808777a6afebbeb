# ruff: noqa: E501  (shell scripts inside bytes literals keep their lines whole)
"""Autograders written in Gradescope's and PrairieLearn's formats, as staff would upload them.
They need only what the default sandbox image has (Debian's python3, gcc, diffutils)."""

import io
import zipfile

GS_SETUP = b"""#!/usr/bin/env bash
# Runs as root at image build time, from /autograder/source (as on Gradescope).
set -e
mkdir -p /autograder/source/built
python3 -c 'print(6 * 7)' > /autograder/source/built/answer.txt
"""

GS_RUN_AUTOGRADER = b"""#!/usr/bin/env bash
mkdir -p /autograder/results
cp /autograder/submission/calc.py /autograder/source/
cd /autograder/source && python3 run_tests.py > /autograder/results/results.json
echo "graded in $(pwd)"
"""

GS_RUN_TESTS = b'''"""A unittest runner that writes Gradescope's results.json (as gradescope-utils does)."""
import json, sys, unittest

class Result(unittest.TextTestResult):
    tests = []
    def _add(self, test, passed, output=""):
        method = getattr(test, test._testMethodName)
        weight = getattr(method, "__weight__", 1)
        self.tests.append({"name": test._testMethodName, "max_score": weight,
                           "score": weight if passed else 0, "output": output,
                           "visibility": getattr(method, "__visibility__", "visible")})
    def addSuccess(self, test):
        super().addSuccess(test); self._add(test, True)
    def addFailure(self, test, err):
        super().addFailure(test, err); self._add(test, False, str(err[1]))
    def addError(self, test, err):
        super().addError(test, err); self._add(test, False, str(err[1]))

suite = unittest.defaultTestLoader.discover(".", pattern="test_*.py")
unittest.TextTestRunner(stream=sys.stderr, resultclass=Result).run(suite)
print(json.dumps({"tests": Result.tests}))
'''

GS_TESTS = b"""import unittest

def weight(w):
    def deco(f):
        f.__weight__ = w
        return f
    return deco

class TestCalc(unittest.TestCase):
    @weight(2)
    def test_add(self):
        import calc
        self.assertEqual(calc.add(2, 3), 5)

    @weight(3)
    def test_mul(self):
        import calc
        self.assertEqual(calc.mul(2, 3), 6)

    @weight(1)
    def test_setup_ran_at_build(self):
        with open("built/answer.txt") as f:
            self.assertEqual(f.read(), "42\\n")
"""

CALC = b"def add(a, b):\n    return a + b\n\ndef mul(a, b):\n    return a + b  # wrong\n"

GS_C_RUN_AUTOGRADER = b"""#!/usr/bin/env bash
# Compiles the submission and diffs its output on each input with the expected output.
mkdir -p /autograder/results
cd /autograder/source
if ! gcc -o /tmp/prog /autograder/submission/main.c 2>/tmp/cc.txt; then
  python3 -c 'import json; print(json.dumps({"score": 0, "output": open("/tmp/cc.txt").read()}))' \\
    > /autograder/results/results.json
  exit 0
fi
tests=""
for n in 1 2; do
  /tmp/prog < tests/in$n.txt > /tmp/out$n.txt
  if diff -u tests/out$n.txt /tmp/out$n.txt > /tmp/diff$n.txt
  then s=1; st=passed; else s=0; st=failed; fi
  out=$(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read()))' /tmp/diff$n.txt)
  tests="$tests{\\"name\\": \\"case $n\\", \\"score\\": $s, \\"max_score\\": 1, \\"status\\": \\"$st\\", \\"output\\": $out},"
done
echo "{\\"tests\\": [${tests%,}]}" > /autograder/results/results.json
"""

SUM_C = b"""#include <stdio.h>
int main(void) { int a, b; if (scanf("%d %d", &a, &b) != 2) return 1;
  printf("%d\\n", a + b + (a > 3)); return 0; }
"""
"""Right on `1 2`, wrong on `5 5`."""

PL_RUN = b"""#!/usr/bin/env bash
mkdir -p /grade/results
if ! gcc -o /tmp/prog /grade/student/main.c 2>/tmp/cc.txt; then
  msg=$(python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))' < /tmp/cc.txt)
  echo "{\\"gradable\\": false, \\"message\\": $msg}" > /grade/results/results.json; exit 0
fi
points=0; tests=""
for n in 1 2; do
  /tmp/prog < /grade/tests/in$n.txt > /tmp/out$n.txt
  if diff -q /tmp/out$n.txt /grade/tests/out$n.txt > /dev/null
  then p=1; points=$((points+1)); else p=0; fi
  tests="$tests{\\"name\\": \\"case $n\\", \\"points\\": $p, \\"max_points\\": 1},"
done
score=$(python3 -c "print($points/2)")
echo "{\\"gradable\\": true, \\"score\\": $score, \\"tests\\": [${tests%,}]}" > /grade/results/results.json
"""


def make_zip(files: dict[str, bytes], *, executable: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100755 if name in executable else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


def gradescope_python_zip() -> bytes:
    return make_zip(
        {
            "setup.sh": GS_SETUP,
            "run_autograder": GS_RUN_AUTOGRADER,
            "run_tests.py": GS_RUN_TESTS,
            "test_calc.py": GS_TESTS,
        }
    )


def gradescope_c_zip() -> bytes:
    return make_zip(
        {
            "setup.sh": b"#!/bin/sh\ntrue\n",
            "run_autograder": GS_C_RUN_AUTOGRADER,
            "tests/in1.txt": b"1 2\n",
            "tests/out1.txt": b"3\n",
            "tests/in2.txt": b"5 5\n",
            "tests/out2.txt": b"10\n",
        },
        executable=("run_autograder",),
    )


def prairielearn_c_zip() -> bytes:
    return make_zip(
        {
            "run.sh": PL_RUN,
            "in1.txt": b"1 2\n",
            "out1.txt": b"3\n",
            "in2.txt": b"5 5\n",
            "out2.txt": b"10\n",
        }
    )
