"""Sandbox benchmark: this library against autograder.io's `autograder-sandbox` 6.0.0.

Both run in one process, on the same image and machine, with the same number of
samples per figure (`--iterations`), taken turn about (one of ours, one of theirs) so
that both see the same load on a shared machine. For each side:

- acquire_ms_p50: getting a ready sandbox (ours: from a warm pool; theirs: create+start)
- cmd_ms_p50: one `true`; cmd_python_ms_p50: one `python3 -c 'print(1)'`
- put_files_ms_p50: 10 files, 1 MB in total
- timeout_overshoot_ms_p50 (ours only): how long past its 1 s timeout a `sleep 30` returns
  to the caller. Theirs is left out: on a timeout their library kills the command by
  `docker run`ning its reaper image (eecsautograder/autograder-sandbox-reaper), which a
  machine without Docker Hub cannot pull, so here the command would not even be stopped.
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
(every released container reset or removed, and the pool warm again), so the resets, refills and
teardowns it did for those suites are inside the window; theirs does everything inline.

The last line printed is one JSON object (ratios are theirs/ours, or ours/theirs for
rates); `load_avg_1m` is the machine's 1-minute load average at the start, before our
sustained run, between the two sustained runs and at the end, for a shared host.

    python benchmarks/sandbox_bench.py --json [--image IMG] [--iterations N] [--sustained-s S]
        [--runtime runc,runsc] [--runsc-platform kvm]

`--runsc-platform kvm` also measures gVisor on another platform than runsc's default. Docker
takes runtime flags only per runtime, so (as root) the benchmark registers `runsc-kvm` in
/etc/docker/daemon.json beside `runsc` (same flags plus --platform=kvm), reloads dockerd with
SIGHUP (no restart), and removes it again at the end. Before measuring it starts one container
under it with a time limit (`--probe-timeout-s`): a platform that hangs or fails is reported as
such under `runtimes` (`status`), its stuck runtime processes ended by pid, and the run goes on.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
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


Samples = dict[str, list[float]]


def our_suite(sb: DockerSandbox) -> None:
    sb.put_files([PutFile(name, content) for name, content in SUITE_FILES.items()])
    for argv in SUITE_COMMANDS:
        result = sb.run(argv, limits=Limits(timeout_s=SUITE_TIMEOUT_S))
        assert result.exit_code == 0, result


class Ours:
    """This library: a DockerPoolManager as a worker process has one."""

    def __init__(self, image: str, runtime: str | None = None) -> None:
        self.image = image
        self.spec = ContainerSpec(runtime=runtime)
        self.manager = DockerPoolManager(pool_size=2, sweep_interval_s=0)
        self.pool = self.manager.pool(image, self.spec)
        self.files = [PutFile(name, content) for name, content in payload()]
        self.pool.wait_warm(120)
        self.long = self.manager.acquire(image, self.spec)

    def commands(self, out: Samples) -> None:
        sb = self.long
        out["cmd"].append(timed(lambda: sb.run(["true"])))
        out["cmd_python"].append(timed(lambda: sb.run(["python3", "-c", "print(1)"])))
        out["put_files"].append(timed(lambda: sb.put_files(self.files)))
        sleep = timed(lambda: sb.run(["sleep", "30"], limits=ONE_SECOND))
        out["timeout_overshoot"].append(sleep - 1000)

    def critical_path(self, out: Samples) -> None:
        self.pool.wait_warm(120)  # untimed: see the module docstring
        start = time.perf_counter()
        sb = self.manager.acquire(self.image, self.spec)
        out["acquire"].append(ms(start))
        sb.put_files(self.files)
        for _ in range(COMMANDS_PER_PATH):
            sb.run(["true"])
        t = time.perf_counter()
        sb.release()
        out["release"].append(ms(t))
        out["critical_path"].append(ms(start))

    def background_work(self, out: Samples) -> None:
        """What the pool and the reaper do, in the foreground, one container at a time."""
        backend = self.manager.backend
        t = time.perf_counter()
        sb = backend.create(self.image, self.spec, on_release=lambda s: s.hang_up())
        out["cold_acquire"].append(ms(t))
        our_suite(sb)
        t = time.perf_counter()
        sb.release()
        backend.remove(sb.id)
        wait_removed(backend, sb.id)
        out["teardown"].append(ms(t))

    def sustained(self, seconds: float) -> dict[str, float]:
        """Suites back to back in one slot; the clock stops once the background work is done."""
        self.long.release()
        self.manager.reaper.drain(120)
        self.pool.wait_warm(120)  # as the suites before would have left it: warm
        suites = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            sb = self.manager.acquire(self.image, self.spec)
            try:
                our_suite(sb)
            finally:
                sb.release()
            suites += 1
        suites_done = ms(start)
        # Leave it as found: every released container reset or removed, the pool warm again.
        self.manager.wait_resets(120)
        self.manager.reaper.drain(120)
        self.pool.wait_warm(120)
        elapsed = ms(start)
        return {
            "suites": suites,
            "window_ms": round(elapsed, 1),
            "background_after_last_suite_ms": round(elapsed - suites_done, 1),
            "suites_per_min": round(suites * 60_000 / elapsed, 2),
        }

    def close(self) -> None:
        self.long.release()
        self.manager.close()


def write_files(directory: str, files: dict[str, bytes] | list[tuple[str, bytes]]) -> list[str]:
    paths = []
    for name, content in files.items() if isinstance(files, dict) else files:
        Path(directory, name).write_bytes(content)
        paths.append(str(Path(directory, name)))
    return paths


class Theirs:
    """autograder.io's `autograder-sandbox`: a container per `with AutograderSandbox()`."""

    def __init__(self, image: str) -> None:
        from autograder_sandbox import AutograderSandbox

        self.image = image
        self.sandbox_class = AutograderSandbox
        self.tmp = tempfile.TemporaryDirectory()
        self.paths = write_files(self.tmp.name, payload())
        suite_dir = Path(self.tmp.name, "suite")
        suite_dir.mkdir()
        self.suite_paths = write_files(str(suite_dir), SUITE_FILES)
        self.long: Any = AutograderSandbox(docker_image=image)
        self.long.__enter__()

    def commands(self, out: Samples) -> None:
        # No timeout figure: on a timeout their library kills the command by running
        # its reaper image, which a machine without Docker Hub cannot pull.
        sb = self.long
        out["cmd"].append(timed(lambda: sb.run_command(["true"])))
        out["cmd_python"].append(timed(lambda: sb.run_command(["python3", "-c", "print(1)"])))
        out["put_files"].append(timed(lambda: sb.add_files(*self.paths)))

    def release(self, box: Any, out: Samples) -> None:
        """Their `__exit__` (`docker stop --time 10`, then `docker rm -f`), timed in parts."""
        t = time.perf_counter()
        box._stop()
        stop = ms(t)
        t = time.perf_counter()
        subprocess.run(["docker", "rm", "-f", box.name], check=True, capture_output=True)
        rest = ms(t)
        out["stop_grace"].append(stop)
        out["release_rest"].append(rest)
        out["release"].append(stop + rest)

    def critical_path(self, out: Samples) -> None:
        start = time.perf_counter()
        box = self.sandbox_class(docker_image=self.image)
        box.__enter__()
        out["acquire"].append(ms(start))
        box.add_files(*self.paths)
        for _ in range(COMMANDS_PER_PATH):
            box.run_command(["true"])
        self.release(box, out)
        out["critical_path"].append(ms(start))

    def suite(self) -> None:
        with self.sandbox_class(docker_image=self.image) as box:
            box.add_files(*self.suite_paths)
            for argv in SUITE_COMMANDS:
                result = box.run_command(argv, timeout=SUITE_TIMEOUT_S)
                assert result.return_code == 0, result.stderr.read()

    def sustained(self, seconds: float) -> dict[str, float]:
        self.close_long()
        suites = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            self.suite()
            suites += 1
        elapsed = ms(start)
        return {
            "suites": suites,
            "window_ms": round(elapsed, 1),
            "suites_per_min": round(suites * 60_000 / elapsed, 2),
        }

    def close_long(self) -> None:
        if self.long is not None:
            self.long.__exit__(None, None, None)
            self.long = None

    def close(self) -> None:
        self.close_long()
        self.tmp.cleanup()


def figures(samples: Samples) -> dict[str, float]:
    found = {f"{name}_ms_p50": p50(values) for name, values in samples.items()}
    found["samples"] = len(samples["critical_path"])
    return found


def _summary(found: dict[str, float], sustained: dict[str, Any]) -> dict[str, float]:
    keys = ("cmd_ms_p50", "cmd_python_ms_p50", "critical_path_ms_p50", "cold_acquire_ms_p50")
    return {key: found[key] for key in keys} | {
        "sustained_suites_per_min": sustained["suites_per_min"]
    }


def _one_runtime(image: str, runtime: str, iterations: int, sustained_s: float) -> dict[str, float]:
    """This library's figures with its sandboxes under `runtime` (e.g. runsc, gVisor)."""
    samples: Samples = defaultdict(list)
    ours = Ours(image, runtime)
    try:
        for _ in range(iterations):
            ours.commands(samples)
        for _ in range(iterations):
            ours.critical_path(samples)
        for _ in range(iterations):
            ours.background_work(samples)
        sustained = ours.sustained(sustained_s)
    finally:
        ours.close()
    return _summary(figures(samples), sustained)


DAEMON_JSON = Path("/etc/docker/daemon.json")
DOCKER_PID = Path("/var/run/docker.pid")
PROBE_LABEL = "org.autograder.bench=sandbox_bench"


def docker_runtimes() -> set[str]:
    done = subprocess.run(
        ["docker", "info", "--format", "{{json .Runtimes}}"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return set(json.loads(done.stdout))


def _set_daemon_runtime(name: str, entry: dict[str, Any] | None) -> None:
    """Adds (or with None removes) one runtime in daemon.json and reloads dockerd (SIGHUP:
    the daemon and its containers keep running), then waits until Docker lists it (or not)."""
    config = json.loads(DAEMON_JSON.read_text()) if DAEMON_JSON.exists() else {}
    runtimes = config.setdefault("runtimes", {})
    if entry is None:
        runtimes.pop(name, None)
    else:
        runtimes[name] = entry
    tmp = DAEMON_JSON.with_suffix(".json.bench-tmp")
    tmp.write_text(json.dumps(config, indent=2) + "\n")
    os.replace(tmp, DAEMON_JSON)
    os.kill(int(DOCKER_PID.read_text()), signal.SIGHUP)
    deadline = time.monotonic() + 30
    while (name in docker_runtimes()) != (entry is not None):
        if time.monotonic() > deadline:
            raise RuntimeError(f"dockerd did not reload {DAEMON_JSON} (runtime {name})")
        time.sleep(0.2)


@contextlib.contextmanager
def runsc_platform_runtime(platform: str) -> Iterator[str]:
    """A Docker runtime `runsc-<platform>`: runsc's flags plus --platform=<platform>,
    registered for the benchmark only (unless it already exists)."""
    name = f"runsc-{platform}"
    if name in docker_runtimes():
        yield name
        return
    config = json.loads(DAEMON_JSON.read_text()) if DAEMON_JSON.exists() else {}
    base = config.get("runtimes", {}).get("runsc", {"path": "/usr/bin/runsc"})
    flags = [f for f in base.get("runtimeArgs", []) if not f.startswith("--platform")]
    _set_daemon_runtime(
        name, {"path": base["path"], "runtimeArgs": [*flags, f"--platform={platform}"]}
    )
    try:
        yield name
    finally:
        _set_daemon_runtime(name, None)


def _end_stuck_container(name: str, cidfile: Path) -> None:
    """A container stuck in `create` (Docker answers nothing about it meanwhile): ends its
    runtime's processes, found by the container's id (from `--cidfile`) on their command
    line so that nothing else is touched, then removes it."""
    container_id = cidfile.read_text().strip() if cidfile.exists() else ""
    if container_id:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if container_id in cmdline and "runsc" in cmdline:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(entry.name), signal.SIGKILL)
    subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60, check=False)


def probe_runtime(image: str, runtime: str, timeout_s: float) -> dict[str, Any]:
    """Whether one container starts and runs `true` under `runtime` within `timeout_s`."""
    name = f"ag-bench-probe-{runtime}-{os.getpid()}"
    with tempfile.TemporaryDirectory() as tmp:
        cidfile = Path(tmp) / "cid"
        command = ["docker", "run", "--rm", "--name", name, "--cidfile", str(cidfile)]
        command += ["--label", PROBE_LABEL, "--network", "none", "--runtime", runtime]
        start = time.perf_counter()
        try:
            done = subprocess.run(
                [*command, image, "true"], capture_output=True, text=True, timeout=timeout_s
            )
        except subprocess.TimeoutExpired:
            _end_stuck_container(name, cidfile)
            return {"status": "hangs", "probe_timeout_s": timeout_s}
        if done.returncode != 0:
            _end_stuck_container(name, cidfile)
            return {"status": "fails", "error": done.stderr.strip()[-400:]}
        return {"status": "works", "probe_ms": round(ms(start), 1)}


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
    parser.add_argument(
        "--runtime",
        default="",
        help="OCI runtimes for this library's sandboxes, comma-separated (e.g. runc,runsc): "
        "the first gives the usual keys, each one its figures under `runtimes`",
    )
    parser.add_argument(
        "--runsc-platform",
        default="",
        help="gVisor platforms to measure besides runsc's default, comma-separated (e.g. kvm), "
        "each as runtime runsc-<platform> under `runtimes` (needs root: see above)",
    )
    parser.add_argument(
        "--probe-timeout-s",
        type=float,
        default=60,
        help="how long one container may take to start under a --runsc-platform runtime",
    )
    args = parser.parse_args()
    runtimes = [r.strip() for r in args.runtime.split(",") if r.strip()] or [None]
    others: dict[str, dict[str, Any]] = {}
    for extra in runtimes[1:]:
        assert extra is not None
        others[extra] = _one_runtime(args.image, extra, args.iterations, args.sustained_s)
    for platform in (p.strip() for p in args.runsc_platform.split(",") if p.strip()):
        with runsc_platform_runtime(platform) as runtime:
            found = probe_runtime(args.image, runtime, args.probe_timeout_s)
            if found["status"] == "works":
                found |= _one_runtime(args.image, runtime, args.iterations, args.sustained_s)
            others[runtime] = found

    load = [round(os.getloadavg()[0], 2)]
    ours_samples: Samples = defaultdict(list)
    theirs_samples: Samples = defaultdict(list)
    ours, theirs = Ours(args.image, runtimes[0]), Theirs(args.image)
    try:
        # Sample by sample, one side then the other, so both see the same load.
        for _ in range(args.iterations):
            ours.commands(ours_samples)
            theirs.commands(theirs_samples)
        for _ in range(args.iterations):
            ours.critical_path(ours_samples)
            theirs.critical_path(theirs_samples)
        for _ in range(args.iterations):
            ours.background_work(ours_samples)
        load.append(round(os.getloadavg()[0], 2))
        ours_sustained = ours.sustained(args.sustained_s)
        load.append(round(os.getloadavg()[0], 2))
        theirs_sustained = theirs.sustained(args.sustained_s)
        load.append(round(os.getloadavg()[0], 2))
    finally:
        ours.close()
        theirs.close()
    ours_figures, theirs_figures = figures(ours_samples), figures(theirs_samples)
    result = {
        "ours": ours_figures,
        "autograder_sandbox": theirs_figures,
        "sustained_suites_per_min": {
            "ours": ours_sustained["suites_per_min"],
            "autograder_sandbox": theirs_sustained["suites_per_min"],
        },
        "sustained": {"ours": ours_sustained, "autograder_sandbox": theirs_sustained},
        "ratio_sustained": round(
            ours_sustained["suites_per_min"] / theirs_sustained["suites_per_min"], 1
        ),
        "ours_cold_acquire_ms_p50": ours_figures["cold_acquire_ms_p50"],
        "ours_teardown_ms_p50": ours_figures["teardown_ms_p50"],
        "theirs_stop_grace_ms_p50": theirs_figures["stop_grace_ms_p50"],
        "ratio_cmd": round(theirs_figures["cmd_ms_p50"] / ours_figures["cmd_ms_p50"], 1),
        "ratio_critical_path": round(
            theirs_figures["critical_path_ms_p50"] / ours_figures["critical_path_ms_p50"], 1
        ),
        "runtime": runtimes[0] or "default",
        "runtimes": {
            (runtimes[0] or "default"): _summary(ours_figures, ours_sustained),
            **others,
        },
        "samples_per_figure": args.iterations,
        "image": args.image,
        "cpus": os.cpu_count(),
        "load_avg_1m": load,
    }
    if not args.json:
        print(f"{'figure':<24}{'ours':>12}{'autograder-sandbox':>22}")
        for key, value in theirs_figures.items():
            if key in ours_figures:
                print(f"{key:<24}{ours_figures[key]:>12.2f}{value:>22.2f}")
        print(
            f"{'sustained suites/min':<24}{ours_sustained['suites_per_min']:>12.2f}"
            f"{theirs_sustained['suites_per_min']:>22.2f}"
        )
        measured = result["runtimes"]
        print(f"\n{'this library':<26}" + "".join(f"{name:>14}" for name in measured))
        for key in ("cmd_ms_p50", "cmd_python_ms_p50", "critical_path_ms_p50"):
            print(f"{key:<26}" + "".join(f"{f.get(key, '-')!s:>14}" for f in measured.values()))
        for key in ("cold_acquire_ms_p50", "sustained_suites_per_min", "status"):
            print(f"{key:<26}" + "".join(f"{f.get(key, '-')!s:>14}" for f in measured.values()))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
