"""Sandbox benchmark: this library against autograder.io's `autograder-sandbox` 6.0.0.

Both run in one process, on the same image and machine, with the same number of
samples per figure (`--iterations`). For each side:

- acquire_ms_p50: getting a ready sandbox (ours: from a warm pool; theirs: create+start)
- cmd_ms_p50: one `true`; cmd_python_ms_p50: one `python3 -c 'print(1)'`
- put_files_ms_p50: 10 files, 1 MB in total
- timeout_overshoot_ms_p50: how long past its 1 s timeout a `sleep 30` returns to the caller
- release_ms_p50: how long the caller is blocked by release
- critical_path_ms_p50: acquire + put files + 10 `true` + release. Ours waits, untimed,
  for its pool to be warm before each one, as a worker between two suites would find
  it; theirs has no pool. So this figure leaves out our background work: see below.

What the critical path leaves out, timed on its own:

- ours_cold_acquire_ms_p50: create + start + greet one container (what a pool refill,
  or an acquire from an empty pool, costs)
- ours_teardown_ms_p50: from release until Docker no longer lists the container (what
  the reaper does in the background)
- theirs_stop_grace_ms_p50: the `docker stop --time 10` inside their release: their
  container's PID 1 (a bash loop) ignores SIGTERM, so it waits the full 10 s grace before
  the kill. `autograder_sandbox.release_rest_ms_p50` is the rest (`docker rm -f`).

The headline, sustained_suites_per_min: back-to-back suites in one worker slot for
`--sustained-s` seconds with nothing untimed between them, each suite being: acquire, put
3 small files, run `python3 student.py`, `sh -c 'echo ...'` and `python3 -c ...`, release.
Ours starts with a warm pool and its clock runs until the background work is done too
(every released container removed and the pool warm again), so the refills and
teardowns it did for those suites are inside the window; theirs does everything inline.

The last line printed is one JSON object (ratios are theirs/ours, or ours/theirs for
rates); `load_avg_1m` is the machine's load at the start and end, for a shared host.

    python benchmarks/sandbox_bench.py --json [--image IMG] [--iterations N] [--sustained-s S]
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import docker.errors

from autograder.sandbox.docker_backend import DockerBackend, DockerSandbox
from autograder.sandbox.docker_pool import DockerPoolManager
from autograder.sandbox.interface import ContainerSpec, Limits, PutFile

FILE_COUNT = 10
FILE_BYTES = 1_000_000 // FILE_COUNT
COMMANDS_PER_PATH = 10

SUITE_FILES = {
    "student.py": b"import sys\nprint(sum(int(x) for x in open('input.txt').read().split()))\n",
    "input.txt": b"1 2 3 4\n",
    "expected.txt": b"10\n",
}
SUITE_COMMANDS = [
    ["python3", "student.py"],
    ["sh", "-c", "echo checked"],
    ["python3", "-c", "print(open('expected.txt').read().strip())"],
]
SUITE_TIMEOUT_S = 10
ONE_SECOND = Limits(timeout_s=1)


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


def wait_removed(backend: DockerBackend, container_id: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            backend.api.inspect_container(container_id)
        except docker.errors.NotFound:
            return
        time.sleep(0.005)
    raise RuntimeError(f"container {container_id[:12]} was not removed in {timeout} s")


def our_suite(sb: DockerSandbox) -> None:
    sb.put_files([PutFile(name, content) for name, content in SUITE_FILES.items()])
    for argv in SUITE_COMMANDS:
        result = sb.run(argv, limits=Limits(timeout_s=SUITE_TIMEOUT_S))
        assert result.exit_code == 0, result


def bench_ours(image: str, iterations: int) -> dict[str, float]:
    manager = DockerPoolManager(pool_size=2, sweep_interval_s=0)
    spec = ContainerSpec()
    pool = manager.pool(image, spec)
    files = [PutFile(name, content) for name, content in payload()]
    acquire, release, put, path, cmd, cmd_py, overshoot = [], [], [], [], [], [], []
    cold, teardown = [], []
    try:
        pool.wait_warm(120)
        sb = manager.acquire(image, spec)
        for _ in range(iterations):
            cmd.append(timed(lambda: sb.run(["true"])))
            cmd_py.append(timed(lambda: sb.run(["python3", "-c", "print(1)"])))
            put.append(timed(lambda: sb.put_files(files)))
            overshoot.append(timed(lambda: sb.run(["sleep", "30"], limits=ONE_SECOND)) - 1000)
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
        manager.reaper.drain(120)
        # The background work, in the foreground: one container at a time, nothing else
        # of ours running.
        backend = manager.backend
        for _ in range(iterations):
            t = time.perf_counter()
            sb = backend.create(image, spec, on_release=lambda _sb: None)
            cold.append(ms(t))
            our_suite(sb)
            t = time.perf_counter()
            sb.release()
            backend.remove(sb.id)
            wait_removed(backend, sb.id)
            teardown.append(ms(t))
    finally:
        manager.close()
    figures = summary(acquire, cmd, cmd_py, put, release, path, overshoot)
    figures["cold_acquire_ms_p50"] = p50(cold)
    figures["teardown_ms_p50"] = p50(teardown)
    return figures


def sustained_ours(image: str, seconds: float) -> dict[str, float]:
    """Suites back to back in one slot; the clock stops once the background work is done."""
    manager = DockerPoolManager(pool_size=2, sweep_interval_s=0)
    spec = ContainerSpec()
    pool = manager.pool(image, spec)
    suites = 0
    try:
        pool.wait_warm(120)  # as it was left by the suites before: warm
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            sb = manager.acquire(image, spec)
            try:
                our_suite(sb)
            finally:
                sb.release()
            suites += 1
        suites_done = ms(start)
        # Leave it as found: every container removed and the pool warm again.
        manager.reaper.drain(120)
        pool.wait_warm(120)
        elapsed = ms(start)
    finally:
        manager.close()
    return {
        "suites": suites,
        "window_ms": round(elapsed, 1),
        "background_after_last_suite_ms": round(elapsed - suites_done, 1),
        "suites_per_min": round(suites * 60_000 / elapsed, 2),
    }


def their_suite(box: Any, paths: list[str]) -> None:
    box.add_files(*paths)
    for argv in SUITE_COMMANDS:
        result = box.run_command(argv, timeout=SUITE_TIMEOUT_S)
        assert result.return_code == 0, result.stderr.read()


def their_release(box: Any) -> tuple[float, float]:
    """Their `__exit__` (stop, then `docker rm -f`), timed in its two parts."""
    t = time.perf_counter()
    box._stop()
    stop = ms(t)
    t = time.perf_counter()
    subprocess.run(["docker", "rm", "-f", box.name], check=True, capture_output=True)
    return stop, ms(t)


def write_files(tmp: str, files: dict[str, bytes] | list[tuple[str, bytes]]) -> list[str]:
    paths = []
    for name, content in files.items() if isinstance(files, dict) else files:
        Path(tmp, name).write_bytes(content)
        paths.append(str(Path(tmp, name)))
    return paths


def bench_theirs(image: str, iterations: int) -> dict[str, float]:
    from autograder_sandbox import AutograderSandbox

    acquire, release, put, path, cmd, cmd_py, overshoot = [], [], [], [], [], [], []
    stop_grace, release_rest = [], []
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_files(tmp, payload())
        with AutograderSandbox(docker_image=image) as sb:
            for _ in range(iterations):
                cmd.append(timed(lambda: sb.run_command(["true"])))
                cmd_py.append(timed(lambda: sb.run_command(["python3", "-c", "print(1)"])))
                put.append(timed(lambda: sb.add_files(*paths)))
                overshoot.append(timed(lambda: sb.run_command(["sleep", "30"], timeout=1)) - 1000)
        for _ in range(iterations):
            start = time.perf_counter()
            box = AutograderSandbox(docker_image=image)
            t = time.perf_counter()
            box.__enter__()
            acquire.append(ms(t))
            box.add_files(*paths)
            for _ in range(COMMANDS_PER_PATH):
                box.run_command(["true"])
            stop, rest = their_release(box)
            stop_grace.append(stop)
            release_rest.append(rest)
            release.append(stop + rest)
            path.append(ms(start))
    figures = summary(acquire, cmd, cmd_py, put, release, path, overshoot)
    figures["stop_grace_ms_p50"] = p50(stop_grace)
    figures["release_rest_ms_p50"] = p50(release_rest)
    return figures


def sustained_theirs(image: str, seconds: float) -> dict[str, float]:
    from autograder_sandbox import AutograderSandbox

    suites = 0
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_files(tmp, SUITE_FILES)
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            with AutograderSandbox(docker_image=image) as box:
                their_suite(box, paths)
            suites += 1
        elapsed = ms(start)
    return {
        "suites": suites,
        "window_ms": round(elapsed, 1),
        "suites_per_min": round(suites * 60_000 / elapsed, 2),
    }


def summary(
    acquire: list[float],
    cmd: list[float],
    cmd_py: list[float],
    put: list[float],
    release: list[float],
    path: list[float],
    overshoot: list[float],
) -> dict[str, float]:
    return {
        "acquire_ms_p50": p50(acquire),
        "cmd_ms_p50": p50(cmd),
        "cmd_python_ms_p50": p50(cmd_py),
        "put_files_ms_p50": p50(put),
        "timeout_overshoot_ms_p50": p50(overshoot),
        "release_ms_p50": p50(release),
        "critical_path_ms_p50": p50(path),
        "samples": len(path),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    parser.add_argument(
        "--image", default=os.environ.get("AG_SANDBOX_IMAGE", "ag-sandbox-default:latest")
    )
    parser.add_argument(
        "--iterations",
        type=int,
        default=20,
        help="samples per figure, for both libraries (theirs takes ~12 s per critical path)",
    )
    parser.add_argument(
        "--sustained-s", type=float, default=60, help="length of each sustained run"
    )
    args = parser.parse_args()

    load_start = os.getloadavg()[0]
    ours = bench_ours(args.image, args.iterations)
    ours_sustained = sustained_ours(args.image, args.sustained_s)
    theirs = bench_theirs(args.image, args.iterations)
    theirs_sustained = sustained_theirs(args.image, args.sustained_s)
    result = {
        "ours": ours,
        "autograder_sandbox": theirs,
        "sustained_suites_per_min": {
            "ours": ours_sustained["suites_per_min"],
            "autograder_sandbox": theirs_sustained["suites_per_min"],
        },
        "sustained": {"ours": ours_sustained, "autograder_sandbox": theirs_sustained},
        "ratio_sustained": round(
            ours_sustained["suites_per_min"] / theirs_sustained["suites_per_min"], 1
        ),
        "ours_cold_acquire_ms_p50": ours["cold_acquire_ms_p50"],
        "ours_teardown_ms_p50": ours["teardown_ms_p50"],
        "theirs_stop_grace_ms_p50": theirs["stop_grace_ms_p50"],
        "ratio_cmd": round(theirs["cmd_ms_p50"] / ours["cmd_ms_p50"], 1),
        "ratio_critical_path": round(
            theirs["critical_path_ms_p50"] / ours["critical_path_ms_p50"], 1
        ),
        "samples_per_figure": args.iterations,
        "image": args.image,
        "cpus": os.cpu_count(),
        "load_avg_1m": [round(load_start, 2), round(os.getloadavg()[0], 2)],
    }
    if not args.json:
        print(f"{'figure':<24}{'ours':>12}{'autograder-sandbox':>22}")
        for key in theirs:
            if key in ours:
                print(f"{key:<24}{ours[key]:>12.2f}{theirs[key]:>22.2f}")
        print(
            f"{'sustained suites/min':<24}{ours_sustained['suites_per_min']:>12.2f}"
            f"{theirs_sustained['suites_per_min']:>22.2f}"
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
