"""Imported Gradescope autograders: what building the image costs once, and what grading one
submission costs with setup.sh run at build time (an import) versus run in every sandbox
(a suite set up by hand with the same files).

On this machine's Docker, with the Python unittest autograder of
tests/grading/autograder_zips.py (its setup.sh is small: mkdir + one python3 call):

- build_s: the zip's image built through the image builder's code (autograder.images.builder,
  the build limits, the image check) from the Dockerfile an import writes, network none.
- imported_submission_s: one submission on a warm sandbox of that image, as an imported suite
  runs it: the student's calc.py put in, the setup command (copying the built /autograder),
  /autograder/run_autograder, results.json read back, release. Median of --runs.
- by_hand_submission_s: the same on the default image, as a suite set up by hand runs it:
  the instructor files and calc.py put in, /autograder/source/setup.sh, run_autograder,
  results.json read back, release. Median of --runs.

The last line printed is one JSON object.

    python benchmarks/autograder_import_bench.py --json [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder.grading.config.autograders import dockerfile, zips
from autograder.images import builder
from autograder.images.limits import build_limits
from autograder.sandbox.config import load_settings
from autograder.sandbox.docker_pool import DockerPoolManager
from autograder.sandbox.interface import ContainerSpec, Limits, Owner, PutFile, Sandbox
from tests.grading import autograder_zips as z

RESULTS = "/autograder/results/results.json"
SPEC = ContainerSpec(network=False, extra_dirs=("/autograder",))
LIMITS = Limits(timeout_s=60)


def _check(sandbox: Sandbox) -> None:
    got = sandbox.get_file(RESULTS, max_bytes=1_000_000)
    tests = {t["name"]: t["score"] for t in json.loads(got.content or b"{}").get("tests", [])}
    if tests != {"test_add": 2, "test_mul": 0, "test_setup_ran_at_build": 1}:
        raise SystemExit(f"unexpected results: {tests}")


def _run(sandbox: Sandbox, command: str) -> None:
    result = sandbox.run(["bash", "-c", f"cd /autograder && {command}"], limits=LIMITS)
    if result.exit_code != 0:
        raise SystemExit(f"{command!r} failed: {result.stdout!r} {result.stderr!r}")


def _timed(manager: DockerPoolManager, image: str, grade: Callable[[Sandbox], None]) -> float:
    sandbox = manager.acquire(image, SPEC)
    started = time.monotonic()
    try:
        grade(sandbox)
    finally:
        sandbox.release()
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("AG_IMAGE_BUILD_NETWORK", "none")
    settings = load_settings()
    zip_bytes = z.gradescope_python_zip()
    members = zips.read_zip(zip_bytes)
    tag = f"ag-bench-autograder-import-{uuid.uuid4().hex[:8]}:b1"
    figures: dict[str, object] = {"bench": "autograder_import", "runs": args.runs}
    log: list[str] = []
    started = time.monotonic()
    builder.run_build(
        tag=tag,
        dockerfile=dockerfile.gradescope_dockerfile(base_image=settings.image, members=members),
        files=dockerfile.build_files(zip_bytes),
        limits=build_limits(),
        on_output=log.append,
        cancelled=lambda: False,
        runtime="runc",
    )
    figures["build_s"] = round(time.monotonic() - started, 2)
    manager = DockerPoolManager(settings=settings, pool_size=1, sweep_interval_s=0)
    student = PutFile("/autograder/submission/calc.py", z.CALC)
    source = [
        PutFile(f"/autograder/source/{m.path}", m.content, mode=0o755, owner=Owner.ROOT)
        for m in members
    ]
    run_autograder = PutFile(
        "/autograder/run_autograder", z.GS_RUN_AUTOGRADER, mode=0o755, owner=Owner.ROOT
    )

    def imported(sandbox: Sandbox) -> None:
        sandbox.put_files([student])
        _run(sandbox, dockerfile.COPY_COMMAND)
        _run(sandbox, "/autograder/run_autograder")
        _check(sandbox)

    def by_hand(sandbox: Sandbox) -> None:
        sandbox.put_files([student, *source, run_autograder])
        _run(sandbox, "/autograder/source/setup.sh")
        _run(sandbox, "/autograder/run_autograder")
        _check(sandbox)

    try:
        for name, image, grade in (
            ("imported_submission_s", tag, imported),
            ("by_hand_submission_s", settings.image, by_hand),
        ):
            _timed(manager, image, grade)  # warms the pool
            times = [_timed(manager, image, grade) for _ in range(args.runs)]
            figures[name] = round(statistics.median(times), 3)
    finally:
        manager.close()
        builder.remove_image(tag)
    figures["load_average_1m"] = round(os.getloadavg()[0], 1)
    if not args.json:
        print("".join(log)[-2000:])
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
