"""Mutation testing benchmark: one submission's 20 student tests against 30 buggy
implementations, graded our way and autograder.io's way on the same machine and image.

The project is `mutation_project.py` (a small C library, its 30 buggy implementations linked
into one test binary by the setup command, and a student's 20 tests, one of them invalid).
Both sides do the same work, command for command, as autograder.io's mutation suites do it:
setup (compile), list the test names, check each test against the correct implementation,
then for each buggy implementation run the valid tests one at a time until one fails.

- ours: `grading.mutation.runner.mutation_run_in` in one sandbox from a warm pool
  (`DockerPoolManager`), files reset (`Sandbox.restore`) before every run; timed from
  acquiring the sandbox to releasing it, files put in included.
- autograder_sandbox: the `autograder-sandbox==6.0.0` package (autograder.io's sandbox), run
  by a throwaway virtualenv's Python (`--agsb-python`, default /tmp/mut-agsb-venv/bin/python;
  make it with `python3 -m venv /tmp/mut-agsb-venv && /tmp/mut-agsb-venv/bin/pip install
  autograder-sandbox==6.0.0`), one `docker exec` per command as autograder.io does, in one
  container per suite; timed from entering its context manager (docker create, start, copy
  its runner in) to leaving it (docker stop, rm), which is what grading a submission waits
  for there. `autograder_sandbox_runs_s` is the part spent in the commands alone.

Both must find the same exposed bugs, or the comparison is void (`bugs_exposed_equal`).
Without the package the autograder-sandbox side is skipped and `skipped` says why.

    cd autograder-server && ../.venv/bin/python benchmarks/mutation_bench.py --json

Progress goes to stderr; the last line on stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import mutation_project as project  # noqa: E402

TARGET_RATIO = 10.0
TIME_LIMIT_S = 10

THEIRS = r"""
import json, os, sys, tempfile, time
from autograder_sandbox import AutograderSandbox

spec = json.load(sys.stdin)
results = []
for index in range(spec["submissions"]):
    with tempfile.TemporaryDirectory() as d:
        def write(files):
            paths = []
            for name, text in files.items():
                path = os.path.join(d, name)
                with open(path, "w") as f:
                    f.write(text)
                paths.append(path)
            return paths
        student = write(spec["student_files"])
        instructor = write(spec["instructor_files"])
        runs = 0
        def run(sandbox, cmd):
            global runs
            runs += 1
            return sandbox.run_command(
                ["bash", "-c", cmd], timeout=spec["time_limit"],
                truncate_stdout=spec["cap"], truncate_stderr=spec["cap"],
            )
        start = time.perf_counter()
        with AutograderSandbox(
            name=f"{spec['name']}-{index}", docker_image=spec["image"],
            allow_network_access=False,
        ) as sandbox:
            sandbox.add_files(*student)
            sandbox.add_files(*instructor, owner="root", read_only=True)
            runs_start = time.perf_counter()
            setup = run(sandbox, spec["setup"])
            assert setup.return_code == 0, setup.stderr.read()
            names = run(sandbox, spec["names"]).stdout.read().decode().split()
            valid = []
            for name in names:
                check = run(sandbox, spec["validity"].replace("${student_test_name}", name))
                if check.return_code == 0 and not check.timed_out:
                    valid.append(name)
            exposed = []
            for bug in spec["bugs"]:
                for name in valid:
                    cmd = spec["grade"].replace("${buggy_impl_name}", bug)
                    graded = run(sandbox, cmd.replace("${student_test_name}", name))
                    if graded.return_code != 0 or graded.timed_out:
                        exposed.append(bug)
                        break
            runs_s = time.perf_counter() - runs_start
        results.append({"total_s": time.perf_counter() - start, "runs_s": runs_s,
                        "bugs_exposed": exposed, "commands": runs})
print(json.dumps(results))
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ours(image: str, submissions: int) -> list[dict[str, Any]]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autograder.settings")
    os.environ.setdefault("AG_DATA_DIR", tempfile.mkdtemp(prefix="mut-bench-"))
    import django

    django.setup()
    from autograder.grading.mutation.models import MutationSuiteResult, MutationTestSuite
    from autograder.grading.mutation.runner import mutation_run_in
    from autograder.sandbox import ContainerSpec, Owner, PutFile
    from autograder.sandbox.docker_pool import DockerPoolManager

    suite = MutationTestSuite(  # unsaved: the runner reads only its settings
        name="bench",
        buggy_impl_names=project.BUG_NAMES,
        setup_command=project.SETUP_COMMAND,
        get_student_test_names_command=project.TEST_NAMES_COMMAND,
        validity_check_command=project.VALIDITY_COMMAND,
        grade_buggy_impl_command=project.GRADE_COMMAND,
        validity_time_limit_s=TIME_LIMIT_S,
        grade_time_limit_s=TIME_LIMIT_S,
        max_num_student_tests=25,
    )
    files = [PutFile(path=n, content=c) for n, c in project.student_files().items()]
    files += [
        PutFile(path=n, content=c, owner=Owner.ROOT) for n, c in project.instructor_files().items()
    ]
    provider = DockerPoolManager(pool_size=1)
    spec = ContainerSpec()
    provider.pool(image, spec).wait_warm()
    found = []
    try:
        for index in range(submissions + 1):  # the first warms up caches and is not counted
            result = MutationSuiteResult(suite_name="bench")
            start = time.perf_counter()
            sandbox = provider.acquire(image, spec)
            try:
                sandbox.put_files(files)
                mutation_run_in(sandbox, suite=suite, result=result)
            finally:
                sandbox.release()
            elapsed = time.perf_counter() - start
            if result.setup_return_code != 0:
                raise SystemExit(f"setup failed: {bytes(result.setup_stderr).decode()}")
            log(f"ours #{index}: {elapsed:.2f} s, {len(result.bugs_exposed)} bugs exposed")
            if index:
                found.append(
                    {
                        "total_s": elapsed,
                        "bugs_exposed": list(result.bugs_exposed),
                        "invalid_tests": list(result.invalid_tests),
                    }
                )
            provider.pool(image, spec).wait_warm()
    finally:
        provider.close()
    return found


def theirs(python: str, image: str, submissions: int) -> list[dict[str, Any]] | str:
    """Their runs, or why they could not be made."""
    if not Path(python).exists():
        return f"{python} not found: install autograder-sandbox==6.0.0 into a venv there"
    check = subprocess.run(
        [python, "-c", "import autograder_sandbox"], capture_output=True, text=True
    )
    if check.returncode != 0:
        return f"autograder_sandbox does not import in {python}: {check.stderr.strip()[-300:]}"
    spec = {
        "submissions": submissions,
        "name": f"mut-bench-agsb-{uuid.uuid4().hex[:8]}",
        "image": image,
        "student_files": {n: c.decode() for n, c in project.student_files().items()},
        "instructor_files": {n: c.decode() for n, c in project.instructor_files().items()},
        "setup": project.SETUP_COMMAND,
        "names": project.TEST_NAMES_COMMAND,
        "validity": project.VALIDITY_COMMAND,
        "grade": project.GRADE_COMMAND,
        "bugs": project.BUG_NAMES,
        "time_limit": TIME_LIMIT_S,
        "cap": 256 * 1024,
    }
    log(f"autograder-sandbox: {submissions} submission(s), one docker exec per command ...")
    done = subprocess.run(
        [python, "-c", THEIRS], input=json.dumps(spec), capture_output=True, text=True
    )
    if done.returncode != 0:
        return f"the autograder-sandbox run failed: {done.stderr.strip()[-500:]}"
    runs: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    for index, run in enumerate(runs):
        log(
            f"autograder-sandbox #{index}: {run['total_s']:.2f} s "
            f"({run['runs_s']:.2f} s in commands)"
        )
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON line on stdout")
    parser.add_argument(
        "--image", default=os.environ.get("AG_SANDBOX_IMAGE", "ag-sandbox-default:latest")
    )
    parser.add_argument("--submissions", type=int, default=3, help="timed submissions per side")
    parser.add_argument("--agsb-python", default="/tmp/mut-agsb-venv/bin/python")
    args = parser.parse_args()

    our_runs = ours(args.image, args.submissions)
    their_runs = theirs(args.agsb_python, args.image, args.submissions)
    ours_s = statistics.mean(r["total_s"] for r in our_runs)
    bugs = our_runs[0]["bugs_exposed"]
    result: dict[str, Any] = {
        "benchmark": "mutation",
        "student_tests": 20,
        "buggy_impls": len(project.BUG_NAMES),
        "submissions": args.submissions,
        "image": args.image,
        "ours_s": round(ours_s, 3),
        "bugs_exposed": len(bugs),
        "invalid_tests": our_runs[0]["invalid_tests"],
        "target_ratio": TARGET_RATIO,
    }
    if isinstance(their_runs, str):
        result.update({"autograder_sandbox_s": None, "ratio": None, "skipped": their_runs})
    else:
        theirs_s = statistics.mean(r["total_s"] for r in their_runs)
        equal = all(r["bugs_exposed"] == bugs for r in their_runs + our_runs)
        result.update(
            {
                "autograder_sandbox_s": round(theirs_s, 3),
                "autograder_sandbox_runs_s": round(
                    statistics.mean(r["runs_s"] for r in their_runs), 3
                ),
                "commands_per_submission": their_runs[0]["commands"],
                "ratio": round(theirs_s / ours_s, 2) if equal else None,
                "bugs_exposed_equal": equal,
                "autograder_sandbox_bugs_exposed": len(their_runs[0]["bugs_exposed"]),
            }
        )
        if not equal:
            result["void"] = "the two sides exposed different bugs"
    if not args.json:
        log(json.dumps(result, indent=2))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
