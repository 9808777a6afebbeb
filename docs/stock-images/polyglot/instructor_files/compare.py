"""Runs both students' programs for n = 0..30 against a reference in Python."""

import subprocess
import sys


def fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


failed = 0
for program in ("./fib-go", "./fib-hs"):
    for n in range(31):
        out = subprocess.run([program, str(n)], capture_output=True, text=True).stdout.strip()
        if out != str(fib(n)):
            print(f"{program} {n}: expected {fib(n)}, got {out!r}")
            failed += 1
sys.exit(1 if failed else 0)
