"""What the live monitor's sampler costs per sample, with `--sandboxes` (default 10) sandbox
containers in use by this process, each holding a little memory: the same sampler the workers
run (`autograder.monitor.sampler.Sampler`), once reading cgroup files and once through
Docker's one-shot stats API (what a worker container without the host's /sys/fs/cgroup uses).

For each way, over `--samples` samples:
- sampler_cpu_ms_p50 / _max: CPU time of the sampling thread itself (time.thread_time), the
  figure the workers report as `sample_cpu_ms`;
- process_cpu_ms_mean: the whole benchmark process's CPU per sample (a cross-check that also
  counts the helper threads and the pool's own threads);
- sampler_wall_ms_p50: how long one sample takes;
- dockerd_cpu_ms_per_sample: CPU time the Docker daemon spent meanwhile, per sample (read from
  /proc; it includes whatever else the daemon did, so on a shared machine it is an upper bound).
`grading_share_pct` is the sampler's CPU at the default interval (AG_MONITOR_SAMPLE_SECONDS=2)
as a percentage of one core: what it takes from grading on that node.

Needs Docker, the default sandbox image and a database (the job lookup runs once, when the
sandboxes in use change). Prints one JSON line last.

    python benchmarks/monitor_sampler_bench.py --json [--sandboxes N] [--samples N]
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autograder.settings")

import django

django.setup()

from autograder.monitor.sampler import Sampler  # noqa: E402
from autograder.sandbox.docker_pool import DockerPoolManager  # noqa: E402
from autograder.sandbox.interface import ContainerSpec, Limits  # noqa: E402
from autograder.sandbox.stats import UsageReader  # noqa: E402

IMAGE = os.environ.get("AG_SANDBOX_TEST_IMAGE", "ag-sandbox-default:latest")
SPEC = ContainerSpec(memory_bytes=256 << 20, pids=64, cpus=0.5)
TICKS = os.sysconf("SC_CLK_TCK")


def dockerd_cpu_ms() -> float | None:
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() != "dockerd":
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        return (int(fields[11]) + int(fields[12])) * 1000 / TICKS
    return None


def measure(sampler: Sampler, samples: int) -> dict[str, object]:
    sampler.sample()  # first sample: images looked up, the job read, CPU rates primed
    cpu: list[float] = []
    wall: list[float] = []
    daemon_before = dockerd_cpu_ms()
    process_before = time.process_time()
    for _ in range(samples):
        started = time.perf_counter()
        sampled = sampler.sample()
        wall.append((time.perf_counter() - started) * 1000)
        assert sampled is not None
        record, _ = sampled
        assert all(s["memory_bytes"] > 0 for s in record["sandboxes"])
        cpu.append(float(record["sample_cpu_ms"]))
    daemon_after = dockerd_cpu_ms()
    process_ms = (time.process_time() - process_before) * 1000 / samples
    daemon = (
        round((daemon_after - daemon_before) / samples, 2)
        if daemon_before is not None and daemon_after is not None
        else None
    )
    return {
        "sampler_cpu_ms_p50": round(statistics.median(cpu), 2),
        "sampler_cpu_ms_max": round(max(cpu), 2),
        "process_cpu_ms_mean": round(process_ms, 2),
        "sampler_wall_ms_p50": round(statistics.median(wall), 2),
        "dockerd_cpu_ms_per_sample": daemon,
        "grading_share_pct": round(100 * statistics.median(cpu) / 2000, 3),
        "figures_from": str(record["sandboxes"][0]["figures_from"]) if record["sandboxes"] else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--sandboxes", type=int, default=10)
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()

    manager = DockerPoolManager(pool_size=0)
    taken = []
    try:
        for _ in range(args.sandboxes):
            sandbox = manager.acquire(IMAGE, SPEC)
            sandbox.run(["python3", "-c", "x = bytearray(8 << 20)"], limits=Limits(timeout_s=10))
            taken.append(sandbox)
        sampler = Sampler(lambda: manager)
        cgroup = measure(sampler, args.samples)
        sampler = Sampler(lambda: manager)
        sampler._reader = UsageReader(manager.backend.api, cgroup_root="/nonexistent")
        docker_api = measure(sampler, args.samples)
    finally:
        for sandbox in taken:
            sandbox.release()
        manager.close()
    result = {
        "bench": "monitor_sampler",
        "sandboxes": args.sandboxes,
        "samples": args.samples,
        "cgroup": cgroup,
        "docker_api": docker_api,
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
