"""A worker's self-check, and the container healthcheck that reads it."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from autograder.monitor import heartbeat, release
from autograder.monitor.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

HEALTHCHECK = Path(__file__).resolve().parents[3] / "deploy" / "image" / "ag-healthcheck"


def healthcheck(path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AG_WORKER_HEALTH_FILE": str(path), "AG_WORKER_HEALTH_MAX_AGE": "60"}
    return subprocess.run(
        [sys.executable, str(HEALTHCHECK), "worker"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_healthy_when_it_can_claim(tmp_path: Path) -> None:
    check = heartbeat.check_worker(broker_connected=True, docker_socket=None)
    heartbeat.record(name="grader@a1", queues="grader", check=check, health_file=tmp_path / "h")

    assert check.healthy and check.problems == []
    row = WorkerHeartbeat.objects.get(name="grader@a1")
    assert (row.healthy, row.queues) == (True, "grader")
    assert healthcheck(tmp_path / "h").returncode == 0


def test_a_lost_broker_or_another_release_makes_it_unhealthy(tmp_path: Path) -> None:
    release.release_record(release="0.2.0+new")
    with override_settings(RELEASE="0.1.0+old"):
        check = heartbeat.check_worker(broker_connected=False, docker_socket=None)
        heartbeat.record(name="grader@a2", queues="grader", check=check, health_file=tmp_path / "h")

    assert check.problems == [
        "release: this worker runs release '0.1.0+old' but release '0.2.0+new' is deployed",
        "broker: not connected",
    ]
    assert WorkerHeartbeat.objects.get(name="grader@a2").healthy is False
    result = healthcheck(tmp_path / "h")
    assert result.returncode == 1 and "broker: not connected" in result.stdout


def test_an_unreachable_docker_daemon_makes_a_grader_unhealthy(tmp_path: Path) -> None:
    socket_file = tmp_path / "docker.sock"
    socket_file.touch()  # a socket path nothing listens on
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DOCKER_HOST", f"unix://{socket_file}")
        check = heartbeat.check_worker(broker_connected=True, docker_socket=str(socket_file))
    assert not check.healthy
    assert check.problems[0].startswith("docker: ")


def test_a_stale_or_missing_heartbeat_is_unhealthy(tmp_path: Path) -> None:
    assert healthcheck(tmp_path / "missing").returncode == 1
    stale = tmp_path / "stale"
    stale.write_text(json.dumps({"time": time.time() - 600, "healthy": True, "problems": []}))
    result = healthcheck(stale)
    assert result.returncode == 1 and "600 s ago" in result.stdout


def test_the_heartbeat_thread_records_and_stops_an_old_release(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    class Consumer:
        hostname = "grader@a3"
        connection = type("Conn", (), {"connected": True})()
        app = type(
            "App",
            (),
            {
                "amqp": type(
                    "Amqp", (), {"queues": type("Q", (), {"consume_from": {"h8-grader": None}})()}
                )()
            },
        )()

    settings.WORKER_HEALTH_FILE = str(tmp_path / "health.json")
    stopped: list[bool] = []
    monkeypatch.setattr(release, "stop_this_worker", lambda: stopped.append(True))
    beat = heartbeat.Heartbeat(Consumer())
    beat.docker_socket = str(tmp_path / "no-docker-here")

    assert beat.beat().healthy and stopped == []
    release.release_record(release="0.2.0+new")
    with override_settings(RELEASE="0.1.0+old"):
        assert not beat.beat().healthy
    assert stopped == [True]
    assert WorkerHeartbeat.objects.get(name="grader@a3").queues == "h8-grader"
