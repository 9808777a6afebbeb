"""Fuzzes every operation of the OpenAPI schema as anonymous, student, staff and admin with
Schemathesis (`st run`), then prints requests and 5xx per role.

Each role has its own seeded course (`fuzz.seed`), its own share of the time budget, and two
passes: first every operation except those that destroy the seeded world (deletes, replacing
a roster), then those alone, so a project deleted early can't turn the rest of the run into
404s. Exits non-zero when any pass fails a check or the server answered any 5xx.

Usage (from autograder-server/, with a server running):
    python -m fuzz.run --base-url http://127.0.0.1:8000 --seed seed.json --report-dir DIR
FUZZ_BUDGET_SECONDS (default 160) is the total time for all roles' fuzzing; FUZZ_PHASES
(default examples,fuzzing) can add Schemathesis's `coverage` phase (boundary and missing-field
cases for every operation: thorough, but it needs several minutes per role).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROLE_WEIGHTS = {"student": 3, "staff": 3, "admin": 4, "anonymous": 1}
"""Share of the budget: anonymous mostly sees 401s; the admin reaches the most code.
Anonymous goes last: its bad logins and tokens lock 127.0.0.1 out (accounts/throttle.py)."""

DESTRUCTIVE = r"(_destroy|^courses_roster_update)$"
ENDLESS = r"^handgrading_results_events_retrieve$"
"""Streams that never end by themselves (a handgrading result's live events, for a grader):
a request would only wait for the request timeout. The test suite covers them
(tests/handgrading/test_live.py)."""
"""Operation ids that can take the seeded rows (or the role itself) away."""

CHECKS = (
    "not_a_server_error,status_code_conformance,response_schema_conformance,bad_input_names_a_field"
)
"""Schemathesis's checks, and ours from fuzz/hooks.py."""
EXAMPLES_PER_ROUND = 3
"""Examples per operation in one round; rounds repeat until the pass's time is spent, so a
small number reaches every operation first and goes deeper with the time left."""


@dataclass
class RoleResult:
    role: str
    seconds: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    failed_passes: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def count_5xx(self) -> int:
        return sum(n for code, n in self.statuses.items() if code.isdigit() and int(code) >= 500)


def _run_pass(
    *,
    role: str,
    name: str,
    filters: list[str],
    seconds: int,
    args: argparse.Namespace,
    token: str | None,
    result: RoleResult,
) -> None:
    report_dir = Path(args.report_dir)
    stats = report_dir / f"{role}-{name}.stats.json"
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{args.base_url}/api/schema/",
        "--checks",
        CHECKS,
        "--phases",
        os.environ.get("FUZZ_PHASES", "examples,fuzzing"),
        "--max-examples",
        str(EXAMPLES_PER_ROUND),
        "--max-time",
        str(seconds),
        # One worker: with two threads Hypothesis's strategy descriptions (Python's ast, not
        # thread-safe on 3.11) sometimes failed a pass with an internal error.
        "--workers",
        "1",
        "--request-timeout",
        "20",
        "--seed",
        str(args.random_seed),
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "junit",
        "--report-junit-path",
        str(report_dir / f"{role}-{name}.junit.xml"),
        *filters,
    ]
    if token:
        command += ["--header", f"Authorization: Token {token}"]
    env = {
        **os.environ,
        # A file path (not a module name): st runs in the report folder, where it keeps its
        # own cache, so nothing is written into the source tree.
        "SCHEMATHESIS_HOOKS": str(Path(__file__).with_name("hooks.py")),
        "FUZZ_SEED": str(Path(args.seed).resolve()),
        "FUZZ_ROLE": role,
        "FUZZ_STATS": str(stats),
        "FUZZ_RANDOM_SEED": str(args.random_seed),
    }
    log = report_dir / f"{role}-{name}.log"
    with log.open("w") as out:
        code = subprocess.run(
            command, env=env, cwd=report_dir, stdout=out, stderr=subprocess.STDOUT
        ).returncode
    if stats.exists():
        data = json.loads(stats.read_text())
        for status, count in data["statuses"].items():
            result.statuses[status] = result.statuses.get(status, 0) + count
        result.server_errors += data["server_errors"]
    if code != 0:
        result.failed_passes.append(name)
        print(f"---- {role}/{name}: schemathesis exited {code}; its report ({log}):")
        print(_failures_section(log.read_text()))


def _failures_section(text: str) -> str:
    """The FAILURES and ERRORS part of an `st run` report (everything if it has neither)."""
    start = min(
        (i for i in (text.find("= FAILURES ="), text.find("= ERRORS =")) if i >= 0), default=0
    )
    end = text.find("= WARNINGS =", start)
    return text[max(start - 40, 0) : end if end > start else None]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--seed", required=True, help="the JSON printed by fuzz.seed")
    parser.add_argument("--report-dir", required=True)
    parser.add_argument(
        "--random-seed", type=int, default=int(os.environ.get("FUZZ_RANDOM_SEED", "1"))
    )
    args = parser.parse_args()
    Path(args.report_dir).mkdir(parents=True, exist_ok=True)
    seeds = json.loads(Path(args.seed).read_text())
    budget = int(os.environ.get("FUZZ_BUDGET_SECONDS", "160"))
    total_weight = sum(ROLE_WEIGHTS.values())

    results = []
    for role, weight in ROLE_WEIGHTS.items():
        share = max(budget * weight // total_weight, 10)
        result = RoleResult(role)
        started = time.monotonic()
        token = seeds[role]["token"]
        if token is None:
            # Anonymous requests can't destroy anything: one pass over every operation.
            _run_pass(
                role=role,
                name="all",
                filters=[],
                seconds=share,
                args=args,
                token=None,
                result=result,
            )
        else:
            destructive = max(share // 5, 8)
            _run_pass(
                role=role,
                name="main",
                filters=["--exclude-operation-id-regex", f"{DESTRUCTIVE}|{ENDLESS}"],
                seconds=share - destructive,
                args=args,
                token=token,
                result=result,
            )
            _run_pass(
                role=role,
                name="destructive",
                filters=["--include-operation-id-regex", DESTRUCTIVE],
                seconds=destructive,
                args=args,
                token=token,
                result=result,
            )
        result.seconds = time.monotonic() - started
        results.append(result)

    print(f"{'role':<10} {'requests':>8} {'5xx':>5} {'seconds':>8}  statuses")
    for r in results:
        statuses = " ".join(f"{code}:{n}" for code, n in sorted(r.statuses.items()))
        print(f"{r.role:<10} {r.requests:>8} {r.count_5xx:>5} {r.seconds:>8.1f}  {statuses}")
    failed = False
    for r in results:
        for error, times in Counter(r.server_errors).most_common(20):
            print(f"5xx as {r.role} ({times}x): {error}")
        if r.failed_passes or r.count_5xx or r.requests == 0:
            failed = True
    print(
        f"fuzz: {sum(r.requests for r in results)} requests, "
        f"{sum(r.count_5xx for r in results)} 5xx, {'FAILED' if failed else 'passed'}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
