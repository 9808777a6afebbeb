"""Containers never outlive their owner: crashes, lost tracking, other runtimes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from typing import Any

import docker.errors
import pytest
import requests

from autograder.sandbox import docker_backend
from autograder.sandbox.docker_backend import (
    LABEL,
    LABEL_CREATED,
    LABEL_OWNER,
    DockerBackend,
    owner_id,
)
from autograder.sandbox.interface import ContainerSpec, Limits, Outcome
from autograder.sandbox.reaper import Reaper
from tests.sandbox.conftest import IMAGE, TEST_SPEC, HostGuard, _unavailable

pytestmark = pytest.mark.slow

CRASHING_WORKER = """
import sys, time
from autograder.sandbox.docker_backend import DockerBackend
from autograder.sandbox.interface import ContainerSpec, Limits
sb = DockerBackend().create(sys.argv[1], ContainerSpec(memory_bytes=128 * 1024 * 1024))
sb.run(["sh", "-c", "sleep 1000 & echo started"], limits=Limits(timeout_s=5))
print(sb.id, flush=True)
time.sleep(1000)
"""


def wait_gone(backend: DockerBackend, container_id: str, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(c["Id"] == container_id for c in backend.labelled_containers()):
            return True
        time.sleep(0.2)
    return False


def test_a_killed_worker_leaves_no_container(backend: DockerBackend, host_guard: HostGuard) -> None:
    worker = subprocess.Popen(
        [sys.executable, "-c", CRASHING_WORKER, IMAGE],
        stdout=subprocess.PIPE,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    )
    assert worker.stdout is not None
    container_id = worker.stdout.readline().decode().strip()
    assert container_id, "the worker did not start a sandbox"
    host_guard.track(container_id)  # another process's container, made for this test
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    # The hang-up ends the runner, which kills everything; Docker auto-removes.
    assert wait_gone(backend, container_id), "container outlived its killed worker"


def test_sweep_removes_containers_of_dead_owners(
    backend: DockerBackend, host_guard: HostGuard
) -> None:
    dead_owner = f"{socket.gethostname()}:999999:1"
    container_id = backend.api.create_container(
        IMAGE,
        command=["sleep", "1000"],
        labels={LABEL: "1", LABEL_OWNER: dead_owner, LABEL_CREATED: str(int(time.time()))},
        host_config=backend.api.create_host_config(network_mode="none"),
    )["Id"]
    backend.api.start(container_id)
    host_guard.track(container_id)
    reaper = Reaper(backend, sweep_interval_s=0, threads=1)
    try:
        assert container_id in reaper.sweep()
    finally:
        reaper.close()
    assert wait_gone(backend, container_id)


def test_sweep_removes_own_untracked_and_old_containers(
    backend: DockerBackend, host_guard: HostGuard
) -> None:
    old = int(time.time()) - 7 * 3600
    ids = []
    for owner in (owner_id(), "elsewhere:1:1"):
        ids.append(
            backend.api.create_container(
                IMAGE,
                command=["sleep", "1000"],
                labels={LABEL: "1", LABEL_OWNER: owner, LABEL_CREATED: str(old)},
            )["Id"]
        )
        host_guard.track(ids[-1])
    reaper = Reaper(backend, sweep_interval_s=0, threads=1)
    try:
        assert set(ids) <= set(reaper.sweep())
    finally:
        reaper.close()


def test_sweep_keeps_live_and_foreign_containers(
    backend: DockerBackend, host_guard: HostGuard
) -> None:
    sb = backend.create(IMAGE, TEST_SPEC)
    foreign = backend.api.create_container(
        IMAGE,
        command=["sleep", "1000"],
        labels={LABEL: "1", LABEL_OWNER: "other-host:1:1", LABEL_CREATED: str(int(time.time()))},
    )["Id"]
    host_guard.track(foreign)
    reaper = Reaper(backend, sweep_interval_s=0, threads=1)
    try:
        removed = reaper.sweep()
        assert sb.id not in removed and foreign not in removed
        assert sb.run(["true"]).exit_code == 0
    finally:
        reaper.close()
        sb.release()
        backend.remove(foreign)


def test_runsc_runtime(backend: DockerBackend, host_guard: HostGuard) -> None:
    if "runsc" not in backend.runtimes():
        _unavailable("runsc (gVisor) is not registered with this Docker daemon")
    spec = replace(TEST_SPEC, runtime="runsc")
    sb = backend.create(IMAGE, spec)
    try:
        kernel = sb.run(["uname", "-r"]).stdout.decode().strip()
        timed = sb.run(["sleep", "10"], limits=Limits(timeout_s=0.5))
        ident = sb.run(["id", "-u"])
        leftover = sb.run(["sh", "-c", "sleep 100 & echo bg"])
        count = sb.run(
            [
                "python3",
                "-c",
                "import os; print(len([p for p in os.listdir('/proc') if p.isdigit()]))",
            ]
        )
    finally:
        sb.release()
        backend.remove(sb.id)
    assert kernel != os.uname().release  # gVisor's own kernel answers
    assert timed.outcome is Outcome.TIMED_OUT
    assert ident.stdout == b"2000\n"
    assert leftover.stdout == b"bg\n"
    assert count.stdout == b"3\n"


def test_runsc_memory_bomb_is_out_of_memory_not_a_hang(
    backend: DockerBackend, host_guard: HostGuard
) -> None:
    """Under gVisor the container's OOM kill takes the runner down with the command; the
    backend finds Docker's `oom` event for the container and reports the command as
    OUT_OF_MEMORY, as under runc, at once (a hang would end in the reply wait's timeout)."""
    if "runsc" not in backend.runtimes():
        _unavailable("runsc (gVisor) is not registered with this Docker daemon")
    sb = backend.create(IMAGE, replace(TEST_SPEC, runtime="runsc"))
    try:
        result = sb.run(
            ["python3", "-c", "x = bytearray(400 * 1024 * 1024)"],
            limits=Limits(timeout_s=30),
        )
    finally:
        sb.release()
        backend.remove(sb.id)
    assert result.outcome == Outcome.OUT_OF_MEMORY, result


def test_spec_defaults_come_from_settings(backend: DockerBackend) -> None:
    resolved = ContainerSpec().resolved(backend.settings)
    assert resolved.memory_bytes == backend.settings.memory_bytes
    assert resolved.pids == backend.settings.pids


def test_a_removal_docker_left_in_progress_is_asked_for_again(
    backend: DockerBackend, host_guard: HostGuard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Docker answers 409 ("removal already in progress") when a container's auto-removal
    raced with ours, and can then leave it "Removal In Progress" for good: the backend waits
    a moment for Docker's own removal, then asks again, and the container is gone."""
    sb = backend.create(IMAGE, TEST_SPEC)
    real_remove = backend.api.remove_container
    calls: list[str] = []

    def remove_answering_409_first(container: str, **kwargs: Any) -> None:
        calls.append(container)
        if len(calls) == 1:  # as Docker answers while its own removal is stuck
            response = requests.Response()
            response.status_code = 409
            raise docker.errors.APIError("removal already in progress", response=response)
        real_remove(container, **kwargs)

    monkeypatch.setattr(backend.api, "remove_container", remove_answering_409_first)
    monkeypatch.setattr(docker_backend, "REMOVAL_WAIT_S", 0.5)
    backend.remove(sb.id)

    assert calls == [sb.id, sb.id]
    with pytest.raises(docker.errors.NotFound):
        backend.api.inspect_container(sb.id)
