"""Sandbox image distribution benchmark: build, push, pull on a grader that lacks the image.

Against a real registry container (the stack's stand-in from deploy/standins/registry, built
offline by deploy/lib.sh like deploy/build-local-bases does), on this machine's Docker:

- build_s: the stock Java image (`FROM ag-sandbox-default:latest` + Debian's
  default-jdk-headless) built through the image builder's code (autograder.images.builder:
  the Engine API, the build limits, the image check), with no layer cache for the JDK step
  (a fresh RUN line each run), until the image passed its check.
- push_s: pushing it to the registry by digest (autograder.images.distribution).
- pull_and_warm_s: a grader without the image (every local name of it removed): from asking
  a fresh warm pool (autograder.sandbox, pool size 1) for it until its first sandbox is ready
  (the pull, once, then a started container with its runner greeted).
- first_submission_s: the first submission on the freshly pulled image, as a suite runs it:
  a sandbox from that pool, a student's Hello.java put in, `javac` and `java`, release.

The last line printed is one JSON object.

    python benchmarks/image_bench.py --json [--build-timeout S]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder.images import builder, distribution
from autograder.images.limits import build_limits
from autograder.sandbox.config import load_settings
from autograder.sandbox.docker_pool import DockerPoolManager
from autograder.sandbox.interface import ContainerSpec, Limits, Owner, PutFile

REPO = Path(__file__).resolve().parents[2]
LABEL = "org.autograder.bench=image_bench"
HELLO = b"""public class Hello {
    public static void main(String[] args) { System.out.println("Hello, " + args[0]); }
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_registry() -> tuple[str, str]:
    script = (
        ". deploy/lib.sh && ag_load_config >/dev/null 2>&1; "
        "AG_OFFLINE=1 REG=ag-standin-registry ag_resolve_image REG ag-standin-registry registry"
    )
    image = subprocess.run(
        ["bash", "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()[-1]
    port = _free_port()
    name = f"image-bench-registry-{os.getpid()}"
    subprocess.run(
        ["docker", "run", "-d", "--rm", "--name", name, "--label", LABEL,
         "-p", f"127.0.0.1:{port}:5000", image],
        capture_output=True, check=True,
    )  # fmt: skip
    address = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://{address}/v2/", timeout=2):
                return name, address
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def remove_everywhere(reference: str) -> None:
    found = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{.Id}}", reference],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    if found:
        subprocess.run(["docker", "image", "rm", "-f", found], capture_output=True, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    parser.add_argument("--build-timeout", type=float, default=1800.0)
    args = parser.parse_args()

    def say(text: str) -> None:
        if not args.json:
            print(text, flush=True)

    registry_name, registry = start_registry()
    os.environ["AG_SANDBOX_REGISTRY"] = registry
    nonce = uuid.uuid4().hex[:8]
    reference = f"image-bench-java-{nonce}"
    tag = f"{reference}:b1"
    dockerfile = (
        "FROM ag-sandbox-default:latest\n"
        f"RUN echo image-bench {nonce}\n"
        "RUN apt-get update \\\n"
        "    && apt-get install -y --no-install-recommends default-jdk-headless \\\n"
        "    && apt-get clean && rm -rf /var/lib/apt/lists/*\n"
    )
    limits = build_limits()
    limits = type(limits)(**{**limits.__dict__, "timeout_s": args.build_timeout})
    figures: dict[str, Any] = {"load_avg_1m": [round(os.getloadavg()[0], 2)]}
    manager: DockerPoolManager | None = None
    pushed = ""
    try:
        started = time.monotonic()
        outcome = builder.run_build(
            tag=tag,
            dockerfile=dockerfile,
            files={},
            limits=limits,
            on_output=lambda text: say(text.rstrip()) if "Step" in text else None,
            cancelled=lambda: False,
            runtime="runc",
        )
        figures["build_s"] = round(time.monotonic() - started, 2)
        inspect = ["docker", "image", "inspect", "--format", "{{json .Size}}", outcome.tag]
        size = json.loads(subprocess.run(inspect, capture_output=True, text=True).stdout)
        figures["image_mb"] = round(size / 1e6)
        started = time.monotonic()
        pushed = distribution.push(tag=outcome.tag, reference=reference, on_output=say)
        figures["push_s"] = round(time.monotonic() - started, 2)
        remove_everywhere(pushed)
        figures["load_avg_1m"].append(round(os.getloadavg()[0], 2))

        spec = ContainerSpec(network=False)
        manager = DockerPoolManager(settings=load_settings(), pool_size=1, sweep_interval_s=0)
        started = time.monotonic()
        pool = manager.pool(pushed, spec)
        if not pool.wait_warm(timeout=900):
            raise RuntimeError(f"the pool never got warm: {pool.last_error}")
        figures["pull_and_warm_s"] = round(time.monotonic() - started, 2)
        figures["pulls"] = manager.backend.puller.pulls

        started = time.monotonic()
        sandbox = manager.acquire(pushed, spec)
        try:
            sandbox.put_files([PutFile("Hello.java", HELLO, owner=Owner.STUDENT)])
            compiled = sandbox.run(["javac", "Hello.java"], limits=Limits(timeout_s=120))
            ran = sandbox.run(["java", "Hello", "grader"], limits=Limits(timeout_s=60))
        finally:
            sandbox.release()
        figures["first_submission_s"] = round(time.monotonic() - started, 2)
        if compiled.exit_code != 0 or ran.stdout != b"Hello, grader\n":
            raise RuntimeError(f"the Java submission failed: {compiled} {ran}")
        figures["load_avg_1m"].append(round(os.getloadavg()[0], 2))
    finally:
        if manager is not None:
            manager.close()
        for name in (pushed, tag):
            if name:
                remove_everywhere(name)
        subprocess.run(["docker", "rm", "-f", registry_name], capture_output=True, check=False)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
