"""Grading pipeline benchmark: uploads through a real Celery worker to finished results.

Runs against PostgreSQL, RabbitMQ, Redis and Docker, with a real worker subprocess
(`celery -A autograder worker -Q fast,grader,deferred,rerun -c 2 --pool prefork`). An upload is
a call to `submissions.services.submission_create`, the service the API calls; the benchmark
reads the submission's status whenever its live status event arrives on Redis (what a student's
browser stream wakes on), and at the latest every 50 ms, until it reaches a final status.
(Before 2026-12-05 it only polled every 50 ms, which added about 25 ms of notice to every
latency sample.) Phases:

- latency: a project of 1 suite x 10 Python one-liner commands; after 2 warm-up uploads,
  20 uploads one at a time on an idle system (a short pause between two, as between two
  students): `latency_s_p50`, `latency_s_p95` (upload -> finished_grading).
- throughput: the same project, 200 uploads at once (one per group: a group may have only
  one active submission); `throughput_per_min` = finished / (first upload -> last finished).
- surge: `--surge-size` uploads over two projects: a slow project (1 suite x
  `--slow-commands` commands of `--slow-seconds` each) takes `--slow-share` of them, all
  uploaded at once (a class flooding the queue before its deadline); then the fast project
  above gets the rest, one every `--fast-interval-s` (another class working as usual).
  `surge_lost` counts submissions not in a final status
  (finished_grading, rejected, error, removed_from_queue) when the deadline passes;
  `fast_project_wait_s_p95` is the queue wait (queued -> claimed) of the fast project's
  submissions. `fast_project_wait_s_p95_floor` is what its own backlog alone costs even with
  every slot to itself (position x mean grading time / slots), to tell unfairness from load.

- claim: with the worker stopped, `--claim-pending` (100,000) jobs wait on a queue no worker
  consumes, across 500 projects, 20 of them running in the 10 busiest; `claim_ms_p50` /
  `claim_ms_p95` time one claim (query and row lock, rolled back) as workers run it, and
  `claim_ms_p50_counting` the same order computed by counting running jobs per pending job
  (the comparison row: the query fair dispatch was first written with). `--claim-only`
  runs this phase alone (no worker, no Docker).

Per phase, `stages` splits each submission's time, from the rows' timestamps:
upload (submission_create), queue_wait (queued -> job claimed), database (claim -> suite
started, plus suite finished -> submission finished: status updates, loading the test
configuration, storing results), sandbox (suite started -> finished: image check, files,
acquire, commands, release; `commands` is the part spent in the commands themselves) and
notice (finished -> seen by the benchmark, on the live event or its poll; while it is still
uploading a batch, the benchmark does not look, so notice grows in the throughput and surge
phases).

Isolation: the benchmark drops and creates its own database (`--db-name`, default
ag_bench) on the server of AG_DATABASE_URL and migrates it; files go to a temporary
AG_DATA_DIR shared with the worker; the grading queues of the broker are purged at start.
On a broker that others use, give the benchmark a virtual host of its own:

    rabbitmqctl add_vhost ag_bench
    rabbitmqctl set_permissions -p ag_bench guest '.*' '.*' '.*'

The worker stands in for no beat: the benchmark runs the lease reaper itself every
AG_REAPER_INTERVAL_SECONDS (15 s), as beat would, and reports what it did. At the end it stops
the worker (SIGTERM, then SIGKILL), reports the sandbox containers (label
org.autograder.sandbox) the worker left behind, removes those whose owner process is gone,
and drops the database (unless --keep-db).

    cd autograder-server
    AG_DATABASE_URL=postgres://postgres@127.0.0.1:5432/autograder \\
    AG_BROKER_URL=amqp://guest:guest@127.0.0.1:5672/ag_bench \\
    AG_REDIS_URL=redis://127.0.0.1:6379/0 \\
    ../.venv/bin/python benchmarks/pipeline_bench.py --json [--quick]

The comparison row is the same run with `--fifo --surge-only`: the worker then serves jobs
strictly oldest-first across projects (AG_GRADING_FAIR_DISPATCH=false), as one shared
first-come-first-served queue would, and the fast project waits behind the whole flood.

The full run takes about 20 minutes on 2 cores; --quick (5 latency samples, 20 for
throughput, a surge of 40) about 2. Progress goes to stderr; the last line on stdout is one
JSON object with the figures, the targets and the parameters used.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

SERVER_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = SERVER_DIR.parent
sys.path.insert(0, str(SERVER_DIR))

if TYPE_CHECKING:
    from autograder.accounts.models import User
    from autograder.groups.models import Group
    from autograder.projects.models import Project

GRADING_QUEUES = ("fast", "grader", "deferred", "rerun")
FINAL_STATUSES = ("finished_grading", "rejected", "error", "removed_from_queue")
POLL_S = 0.05
SANDBOX_LABEL = "org.autograder.sandbox"
STUDENT_CODE = b"def square(x):\n    return x * x\n"
FAST_COMMANDS = 10
TARGETS = {
    "latency_s_p50": ("<=", 0.25),
    "throughput_per_min": (">=", 300.0),
    "surge_lost": ("==", 0),
    "fast_project_wait_s_p95": ("<=", 30.0),
    "claim_ms_p50": ("<=", 5.0),
}


def log(message: str) -> None:
    print(f"[pipeline_bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def quantile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    value = ordered[low] + (ordered[high] - ordered[low]) * (position - low)
    return round(value, 3)


def spread(values: Sequence[float]) -> dict[str, float | None]:
    mean = round(sum(values) / len(values), 3) if values else None
    return {"p50": quantile(values, 0.5), "p95": quantile(values, 0.95), "mean": mean}


# --- Parameters and environment -------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Params:
    concurrency: int
    warmups: int
    latency_runs: int
    latency_gap_s: float
    throughput_size: int
    surge_size: int
    slow_share: float
    slow_seconds: float
    slow_commands: int
    surge_deadline_s: float | None
    fast_interval_s: float
    fifo: bool
    surge_only: bool
    claim_only: bool
    claim_pending: int
    claim_samples: int

    @property
    def surge_slow(self) -> int:
        return round(self.surge_size * self.slow_share)

    @property
    def surge_fast(self) -> int:
        return self.surge_size - self.surge_slow


@dataclasses.dataclass(frozen=True)
class Environment:
    env: dict[str, str]
    data_dir: Path
    admin_url: str
    db_name: str


def database_url(base: str, name: str) -> str:
    return urllib.parse.urlsplit(base)._replace(path=f"/{name}").geturl()


def prepare_environment(args: argparse.Namespace, data_dir: Path) -> Environment:
    env = dict(os.environ)
    env.update(
        {
            "AG_GRADING_FAIR_DISPATCH": "false" if args.fifo else "true",
            "AG_DATABASE_URL": database_url(args.database_url, args.db_name),
            "AG_BROKER_URL": args.broker_url,
            "AG_REDIS_URL": args.redis_url,
            "AG_DATA_DIR": str(data_dir),
            "AG_MEDIA_ROOT": str(data_dir / "media"),
            "AG_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "autograder.settings",
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(SERVER_DIR), os.environ.get("PYTHONPATH", "")) if p
            ),
        }
    )
    return Environment(
        env=env,
        data_dir=data_dir,
        admin_url=database_url(args.database_url, "postgres"),
        db_name=args.db_name,
    )


def _admin_execute(environment: Environment, statement: str) -> None:
    import psycopg
    from psycopg import sql

    query = sql.SQL(statement).format(name=sql.Identifier(environment.db_name))
    with psycopg.connect(environment.admin_url, autocommit=True) as conn:
        conn.execute(query)


def database_create(environment: Environment) -> None:
    _admin_execute(environment, "DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _admin_execute(environment, "CREATE DATABASE {name}")
    subprocess.run(
        [sys.executable, str(REPO_DIR / "manage.py"), "migrate", "-v", "0"],
        env=environment.env,
        check=True,
        cwd=REPO_DIR,
    )


def database_drop(environment: Environment) -> None:
    from django.db import connections

    connections.close_all()
    _admin_execute(environment, "DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def django_setup(environment: Environment) -> None:
    os.environ.update(environment.env)
    import django

    django.setup()


def purge_grading_queues() -> dict[str, int]:
    from amqp.exceptions import NotFound

    from autograder.celery import app

    purged: dict[str, int] = {}
    with app.connection_for_write() as conn:
        for name in GRADING_QUEUES:
            channel: Any = conn.channel()  # kombu types channels as the bare protocol
            try:
                purged[name] = int(channel.queue_purge(name) or 0)
            except NotFound:
                purged[name] = 0
            finally:
                with contextlib.suppress(Exception):
                    channel.close()
    return purged


# --- The worker -----------------------------------------------------------------------------


class Worker:
    """A real Celery worker subprocess, in its own process group."""

    def __init__(self, environment: Environment, concurrency: int) -> None:
        self.name = f"pipeline-bench-{os.getpid()}@{socket.gethostname()}"
        self.log_path = environment.data_dir / "worker.log"
        self._env = environment.env
        self._concurrency = concurrency
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 90.0) -> None:
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "autograder",
            "worker",
            "-Q",
            ",".join(GRADING_QUEUES),
            "-c",
            str(self._concurrency),
            "--pool",
            "prefork",
            "-l",
            "warning",
            "-n",
            self.name,
            "--without-gossip",
            "--without-mingle",
        ]
        with self.log_path.open("wb") as out:
            self._process = subprocess.Popen(
                command,
                cwd=SERVER_DIR,
                env=self._env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready(timeout_s)

    def _wait_ready(self, timeout_s: float) -> None:
        from autograder.celery import app

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"the worker exited at start:\n{self.log_tail()}")
            if app.control.ping(destination=[self.name], timeout=1.0):
                return
        raise RuntimeError(f"the worker did not answer a ping in {timeout_s} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    def problems(self) -> int:
        """Lines of the worker's log that report an error or a traceback."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return sum(1 for line in text.splitlines() if "ERROR" in line or "Traceback" in line)

    def stop(self, grace_s: float = 30.0) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace_s)
        except subprocess.TimeoutExpired:
            log("worker did not stop in time; killing its process group")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def labelled_containers() -> dict[str, str]:
    """Container id -> owner label of every sandbox container on the daemon."""
    from autograder.sandbox.docker_backend import LABEL_OWNER, DockerBackend

    backend = DockerBackend()
    return {
        str(c["Id"]): str((c.get("Labels") or {}).get(LABEL_OWNER, ""))
        for c in backend.labelled_containers()
    }


def remove_leftovers(before: set[str]) -> dict[str, int]:
    """Containers the worker left behind; those whose owner process is gone are removed
    (as the library's sweep would), others are only counted."""
    from autograder.sandbox.docker_backend import DockerBackend, owner_alive

    leftovers = {cid: owner for cid, owner in labelled_containers().items() if cid not in before}
    backend = DockerBackend()
    removed = 0
    for container_id, owner in leftovers.items():
        if owner_alive(owner) is False:
            with contextlib.suppress(Exception):
                backend.remove(container_id)
                removed += 1
    return {"after_stop": len(leftovers), "removed": removed}


# --- Test data ------------------------------------------------------------------------------


def course_create() -> Any:
    from autograder.courses.models import Course, Semester

    return Course.objects.create(name="Pipeline benchmark", semester=Semester.FALL, year=2026)


def project_create(*, course: Any, name: str, commands: list[tuple[str, str]]) -> Project:
    """A project open to students with 1 suite; each (cmd, expected stdout) is a test case."""
    import datetime

    from django.utils import timezone

    from autograder.grading.config.models import AGTestCase, AGTestCommand, AGTestSuite
    from autograder.projects.models import ExpectedStudentFile, Project

    project = Project.objects.create(
        course=course,
        name=name,
        visible_to_students=True,
        closing_time=timezone.now() + datetime.timedelta(days=7),
    )
    ExpectedStudentFile.objects.create(
        project=project, pattern="*", min_num_matches=0, max_num_matches=100
    )
    suite = AGTestSuite.objects.create(project=project, name="Tests")
    for order, (cmd, expected) in enumerate(commands):
        case = AGTestCase.objects.create(suite=suite, name=f"Case {order}", order=order)
        AGTestCommand.objects.create(
            case=case,
            name=f"Command {order}",
            cmd=cmd,
            expected_return_code="zero",
            expected_stdout_source="text",
            expected_stdout_text=expected,
            points_for_correct_return_code=1,
            points_for_correct_stdout=1,
            time_limit_s=min(90, math.ceil(_sleep_of(cmd)) + 10),
        )
    return project


def _sleep_of(cmd: str) -> float:
    marker = "time.sleep("
    if marker not in cmd:
        return 0.0
    return float(cmd.split(marker, 1)[1].split(")", 1)[0])


def fast_commands() -> list[tuple[str, str]]:
    return [
        (f'python3 -c "from main import square; print(square({i}))"', f"{i * i}\n")
        for i in range(FAST_COMMANDS)
    ]


def slow_commands(seconds: float, count: int) -> list[tuple[str, str]]:
    cmd = f"python3 -c \"import time; time.sleep({seconds}); print('done')\""
    return [(cmd, "done\n")] * count


def groups_create(project: Project, count: int, tag: str) -> list[tuple[Group, User]]:
    """`count` solo groups, each with its own student."""
    from autograder.accounts.models import User
    from autograder.courses.models import CourseMembership, Role
    from autograder.groups.models import Group, GroupMembership

    users = User.objects.bulk_create(
        [
            User(username=f"{tag}-{i}@bench.example", email=f"{tag}-{i}@bench.example")
            for i in range(count)
        ]
    )
    CourseMembership.objects.bulk_create(
        [CourseMembership(course_id=project.course_id, user=u, role=Role.STUDENT) for u in users]
    )
    groups = Group.objects.bulk_create([Group(project=project) for _ in users])
    pairs = list(zip(groups, users, strict=True))
    Group.members.through.objects.bulk_create(
        [Group.members.through(group_id=g.pk, user_id=u.pk) for g, u in pairs]
    )
    GroupMembership.objects.bulk_create(
        [GroupMembership(group=g, project=project, user=u) for g, u in pairs]
    )
    return pairs


# --- Uploading and watching -----------------------------------------------------------------


@dataclasses.dataclass
class Sample:
    submission_id: int
    project_id: int
    started: float
    created: float
    status: str = ""
    seen: float | None = None


def upload(group: Group, student: User) -> Sample:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from autograder.submissions.services import submission_create

    started = time.time()
    submission = submission_create(
        group=group, submitter=student, files=[SimpleUploadedFile("main.py", STUDENT_CODE)]
    )
    return Sample(
        submission_id=submission.pk,
        project_id=submission.project_id,
        started=started,
        created=time.time(),
    )


class Reaper:
    """Runs the lease reaper as beat would (every AG_REAPER_INTERVAL_SECONDS)."""

    def __init__(self) -> None:
        self.interval_s = float(os.environ.get("AG_REAPER_INTERVAL_SECONDS") or 15.0)
        self._last = time.monotonic()
        self.requeued = 0
        self.failed = 0
        self.wakeups = 0

    def maybe_run(self) -> None:
        if time.monotonic() - self._last < self.interval_s:
            return
        from autograder.grading.pipeline import reaper

        self._last = time.monotonic()
        report = reaper.jobs_reap()
        self.requeued += len(report.requeued)
        self.failed += len(report.failed)
        self.wakeups += sum(report.wakeups.values())

    def summary(self) -> dict[str, int]:
        return {"requeued": self.requeued, "failed": self.failed, "wakeups_sent": self.wakeups}


def wait_final(samples: Sequence[Sample], deadline: float, reaper: Reaper) -> None:
    """Waits until every sample reached a final status or the (time.time()) deadline: reads
    the database whenever a submission's live status event arrives (what a watching
    browser's stream wakes on), and at the latest every POLL_S."""
    from django.conf import settings

    from autograder.common import live_events
    from autograder.submissions.models import Submission

    waiting = {s.submission_id: s for s in samples if s.seen is None}
    client = live_events.publisher(settings.REDIS_URL)
    pubsub = client.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
    pubsub.psubscribe(live_events.SUBMISSION_PATTERN)
    try:
        while waiting and time.time() < deadline:
            rows = list(
                Submission.objects.filter(
                    pk__in=list(waiting), status__in=FINAL_STATUSES
                ).values_list("pk", "status")
            )
            now = time.time()
            for pk, status in rows:
                sample = waiting.pop(pk)
                sample.status, sample.seen = status, now
            reaper.maybe_run()
            if waiting:
                pubsub.get_message(timeout=POLL_S)
                while pubsub.get_message(timeout=0) is not None:
                    pass  # one read of the database answers every event so far
    finally:
        pubsub.close()


# --- Where the time goes --------------------------------------------------------------------


@dataclasses.dataclass
class Timeline:
    queued: float | None = None
    claimed: float | None = None
    job_finished: float | None = None
    suite_started: float | None = None
    suite_finished: float | None = None
    sandbox_s: float = 0.0
    commands_s: float = 0.0
    finished: float | None = None


def _ts(value: Any) -> float | None:
    return value.timestamp() if value is not None else None


def timelines(samples: Sequence[Sample]) -> dict[int, Timeline]:
    from django.db.models import Sum

    from autograder.grading.pipeline.models import GradingJob
    from autograder.grading.results.models import AGTestCommandResult, AGTestSuiteResult
    from autograder.submissions.models import Submission

    ids = [s.submission_id for s in samples]
    found = {
        pk: Timeline(queued=_ts(queued), finished=_ts(finished))
        for pk, queued, finished in Submission.objects.filter(pk__in=ids).values_list(
            "pk", "queued_at", "finished_at"
        )
    }
    jobs = GradingJob.objects.filter(submission_id__in=ids, kind="grade").order_by("pk")
    for sub_id, claimed, done in jobs.values_list("submission_id", "claimed_at", "finished_at"):
        found[sub_id].claimed, found[sub_id].job_finished = _ts(claimed), _ts(done)
    suites = AGTestSuiteResult.objects.filter(submission_id__in=ids)
    for sub_id, started, done in suites.values_list("submission_id", "started_at", "finished_at"):
        line, start, end = found[sub_id], _ts(started), _ts(done)
        if start is None or end is None:
            continue
        line.suite_started = min(start, line.suite_started or start)
        line.suite_finished = max(end, line.suite_finished or end)
        line.sandbox_s += end - start
    commands = (
        AGTestCommandResult.objects.filter(case_result__suite_result__submission_id__in=ids)
        .values("case_result__suite_result__submission_id")
        .annotate(ms=Sum("duration_ms"))
        .values_list("case_result__suite_result__submission_id", "ms")
    )
    for sub_id, total_ms in commands:
        found[sub_id].commands_s = (total_ms or 0) / 1000
    return found


def _gap(end: float | None, start: float | None) -> float | None:
    return end - start if end is not None and start is not None else None


def stages(samples: Sequence[Sample]) -> dict[str, dict[str, float | None]]:
    lines = timelines(samples)
    columns: dict[str, list[float]] = {
        name: []
        for name in (
            "total",
            "upload",
            "queue_wait",
            "database",
            "database_before_sandbox",
            "database_after_sandbox",
            "sandbox",
            "commands",
            "notice",
        )
    }
    for sample in samples:
        line = lines[sample.submission_id]
        before = _gap(line.suite_started, line.claimed)
        after = _gap(line.finished, line.suite_finished)
        values = {
            "total": _gap(sample.seen, sample.started),
            "upload": sample.created - sample.started,
            "queue_wait": _gap(line.claimed, line.queued),
            "database": before + after if before is not None and after is not None else None,
            "database_before_sandbox": before,
            "database_after_sandbox": after,
            "sandbox": line.sandbox_s if line.suite_started is not None else None,
            "commands": line.commands_s if line.suite_started is not None else None,
            "notice": _gap(sample.seen, line.finished),
        }
        for name, value in values.items():
            if value is not None:
                columns[name].append(value)
    return {name: spread(values) for name, values in columns.items()}


def queue_waits(samples: Sequence[Sample], now: float) -> list[float]:
    """Queued -> claimed; a submission never claimed counts as waiting until `now`."""
    lines = timelines(samples)
    waits = []
    for sample in samples:
        line = lines[sample.submission_id]
        queued = line.queued if line.queued is not None else sample.created
        waits.append((line.claimed if line.claimed is not None else now) - queued)
    return waits


def mean_grading_s(samples: Sequence[Sample]) -> float:
    lines = timelines(samples).values()
    took = [
        line.job_finished - line.claimed
        for line in lines
        if line.claimed is not None and line.job_finished is not None
    ]
    return sum(took) / len(took) if took else 0.0


# --- Phases ---------------------------------------------------------------------------------


def phase_latency(project: Project, params: Params, reaper: Reaper) -> dict[str, Any]:
    warm = groups_create(project, params.warmups, "warm")
    warm_samples = [upload(group, student) for group, student in warm]
    wait_final(warm_samples, time.time() + 180, reaper)
    log(f"warm-up: {[s.status or 'unfinished' for s in warm_samples]}")
    ((group, student),) = groups_create(project, 1, "latency")
    samples: list[Sample] = []
    for _ in range(params.latency_runs):
        time.sleep(params.latency_gap_s)
        sample = upload(group, student)
        wait_final([sample], time.time() + 120, reaper)
        samples.append(sample)
        if sample.status != "finished_grading":
            log(f"latency sample {sample.submission_id} ended as {sample.status or 'unfinished'}")
            break
    latencies = [s.seen - s.started for s in samples if s.seen is not None]
    log(f"latency: p50 {quantile(latencies, 0.5)} s over {len(latencies)} uploads")
    return {
        "latency_s_p50": quantile(latencies, 0.5),
        "latency_s_p95": quantile(latencies, 0.95),
        "stages": stages(samples),
        "unfinished": sum(1 for s in samples if s.status != "finished_grading"),
    }


def phase_throughput(project: Project, params: Params, reaper: Reaper) -> dict[str, Any]:
    groups = groups_create(project, params.throughput_size, "throughput")
    started = time.time()
    samples = [upload(group, student) for group, student in groups]
    submitted = time.time()
    deadline = submitted + 60 + params.throughput_size * 2.0 / params.concurrency
    wait_final(samples, deadline, reaper)
    finished = [s for s in samples if s.status == "finished_grading" and s.seen is not None]
    last = max((s.seen for s in finished if s.seen is not None), default=time.time())
    rate = round(len(finished) / (last - started) * 60, 1) if finished else 0.0
    log(f"throughput: {len(finished)}/{len(samples)} finished, {rate} per minute")
    return {
        "throughput_per_min": rate,
        "submitted": len(samples),
        "finished": len(finished),
        "upload_all_s": round(submitted - started, 2),
        "first_upload_to_last_finished_s": round(last - started, 2),
        "stages": stages(samples),
    }


def surge_deadline_s(params: Params) -> float:
    if params.surge_deadline_s is not None:
        return params.surge_deadline_s
    slow_each = params.slow_seconds * params.slow_commands + 3.0
    work = params.surge_fast * 2.0 + params.surge_slow * slow_each
    return 120 + work / params.concurrency


def phase_surge(
    course: Any, fast_project: Project, params: Params, reaper: Reaper
) -> dict[str, Any]:
    slow_project = project_create(
        course=course,
        name="Slow project",
        commands=slow_commands(params.slow_seconds, params.slow_commands),
    )
    fast_groups = iter(groups_create(fast_project, params.surge_fast, "surge-fast"))
    slow_groups = iter(groups_create(slow_project, params.surge_slow, "surge-slow"))
    started = time.time()
    samples: list[Sample] = []
    refused = 0

    def submit(group: Group, student: User) -> None:
        nonlocal refused
        try:
            samples.append(upload(group, student))
        except Exception as error:  # a refused upload is reported, not fatal
            refused += 1
            log(f"surge upload refused: {error}")

    for group, student in slow_groups:
        submit(group, student)
    log(
        f"surge: {params.surge_slow} slow uploads at once, "
        f"then a fast one every {params.fast_interval_s} s"
    )
    next_at = time.time()
    for group, student in fast_groups:
        time.sleep(max(0.0, next_at - time.time()))
        next_at += params.fast_interval_s
        submit(group, student)
        reaper.maybe_run()
    submitted = time.time()
    log(f"surge: {len(samples)} uploaded in {submitted - started:.1f} s; waiting")
    wait_final(samples, submitted + surge_deadline_s(params), reaper)
    end = time.time()
    fast = [s for s in samples if s.project_id == fast_project.pk]
    slow = [s for s in samples if s.project_id == slow_project.pk]
    fast_waits = queue_waits(fast, end)
    statuses = [s.status for s in samples]
    floor_position = 0.95 * len(fast)
    floor = floor_position * mean_grading_s(fast) / params.concurrency
    result = {
        "surge_submitted": len(samples),
        "surge_refused": refused,
        "surge_finished": statuses.count("finished_grading"),
        "surge_error": statuses.count("error"),
        "surge_lost": sum(1 for status in statuses if status not in FINAL_STATUSES),
        "fast_project_wait_s_p95": quantile(fast_waits, 0.95),
        "fast_project_wait_s_p50": quantile(fast_waits, 0.5),
        "fast_project_wait_s_p95_floor": round(floor, 1),
        "slow_project_wait_s_p95": quantile(queue_waits(slow, end), 0.95),
        "upload_all_s": round(submitted - started, 2),
        "first_upload_to_last_final_s": round(
            max((s.seen for s in samples if s.seen is not None), default=end) - started, 1
        ),
        "stages_fast": stages(fast),
        "stages_slow": stages(slow),
    }
    log(
        f"surge: {result['surge_finished']} finished, {result['surge_lost']} lost, "
        f"fast p95 wait {result['fast_project_wait_s_p95']} s"
    )
    return result


# --- Main -----------------------------------------------------------------------------------


CLAIM_QUEUE = "bench-claim"
"""No worker consumes it: the claim phase's jobs stay where it put them."""


def phase_claim(course: Any, *, pending: int, projects: int, samples: int) -> dict[str, Any]:
    """`pending` jobs waiting across `projects` projects, a few running in some of them; the
    time of one claim (the claim query and its row lock, in a transaction rolled back so the
    queue stays the same), with fair dispatch as the worker runs it and, as the comparison
    row, the same order counted per pending job (the query fair dispatch was first written
    with)."""
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from autograder.accounts.models import User
    from autograder.grading.pipeline import dispatch
    from autograder.grading.pipeline.models import GradingJob, JobKind, JobState
    from autograder.groups.models import Group
    from autograder.projects.models import Project
    from autograder.submissions.models import Submission, SubmissionStatus

    log(f"claim phase: {pending} pending jobs across {projects} projects")
    student = User.objects.create(username="claim@bench.example", email="claim@bench.example")
    made = Project.objects.bulk_create(
        [Project(course=course, name=f"Claim {i}") for i in range(projects)]
    )
    groups = Group.objects.bulk_create([Group(project=p) for p in made])
    base = timezone.now() - datetime.timedelta(days=1)
    running = 20
    total = pending + running
    per_project = [total // projects + (1 if i < total % projects else 0) for i in range(projects)]
    for start in range(0, projects, 50):
        chunk = list(zip(made[start : start + 50], groups[start : start + 50], strict=True))
        submissions = Submission.objects.bulk_create(
            [
                Submission(
                    group=group,
                    project=project,
                    submitter=student,
                    status=SubmissionStatus.FINISHED_GRADING,
                )
                for offset, (project, group) in enumerate(chunk)
                for _ in range(per_project[start + offset])
            ],
            batch_size=5000,
        )
        GradingJob.objects.bulk_create(
            [
                GradingJob(
                    submission=submission,
                    project_id=submission.project_id,
                    kind=JobKind.RERUN,
                    queue=CLAIM_QUEUE,
                    state=JobState.PENDING,
                    enqueued_at=base + datetime.timedelta(milliseconds=(n * 7919) % 86_400_000),
                )
                for n, submission in enumerate(submissions, start=sum(per_project[:start]))
            ],
            batch_size=5000,
        )
    # The busiest projects have jobs running, as on a deadline night.
    to_run = GradingJob.objects.filter(queue=CLAIM_QUEUE, project__in=made[:10]).values_list(
        "pk", flat=True
    )[:running]
    GradingJob.objects.filter(pk__in=list(to_run)).update(state=JobState.RUNNING)
    with connection_cursor() as cursor:
        cursor.execute("VACUUM ANALYZE grading_gradingjob")  # as autovacuum would
    waiting = GradingJob.objects.filter(queue=CLAIM_QUEUE, state=JobState.PENDING).count()

    def timed(claim: Any) -> list[float]:
        times = []
        for _ in range(samples):
            with transaction.atomic():
                started = time.perf_counter()
                job_id = claim(queue=CLAIM_QUEUE)
                times.append((time.perf_counter() - started) * 1000)
                assert job_id is not None
                transaction.set_rollback(True)
        return times

    timed(dispatch.next_pending_job_id)  # warm the caches
    fair = timed(dispatch.next_pending_job_id)
    counting = timed(dispatch.next_pending_job_id_counting)
    with transaction.atomic():
        same = dispatch.next_pending_job_id(
            queue=CLAIM_QUEUE
        ) == dispatch.next_pending_job_id_counting(queue=CLAIM_QUEUE)
        transaction.set_rollback(True)
    return {
        "claim_ms_p50": round(quantile(fair, 0.5) or 0, 2),
        "claim_ms_p95": round(quantile(fair, 0.95) or 0, 2),
        "claim_ms_p50_counting": round(quantile(counting, 0.5) or 0, 2),
        "claim_pending_jobs": waiting,
        "claim_projects": projects,
        "claim_running_jobs": running,
        "claim_same_job_as_counting": same,
    }


@contextlib.contextmanager
def connection_cursor() -> Iterator[Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        yield cursor


def targets_met(result: dict[str, Any]) -> dict[str, bool | None]:
    met: dict[str, bool | None] = {}
    for key, (op, bound) in TARGETS.items():
        value = result.get(key)
        if value is None:
            met[key] = None
        elif op == "<=":
            met[key] = value <= bound
        elif op == ">=":
            met[key] = value >= bound
        else:
            met[key] = value == bound
    return met


def run(environment: Environment, params: Params) -> dict[str, Any]:
    log("creating the database and migrating")
    database_create(environment)
    django_setup(environment)
    if params.claim_only:
        return phase_claim(
            course_create(),
            pending=params.claim_pending,
            projects=500,
            samples=params.claim_samples,
        )
    purged = purge_grading_queues()
    before = set(labelled_containers())
    worker = Worker(environment, params.concurrency)
    reaper = Reaper()
    result: dict[str, Any] = {}
    try:
        log("starting the worker")
        worker.start()
        course = course_create()
        fast_project = project_create(course=course, name="Fast project", commands=fast_commands())
        latency: dict[str, Any] = {"latency_s_p50": None, "latency_s_p95": None}
        throughput: dict[str, Any] = {"throughput_per_min": None}
        if not params.surge_only:
            latency = phase_latency(fast_project, params, reaper)
            throughput = phase_throughput(fast_project, params, reaper)
        surge = phase_surge(course, fast_project, params, reaper)
        worker.stop()  # the claim phase measures the database alone
        claim = phase_claim(
            course, pending=params.claim_pending, projects=500, samples=params.claim_samples
        )
        result = {
            "dispatch": "fifo" if params.fifo else "fair",
            "latency_s_p50": latency.pop("latency_s_p50"),
            "latency_s_p95": latency.pop("latency_s_p95"),
            "throughput_per_min": throughput.pop("throughput_per_min"),
            **{key: surge.pop(key) for key in list(surge) if key.startswith(("surge_", "fast_"))},
            **claim,
            "latency": latency,
            "throughput": throughput,
            "surge": surge,
        }
    except BaseException:
        log(f"worker log tail:\n{worker.log_tail()}")
        raise
    finally:
        log("stopping the worker")
        worker.stop()
    result["worker_log_problems"] = worker.problems()
    result["sandbox_leftovers"] = remove_leftovers(before)
    result["reaper"] = reaper.summary()
    result["purged_messages"] = purged
    return result


def parse_args() -> tuple[argparse.Namespace, Params]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON line on stdout")
    parser.add_argument("--quick", action="store_true", help="a small smoke run (~2 minutes)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("AG_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/autograder"),
        help="server to use (its database name is replaced by --db-name)",
    )
    parser.add_argument("--db-name", default="ag_bench", help="dropped and created afresh")
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--broker-url",
        default=os.environ.get("AG_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//"),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("AG_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--concurrency", type=int, default=2, help="worker slots")
    parser.add_argument("--latency-runs", type=int, help="sequential uploads (default 20)")
    parser.add_argument("--latency-gap-s", type=float, default=1.0, help="idle time between two")
    parser.add_argument("--throughput-size", type=int, help="uploads at once (default 200)")
    parser.add_argument("--surge-size", type=int, help="uploads at once (default 500)")
    parser.add_argument("--slow-share", type=float, default=0.6, help="slow project's share")
    parser.add_argument(
        "--fast-interval-s", type=float, help="between two fast uploads (default 1.5; quick 0.5)"
    )
    parser.add_argument(
        "--fifo", action="store_true", help="worker serves oldest-first (the comparison row)"
    )
    parser.add_argument("--surge-only", action="store_true", help="skip latency and throughput")
    parser.add_argument(
        "--claim-only", action="store_true", help="only the claim phase (no worker, no Docker)"
    )
    parser.add_argument(
        "--claim-pending", type=int, help="pending jobs of the claim phase (default 100000)"
    )
    parser.add_argument("--slow-seconds", type=float, default=5.0, help="each slow command")
    parser.add_argument("--slow-commands", type=int, default=1, help="commands of the slow suite")
    parser.add_argument("--surge-deadline-s", type=float, help="after the last upload")
    args = parser.parse_args()
    if not 0 <= args.slow_share <= 1 or not 0 < args.slow_seconds <= 80:
        parser.error("--slow-share must be in [0, 1] and --slow-seconds in (0, 80]")
    params = Params(
        concurrency=args.concurrency,
        warmups=2,
        latency_runs=args.latency_runs or (5 if args.quick else 20),
        latency_gap_s=args.latency_gap_s,
        throughput_size=args.throughput_size or (20 if args.quick else 200),
        surge_size=args.surge_size or (40 if args.quick else 500),
        slow_share=args.slow_share,
        slow_seconds=args.slow_seconds,
        slow_commands=args.slow_commands,
        surge_deadline_s=args.surge_deadline_s,
        fast_interval_s=args.fast_interval_s or (0.5 if args.quick else 1.5),
        fifo=args.fifo,
        surge_only=args.surge_only,
        claim_only=args.claim_only,
        claim_pending=args.claim_pending or (10_000 if args.quick else 100_000),
        claim_samples=20 if args.quick else 200,
    )
    return args, params


def print_table(result: dict[str, Any]) -> None:
    for key in ("latency_s_p50", "latency_s_p95", "throughput_per_min", "surge_submitted"):
        print(f"{key:<32}{result.get(key)}")
    for key in ("surge_finished", "surge_lost", "fast_project_wait_s_p95"):
        print(f"{key:<32}{result.get(key)}")
    for phase, stage_key in (
        ("latency", "stages"),
        ("throughput", "stages"),
        ("surge", "stages_fast"),
    ):
        rows = result.get(phase, {}).get(stage_key, {})
        print(f"\n{phase} ({stage_key}): p50 / p95 seconds")
        for name, dist in rows.items():
            print(f"  {name:<26}{dist['p50']!s:>10}{dist['p95']!s:>10}")


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C, so the worker is always stopped."""

    def raise_interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main() -> None:
    args, params = parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ag-pipeline-bench-") as tmp:
        environment = prepare_environment(args, Path(tmp))
        log(f"parameters: {dataclasses.asdict(params)}")
        with terminate_as_interrupt():
            try:
                result = run(environment, params)
            finally:
                if not args.keep_db:
                    with contextlib.suppress(Exception):
                        database_drop(environment)
    result["targets_met"] = targets_met(result)
    result["params"] = {
        **dataclasses.asdict(params),
        "surge_fast": params.surge_fast,
        "surge_slow": params.surge_slow,
        "surge_deadline_s": round(surge_deadline_s(params), 1),
        "fast_project": f"1 suite x {FAST_COMMANDS} python3 -c one-liners",
        "slow_project": (
            f"1 suite x {params.slow_commands} command(s) sleeping {params.slow_seconds} s"
        ),
        "quick": args.quick,
    }
    result["elapsed_s"] = round(time.monotonic() - started, 1)
    if not args.json:
        print_table(result)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
