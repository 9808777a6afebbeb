"""Sandbox benchmark: this library against autograder.io's `autograder-sandbox` 6.0.0.

Both run in one process, on the same image and machine. For each side:

- acquire_ms_p50: getting a ready sandbox (ours: from a warm pool; theirs: create+start)
- cmd_ms_p50: one `true`; cmd_python_ms_p50: one `python3 -c 'print(1)'`
- put_files_ms_p50: 10 files, 1 MB in total
- release_ms_p50: how long the caller is blocked by release
- critical_path_ms_p50: acquire + put files + 10 `true` + release

Ours waits for its pool to be warm before each critical-path iteration, as a worker
between two suites would find it. The last line printed is one JSON object:
{"ours": {...}, "autograder_sandbox": {...}, "ratio_cmd": R1, "ratio_critical_path": R2}
with ratios theirs/ours.

    python benchmarks/sandbox_bench.py --json [--image IMG] [--iterations N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder.sandbox.docker_pool import DockerPoolManager
from autograder.sandbox.interface import ContainerSpec, PutFile

FILE_COUNT = 10
FILE_BYTES = 1_000_000 // FILE_COUNT
COMMANDS_PER_PATH = 10


def ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return ms(start)


def p50(samples: list[float]) -> float:
    return round(statistics.median(samples), 2)


def payload() -> list[tuple[str, bytes]]:
    return [(f"file{i}.txt", os.urandom(FILE_BYTES)) for i in range(FILE_COUNT)]


def bench_ours(image: str, iterations: int) -> dict[str, float]:
    manager = DockerPoolManager(pool_size=2, sweep_interval_s=0)
    spec = ContainerSpec()
    pool = manager.pool(image, spec)
    files = [PutFile(name, content) for name, content in payload()]
    acquire, release, put, path, cmd, cmd_py = [], [], [], [], [], []
    try:
        pool.wait_warm(120)
        sb = manager.acquire(image, spec)
        for _ in range(iterations):
            cmd.append(timed(lambda: sb.run(["true"])))
            cmd_py.append(timed(lambda: sb.run(["python3", "-c", "print(1)"])))
            put.append(timed(lambda: sb.put_files(files)))
        sb.release()
        for _ in range(iterations):
            pool.wait_warm(120)
            start = time.perf_counter()
            t = time.perf_counter()
            sb = manager.acquire(image, spec)
            acquire.append(ms(t))
            sb.put_files(files)
            for _ in range(COMMANDS_PER_PATH):
                sb.run(["true"])
            t = time.perf_counter()
            sb.release()
            release.append(ms(t))
            path.append(ms(start))
    finally:
        manager.close()
    return summary(acquire, cmd, cmd_py, put, release, path)


def bench_theirs(image: str, iterations: int, cmd_iterations: int) -> dict[str, float]:
    from autograder_sandbox import AutograderSandbox

    acquire, release, put, path, cmd, cmd_py = [], [], [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, content in payload():
            Path(tmp, name).write_bytes(content)
            paths.append(str(Path(tmp, name)))
        with AutograderSandbox(docker_image=image) as sb:
            for _ in range(cmd_iterations):
                cmd.append(timed(lambda: sb.run_command(["true"])))
                cmd_py.append(timed(lambda: sb.run_command(["python3", "-c", "print(1)"])))
                put.append(timed(lambda: sb.add_files(*paths)))
        for _ in range(iterations):
            start = time.perf_counter()
            box = AutograderSandbox(docker_image=image)
            t = time.perf_counter()
            box.__enter__()
            acquire.append(ms(t))
            box.add_files(*paths)
            for _ in range(COMMANDS_PER_PATH):
                box.run_command(["true"])
            t = time.perf_counter()
            box.__exit__(None, None, None)
            release.append(ms(t))
            path.append(ms(start))
    return summary(acquire, cmd, cmd_py, put, release, path)


def summary(
    acquire: list[float],
    cmd: list[float],
    cmd_py: list[float],
    put: list[float],
    release: list[float],
    path: list[float],
) -> dict[str, float]:
    return {
        "acquire_ms_p50": p50(acquire),
        "cmd_ms_p50": p50(cmd),
        "cmd_python_ms_p50": p50(cmd_py),
        "put_files_ms_p50": p50(put),
        "release_ms_p50": p50(release),
        "critical_path_ms_p50": p50(path),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    parser.add_argument(
        "--image", default=os.environ.get("AG_SANDBOX_IMAGE", "ag-sandbox-default:latest")
    )
    parser.add_argument("--iterations", type=int, default=20, help="samples per figure (ours)")
    parser.add_argument(
        "--their-iterations",
        type=int,
        default=3,
        help="critical paths for autograder-sandbox (each takes ~10 s of teardown)",
    )
    args = parser.parse_args()

    ours = bench_ours(args.image, args.iterations)
    theirs = bench_theirs(args.image, args.their_iterations, args.iterations)
    result = {
        "ours": ours,
        "autograder_sandbox": theirs,
        "ratio_cmd": round(theirs["cmd_ms_p50"] / ours["cmd_ms_p50"], 1),
        "ratio_critical_path": round(
            theirs["critical_path_ms_p50"] / ours["critical_path_ms_p50"], 1
        ),
        "image": args.image,
    }
    if not args.json:
        print(f"{'figure':<24}{'ours':>12}{'autograder-sandbox':>22}")
        for key in ours:
            print(f"{key:<24}{ours[key]:>12.2f}{theirs[key]:>22.2f}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
