"""Runner API benchmark: the time from a runner API request to its callback.

Against PostgreSQL, RabbitMQ, Redis and Docker, with a real web server (`manage.py runserver`
on 127.0.0.1), a real Celery worker on every queue (grading and `small`, where callbacks are
sent) and a real callback receiver on 127.0.0.1 (AG_CALLBACK_ALLOW_PRIVATE=true for it). The
project has one suite with one command (`python3 work.py`, its stdout compared, 1 point); the
work carries one `param`. After `--warmup` works (2), `--works` works (10) are sent one at a
time, as a correctomatic client would send them: multipart POST with a machine key, wait for
the callback, next. Figures (milliseconds, p50 / p95 / max over the measured works):

- `request_to_callback_ms`: from sending the request to the receiver having the whole
  callback body: what a caller waits.
- `accept_ms`: the API's answer (the work stored and queued as a submission).
- `grading_ms`: queued -> finished_grading, from the submission's own timestamps: the part
  the pipeline takes for any submission (queue wait, sandbox, results).
- `finished_to_callback_ms`: finished_grading -> the receiver has the body: what the runner
  adds after grading (the signal, the `small` queue task, building the body, the signed POST).

The benchmark makes and drops its own database (`--db-name`, default ag_bench_runner) on the
server of AG_DATABASE_URL, uses its own queue prefix, and stops its processes at the end.

    cd autograder-server
    AG_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
    AG_BROKER_URL=amqp://guest:guest@127.0.0.1:5672// AG_REDIS_URL=redis://127.0.0.1:6379/0 \\
    ../.venv/bin/python benchmarks/runner_bench.py

Progress goes to stderr; stdout is one JSON line with the figures and the parameters.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

SERVER_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = SERVER_DIR.parent
sys.path.insert(0, str(SERVER_DIR))

WORK = b"import os\nprint('hello', os.environ['GREETING'])\n"


def log(message: str) -> None:
    print(f"[runner_bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url(base: str, name: str) -> str:
    return urllib.parse.urlsplit(base)._replace(path=f"/{name}").geturl()


def admin_execute(admin_url: str, statement: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL(statement).format(name=sql.Identifier(name)))


def spread(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "max": None}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50": round(statistics.median(ordered), 1),
        "p95": round(p95, 1),
        "max": round(ordered[-1], 1),
    }


class Receiver:
    """A callback receiver on 127.0.0.1 that notes when each body arrived (wall clock)."""

    def __init__(self) -> None:
        self.bodies: list[tuple[float, dict[str, Any]]] = []
        self.arrived = threading.Condition()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                at = time.time()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with owner.arrived:
                    owner.bodies.append((at, json.loads(body)))
                    owner.arrived.notify_all()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callback"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, count: int, timeout_s: float) -> tuple[float, dict[str, Any]]:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.bodies) >= count, timeout_s):
                raise RuntimeError(f"no callback {count} within {timeout_s} s")
            return self.bodies[count - 1]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def process(args: list[str], env: dict[str, str], log_path: Path) -> Iterator[None]:
    with log_path.open("wb") as out:
        proc = subprocess.Popen(
            args, cwd=SERVER_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        yield
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


def wait_until(condition: Any, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if condition():
                return
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what}")


def seed() -> tuple[int, str]:
    """A course, the project, and a machine key for it; (project id, key)."""
    from django.utils import timezone

    from autograder.accounts.models import User
    from autograder.courses.models import Course
    from autograder.grading.config.models import AGTestCase, AGTestCommand, AGTestSuite
    from autograder.integrations.runner.services import machine_key_create
    from autograder.projects.models import ExpectedStudentFile, Project

    course = Course.objects.create(name="Runner bench", semester="fall", year=2026)
    project = Project.objects.create(
        course=course, name="Greeting", visible_to_students=True,
        closing_time=timezone.now() + datetime.timedelta(days=7),
    )  # fmt: skip
    ExpectedStudentFile.objects.create(project=project, pattern="work.py")
    suite = AGTestSuite.objects.create(project=project, name="Greeting", order=0)
    case = AGTestCase.objects.create(suite=suite, name="greets", order=0)
    AGTestCommand.objects.create(
        case=case, name="greets", cmd="python3 work.py", expected_stdout_source="text",
        expected_stdout_text="hello bonjour\n", points_for_correct_stdout=1,
    )  # fmt: skip
    admin = User.objects.create(username="bench-admin@example.edu")
    _, secret = machine_key_create(
        course=course, name="bench", project_ids=[project.pk], feedback_category="normal",
        created_by=admin,
    )  # fmt: skip
    return project.pk, secret


def send(base_url: str, key: str, project_id: int, callback: str, work_id: str) -> float:
    """POSTs one work; returns when it was sent (wall clock)."""
    import requests

    sent = time.time()
    answer = requests.post(
        f"{base_url}/api/runner/grade/",
        headers={"Authorization": f"Bearer {key}"},
        files={"file": ("work.py", WORK)},
        data={"work_id": work_id, "assignment": str(project_id), "param": ["GREETING=bonjour"],
              "callback": callback},
        timeout=60,
    )  # fmt: skip
    if answer.status_code != 200 or not answer.json().get("success"):
        raise RuntimeError(f"the runner API refused the work: {answer.status_code} {answer.text}")
    return sent


def delete_queues() -> None:
    """This run's broker queues (its own prefix)."""
    from django.conf import settings

    from autograder.celery import app
    from autograder.grading.pipeline.queues import Queue

    with app.connection_for_write() as conn:
        channel: Any = conn.default_channel  # kombu types channels as the bare protocol
        for queue in Queue:
            channel.queue_delete(f"{settings.QUEUE_PREFIX}{queue.value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--works", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--db-name", default="ag_bench_runner")
    parser.add_argument("--database-url", default=os.environ.get("AG_DATABASE_URL", ""))
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("Set AG_DATABASE_URL to a PostgreSQL server.")

    data_dir = Path(tempfile.mkdtemp(prefix="runner-bench-"))
    admin_url = database_url(args.database_url, "postgres")
    port = free_port()
    env = {
        **os.environ,
        "AG_DATABASE_URL": database_url(args.database_url, args.db_name),
        "AG_DATA_DIR": str(data_dir),
        "AG_MEDIA_ROOT": str(data_dir / "media"),
        "AG_QUEUE_PREFIX": f"runner-bench-{os.getpid()}-",
        "AG_CALLBACK_ALLOW_PRIVATE": "true",
        "AG_LOG_LEVEL": "WARNING",
        "AG_DEBUG": "false",
        "AG_SECURE_COOKIES": "false",
        "AG_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "AG_SANDBOX_POOL_SIZE": "1",
        "DJANGO_SETTINGS_MODULE": "autograder.settings",
        "PYTHONPATH": str(SERVER_DIR),
    }
    admin_execute(admin_url, "DROP DATABASE IF EXISTS {name} WITH (FORCE)", args.db_name)
    admin_execute(admin_url, "CREATE DATABASE {name}", args.db_name)
    receiver = Receiver()
    try:
        log("migrating")
        subprocess.run(
            [sys.executable, str(REPO_DIR / "manage.py"), "migrate", "-v", "0"],
            env=env, check=True, cwd=REPO_DIR,
        )  # fmt: skip
        os.environ.update(env)
        import django

        django.setup()
        from django.conf import settings

        from autograder.grading.pipeline.queues import Queue
        from autograder.integrations.runner.models import RunnerWork

        project_id, key = seed()
        queues = ",".join(f"{settings.QUEUE_PREFIX}{q.value}" for q in Queue)
        worker = [sys.executable, "-m", "celery", "-A", "autograder.celery", "worker", "-Q",
                  queues, "-c", "2", "-l", "warning", "-n", f"runner-bench-{os.getpid()}@%h",
                  "--without-gossip", "--without-mingle"]  # fmt: skip
        web = [sys.executable, str(REPO_DIR / "manage.py"), "runserver", f"127.0.0.1:{port}",
               "--noreload"]  # fmt: skip
        base_url = f"http://127.0.0.1:{port}"
        with (
            process(worker, env, data_dir / "worker.log"),
            process(web, env, data_dir / "web.log"),
        ):
            import requests

            wait_until(lambda: requests.get(f"{base_url}/api/health/", timeout=2).ok, 60, "web")
            total = args.warmup + args.works
            rows = []
            for n in range(1, total + 1):
                sent = send(base_url, key, project_id, receiver.url, f"w{n}")
                accepted = time.time()
                arrived, body = receiver.wait(n, timeout_s=300)
                if body.get("success") is not True or body.get("grade") != 10:
                    raise RuntimeError(f"unexpected callback body {body}")
                work = RunnerWork.objects.select_related("submission").get(work_id=f"w{n}")
                sub = work.submission
                assert sub.finished_at is not None and sub.queued_at is not None
                if n > args.warmup:
                    rows.append({
                        "request_to_callback": (arrived - sent) * 1000,
                        "accept": (accepted - sent) * 1000,
                        "grading": (sub.finished_at - sub.queued_at).total_seconds() * 1000,
                        "finished_to_callback": (arrived - sub.finished_at.timestamp()) * 1000,
                    })  # fmt: skip
                log(f"work {n}/{total}: {(arrived - sent) * 1000:.0f} ms to its callback")
        result = {
            "benchmark": "runner_bench",
            **{
                f"{name}_ms": spread([row[name] for row in rows])
                for name in ("request_to_callback", "accept", "grading", "finished_to_callback")
            },
            "works": args.works,
            "warmup": args.warmup,
            "cpus": os.cpu_count(),
            "load_avg_1m": round(os.getloadavg()[0], 2),
        }
        print(json.dumps(result))
    finally:
        receiver.close()
        with contextlib.suppress(Exception):
            delete_queues()
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        admin_execute(admin_url, "DROP DATABASE IF EXISTS {name} WITH (FORCE)", args.db_name)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
