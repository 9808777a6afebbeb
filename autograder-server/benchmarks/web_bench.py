"""Web tier benchmark: the production web server under deadline load.

Starts the web server as the stack runs it (the `web` role of deploy/image/ag-entrypoint:
uvicorn, 2 workers, AG_DEBUG=false, the stack's AG_DB_POOL_SIZE) on PostgreSQL (a database of
its own) and Redis, with a seeded course: 500 students in solo groups, each with 2 graded
submissions (1 suite, 1 test, 1 command) and one being graded; a second project has 2,000
groups with a graded submission each (the gradebook). Then, against 127.0.0.1 only:

1. `results`: wrk, 32 connections, GET /api/submissions/<id>/results/ as the students (each
   request a random student and their own submission; sessions as the browser has them);
   then the same load paced at 300 requests/s (below). Before it, every submission is read
   once (`results_first_read_ms_p50`: such a first read renders and caches the body), so the
   load measures what it is about: results served from the cache.
2. `gradebook_2000_groups_ms`: staff fetch the 2,000-group gradebook (4 pages of 500), the
   median of 5 fetches (`..._cold_ms`: the first, nothing cached).
3. `streams_open`: 2,000 live status streams (/api/submissions/<id>/events/, 4 per student on
   their submission being graded) opened at once by asyncio clients; a stream counts once its
   first status frame arrived. While they stay open, wrk runs the results load again with 8
   connections: `requests_p95_ms_while_streaming`.

The server connects as a role of its own limited to 60 connections (`--db-connection-limit`):
what PostgreSQL's max_connections is on a real site, without taking the connections of others
sharing this PostgreSQL. All along, `db_connections_max` samples pg_stat_activity for the
benchmark's database (5 times a second); `errors_5xx` counts every 5xx answer. Targets
(`target_met`): results >= 300 rps at 32 connections, served at 300 rps with p95 <= 50 ms
(the paced run, below); 2,000 of 2,000 streams with p95 <= 100 ms meanwhile; connections <=
AG_DB_POOL_SIZE x workers; no 5xx.

`results_cpu_ms_per_request` is the server's CPU time per results request: on a machine that
other work keeps busy, latency and requests/s say more about that work than about the server.

With 32 connections kept busy (1.), latency is connections / throughput (Little's law): p95
<= 50 ms there needs some 640 requests/s. So the same results load also runs paced:
`results_p95_ms_at_300_rps` (and `..._p50_...`) is its latency when offered 300 requests/s
over 32 connections, what a site with that much traffic sees. Pacing: wrk's Lua `delay()`
holds each of a wrk thread's requests until the thread's next slot of a fixed schedule
(2 threads, 150 slots/s each, timed by clock_gettime through LuaJIT's ffi); a slot missed
because every connection was busy is dropped, so a server that can't keep up shows as
`results_rps_at_300_rps` below 300 (wrk, unlike wrk2, times a request from when it is sent,
so the waiting of a late schedule is not in the latency). `target_met` takes the latency at
300 requests/s from this run (achieved: at least 97% of it), and the requests/s from the
saturating one, whose own p95 (`results_p95_ms`) is printed too.

`--server-dir` runs another checkout's server (e.g. a `git worktree` of an older commit, for a
before/after comparison) with this same load; `--pure-python-http` runs uvicorn on asyncio
+ h11 (what a venv without uvloop and httptools gets).

    cd autograder-server
    AG_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
    AG_REDIS_URL=redis://127.0.0.1:6379/0 \\
    ../.venv/bin/python benchmarks/web_bench.py --json

wrk comes from Debian (`apt-get install wrk`, done here when missing). About 3 minutes;
progress goes to stderr, the JSON line to stdout. The database is dropped at the end and the
server's Redis keys carry a prefix of their own.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import importlib.machinery
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import types
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

SERVER_DIR = Path(__file__).resolve().parent.parent
STUDENTS = 500
GRADEBOOK_GROUPS = 2000
STREAMS = 2000
POOL_SIZE = 10
"""What docker-compose.yml gives the django service (AG_DB_POOL_SIZE)."""
WORKERS = 2
TARGETS = {"results_rps": 300, "results_p95_ms": 50, "requests_p95_ms_while_streaming": 100}
PACED_RPS = 300
KEPT_UP = 0.97
"""The paced run counts as served at PACED_RPS when it achieved this share of it."""


def log(message: str) -> None:
    print(f"[web-bench] {message}", file=sys.stderr, flush=True)


def database_url(base: str, name: str) -> str:
    return urllib.parse.urlsplit(base)._replace(path=f"/{name}").geturl()


def admin_execute(admin_url: str, statement: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL(statement).format(name=sql.Identifier(name)))


def role_url(base: str, role: str) -> str:
    """`base` as the (password-less, local) role `role`."""
    parts = urllib.parse.urlsplit(base)
    host = parts.hostname or "127.0.0.1"
    return parts._replace(netloc=f"{role}@{host}:{parts.port or 5432}").geturl()


def role_create(admin_url: str, name: str, limit: int) -> None:
    """The server's own role, limited to `limit` connections: past them it gets "too many
    connections" as a real site gets "too many clients", without taking the connections
    that others on this PostgreSQL need (a superuser would not be limited)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(
            sql.SQL(verb + " ROLE {name} LOGIN NOSUPERUSER CONNECTION LIMIT {limit}").format(
                name=sql.Identifier(name), limit=sql.Literal(limit)
            )
        )


def wrk_install() -> str:
    """wrk from Debian's packages, installed on first use."""
    found = shutil.which("wrk")
    if found:
        return found
    log("installing wrk (apt-get)")
    subprocess.run(["apt-get", "update", "-qq"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"],
        check=True,
        stdout=subprocess.DEVNULL,
        env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
    )
    return shutil.which("wrk") or "wrk"


# --- Seeding (runs in a child process, with the server's own code) ------------------------


def seed(out: Path) -> None:
    """Creates the course and writes what the load needs (cookies, URLs) to `out`."""
    import datetime

    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from autograder.accounts.models import User
    from autograder.courses.models import Course, CourseMembership, Role, Semester
    from autograder.grading.config.models import AGTestCase, AGTestCommand, AGTestSuite
    from autograder.grading.results.models import (
        AGTestCaseResult,
        AGTestCommandResult,
        AGTestSuiteResult,
    )
    from autograder.groups.models import Group, GroupMembership
    from autograder.projects.models import Project
    from autograder.submissions.models import Submission, SubmissionStatus

    course = Course.objects.create(name="Web benchmark", semester=Semester.FALL, year=2026)

    def project_with_test(name: str) -> tuple[Project, AGTestSuite, AGTestCase, AGTestCommand]:
        project = Project.objects.create(
            course=course,
            name=name,
            visible_to_students=True,
            closing_time=timezone.now() + datetime.timedelta(days=7),
        )
        suite = AGTestSuite.objects.create(project=project, name="Public tests")
        case = AGTestCase.objects.create(suite=suite, name="hello")
        command = AGTestCommand.objects.create(
            case=case, name="run", cmd="./hello", points_for_correct_return_code=5
        )
        return project, suite, case, command

    def students(tag: str, count: int) -> list[User]:
        users = User.objects.bulk_create(
            [
                User(username=f"{tag}{i}@bench.example", email=f"{tag}{i}@bench.example")
                for i in range(count)
            ]
        )
        CourseMembership.objects.bulk_create(
            [CourseMembership(course=course, user=u, role=Role.STUDENT) for u in users]
        )
        return users

    def solo_groups(project: Project, users: list[User]) -> list[Group]:
        groups = Group.objects.bulk_create([Group(project=project) for _ in users])
        pairs = list(zip(groups, users, strict=True))
        Group.members.through.objects.bulk_create(
            [Group.members.through(group_id=g.pk, user_id=u.pk) for g, u in pairs]
        )
        GroupMembership.objects.bulk_create(
            [GroupMembership(group=g, project=project, user=u) for g, u in pairs]
        )
        return groups

    def graded(
        project: Project, items: list[tuple[Group, User]], suite: Any, case: Any, command: Any
    ) -> list[Submission]:
        now = timezone.now()
        submissions = Submission.objects.bulk_create(
            [
                Submission(
                    group=g,
                    project=project,
                    submitter=u,
                    status=SubmissionStatus.FINISHED_GRADING,
                    timestamp=now - datetime.timedelta(minutes=i % 50),
                    submitted_filenames=["hello.c"],
                )
                for i, (g, u) in enumerate(items)
            ]
        )
        suites = AGTestSuiteResult.objects.bulk_create(
            [
                AGTestSuiteResult(submission=s, suite=suite, suite_name=suite.name)
                for s in submissions
            ]
        )
        cases = AGTestCaseResult.objects.bulk_create(
            [AGTestCaseResult(suite_result=r, case=case, case_name=case.name) for r in suites]
        )
        AGTestCommandResult.objects.bulk_create(
            [
                AGTestCommandResult(
                    case_result=c,
                    command=command,
                    command_name=command.name,
                    return_code=i % 2,
                    return_code_correct=i % 2 == 0,
                    points_awarded=5 if i % 2 == 0 else 0,
                    points_possible=5,
                )
                for i, c in enumerate(cases)
            ]
        )
        return submissions

    project, suite, case, command = project_with_test("Deadline project")
    users = students("student", STUDENTS)
    groups = solo_groups(project, users)
    pairs = list(zip(groups, users, strict=True))
    finished = graded(project, pairs + pairs, suite, case, command)
    watched = Submission.objects.bulk_create(
        [
            Submission(
                group=g,
                project=project,
                submitter=u,
                status=SubmissionStatus.BEING_GRADED,
                grading_started_at=timezone.now(),
                submitted_filenames=["hello.c"],
            )
            for g, u in pairs
        ]
    )
    big, big_suite, big_case, big_command = project_with_test("Gradebook project")
    big_users = students("gb", GRADEBOOK_GROUPS)
    big_groups = solo_groups(big, big_users)
    graded(big, list(zip(big_groups, big_users, strict=True)), big_suite, big_case, big_command)
    staff = User.objects.create(username="staff@bench.example", email="staff@bench.example")
    CourseMembership.objects.create(course=course, user=staff, role=Role.STAFF)

    cookie_name = settings.SESSION_COOKIE_NAME

    def cookie(user: User) -> str:
        client = Client()
        client.force_login(user)
        return f"{cookie_name}={client.cookies[cookie_name].value}"

    cookies = [cookie(u) for u in users]
    out.write_text(
        json.dumps(
            {
                "results": [
                    [cookies[i % STUDENTS], f"/api/submissions/{s.pk}/results/"]
                    for i, s in enumerate(finished)
                ],
                "streams": [
                    [cookies[i], f"/api/submissions/{s.pk}/events/"] for i, s in enumerate(watched)
                ],
                "gradebook": f"/api/projects/{big.pk}/gradebook/",
                "staff_cookie": cookie(staff),
            }
        )
    )


# --- The server ------------------------------------------------------------------------------


def web_command(server_dir: Path, port: int, pure_python: bool) -> list[str]:
    """The `web` role's command from that checkout's entrypoint, on 127.0.0.1:`port`."""
    path = server_dir.parent / "deploy" / "image" / "ag-entrypoint"
    os.environ["AG_WEB_WORKERS"] = str(WORKERS)
    loader = importlib.machinery.SourceFileLoader("ag_entrypoint", str(path))
    module = types.ModuleType(loader.name)
    loader.exec_module(module)
    extra = ["--host=127.0.0.1", f"--port={port}", "--log-level=warning", "--no-access-log"]
    if pure_python:
        extra += ["--loop=asyncio", "--http=h11"]
    command: list[str] = module.role_command("web", extra)
    bin_dir = Path(sys.executable).parent
    return [str(bin_dir / command[0]), *command[1:]]


def raise_fd_limit() -> None:
    """What a container gets from Docker (and docker-compose.yml asks for): room for 2,000
    streams and their database and Redis sockets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 65536 if hard == resource.RLIM_INFINITY else min(65536, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))


def server_cpu_s(pgid: int) -> float:
    """CPU seconds used so far by the server's processes (its process group): per request,
    a measure that other load on the machine doesn't change much, unlike latency."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:  # pgrp
                total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def server_threads(pgid: int) -> int:
    """Threads of the server's processes now."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:
                total += int(fields[17])  # num_threads
    return total


def wait_up(base: str, deadline_s: float = 60) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(base + "/api/health/", timeout=2) as r,
        ):
            if r.status == 200:
                return
        time.sleep(0.5)
    raise RuntimeError("the web server did not start")


class ConnectionSampler(threading.Thread):
    """The most connections pg_stat_activity showed for the database, 5 times a second."""

    def __init__(self, admin_url: str, name: str) -> None:
        super().__init__(daemon=True)
        self.admin_url, self.name = admin_url, name
        self.most = 0
        self.stop = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            while not self.stop.wait(0.2):
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (self.name,)
                ).fetchone()
                self.most = max(self.most, int(row[0]) if row else 0)


# --- Load ------------------------------------------------------------------------------------

WRK_SCRIPT = """
local targets = {}
for line in io.lines("%(targets)s") do
  local cookie, path = line:match("^(%%S+) (%%S+)$")
  table.insert(targets, {cookie, path})
end
local threads = {}
fivexx = 0
function setup(thread) table.insert(threads, thread) end
function init(args) math.randomseed(os.time() + math.floor(os.clock() * 1e6)) end
function request()
  local t = targets[math.random(#targets)]
  return wrk.format("GET", t[2], {["Cookie"] = t[1], ["Accept"] = "application/json"})
end
function response(status, headers, body)
  if status >= 500 then fivexx = fivexx + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("fivexx") end
  io.write(string.format("RESULT %%d %%d %%.3f %%.3f %%.3f %%d\\n", summary.requests,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, total))
end
"""


PACING_SCRIPT = """
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } ag_timespec;
int clock_gettime(int clk_id, ag_timespec *tp);
]]
local now_ts = ffi.new("ag_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, now_ts)  -- CLOCK_MONOTONIC
  return tonumber(now_ts.tv_sec) * 1000 + tonumber(now_ts.tv_nsec) / 1e6
end
local interval_ms = %(interval_ms).6f
local next_at = nil
function delay()
  local now = now_ms()
  if next_at == nil or next_at < now then next_at = now end
  local wait = next_at - now
  next_at = next_at + interval_ms
  return math.floor(wait)
end
"""
"""Paces a wrk thread: each request it sends waits for the thread's next slot of a fixed
schedule (`interval_ms` apart). A slot missed (every connection busy) is dropped, not caught
up, so a server that can't keep up shows as a lower achieved rate."""


def wrk_run(
    wrk: str,
    base: str,
    targets: list[list[str]],
    connections: int,
    seconds: int,
    work: Path,
    rate: float | None = None,
) -> dict[str, float]:
    """Closed loop (each connection sends its next request when the last is answered), or
    with `rate`, paced at `rate` requests/s over all connections (PACING_SCRIPT)."""
    listing = work / "targets.txt"
    listing.write_text("".join(f"{c} {p}\n" for c, p in targets))
    script = work / "load.lua"
    threads = min(2, connections)
    text = WRK_SCRIPT % {"targets": listing}
    if rate is not None:
        text += PACING_SCRIPT % {"interval_ms": 1000 * threads / rate}
    script.write_text(text)
    run = subprocess.run(
        [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", str(script), base],
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+)", run.stdout)
    if not match:
        raise RuntimeError(f"wrk said: {run.stdout}{run.stderr}")
    requests, duration_us, p50, p95, p99, fivexx = match.groups()
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", run.stdout)
    return {
        "rps": round(int(requests) / (int(duration_us) / 1e6), 1),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "errors_5xx": int(fivexx),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
    }


def http_get(base: str, path: str, cookie: str) -> tuple[int, bytes]:
    request = urllib.request.Request(base + path, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def first_reads(base: str, targets: list[list[str]]) -> tuple[float, int]:
    """Reads every target once, 8 at a time, so each body is cached before the load runs:
    (median milliseconds of such a first read, which renders and stores the body; 5xx count)."""

    def one(target: list[str]) -> tuple[float, int]:
        cookie, path = target
        started = time.perf_counter()
        status, _ = http_get(base, path, cookie)
        return (time.perf_counter() - started) * 1000, status

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        reads = list(pool.map(one, targets))
    return statistics.median(ms for ms, _ in reads), sum(status >= 500 for _, status in reads)


def gradebook_fetch(base: str, path: str, cookie: str) -> tuple[float, int]:
    """All 2,000 rows (4 pages of 500): milliseconds, and how many answers were 5xx."""
    started = time.perf_counter()
    fivexx = 0
    rows = 0
    for page in range(1, GRADEBOOK_GROUPS // 500 + 1):
        status, body = http_get(base, f"{path}?page_size=500&page={page}", cookie)
        fivexx += status >= 500
        if status == 200:
            rows += len(json.loads(body)["results"])
    if rows != GRADEBOOK_GROUPS and not fivexx:
        raise RuntimeError(f"the gradebook had {rows} rows")
    return (time.perf_counter() - started) * 1000, fivexx


class Streams:
    """Live status streams held open by raw asyncio clients in a thread of their own."""

    def __init__(self, port: int, targets: list[list[str]], count: int) -> None:
        self.port, self.count = port, count
        self.targets = [targets[i % len(targets)] for i in range(count)]
        self.opened = 0
        self.refused: dict[str, int] = {}
        self.ready = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    def start(self) -> None:
        self.thread.start()

    async def _one(self, cookie: str, path: str, gate: asyncio.Semaphore) -> None:
        writer = None
        try:
            async with gate:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", self.port), 30
                )
                writer.write(
                    f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
                    "Accept: text/event-stream\r\n\r\n".encode()
                )
                await writer.drain()
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
                status = int(head.split(b" ", 2)[1])
                if status != 200:
                    key = str(status)
                    self.refused[key] = self.refused.get(key, 0) + 1
                    return
                buffer = b""
                while b"event: status" not in buffer:
                    chunk = await asyncio.wait_for(reader.read(4096), 60)
                    if not chunk:
                        raise ConnectionError("closed before the first status")
                    buffer += chunk
            self.opened += 1
            while not self.release.is_set():
                await asyncio.sleep(0.5)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as e:
            key = type(e).__name__
            self.refused[key] = self.refused.get(key, 0) + 1
        finally:
            if writer is not None:
                writer.close()

    async def _main(self) -> None:
        gate = asyncio.Semaphore(256)  # connections being set up at once
        tasks = [asyncio.create_task(self._one(c, p, gate)) for c, p in self.targets]
        while sum(t.done() for t in tasks) + self.opened < self.count:
            await asyncio.sleep(0.2)
        self.ready.set()
        await asyncio.gather(*tasks)


# --- Main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    parser.add_argument("--server-dir", type=Path, default=SERVER_DIR)
    parser.add_argument("--db-name", default="ag_web_bench")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument(
        "--db-connection-limit",
        type=int,
        default=60,
        help="connections the server's database role may hold (the site's max_connections)",
    )
    parser.add_argument("--seconds", type=int, default=15, help="each wrk run")
    parser.add_argument("--streams", type=int, default=STREAMS)
    parser.add_argument("--pure-python-http", action="store_true")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("AG_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("AG_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--_seed", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._seed:
        seed(args._seed)
        return

    wrk = wrk_install()
    server_dir = args.server_dir.resolve()
    admin_url = database_url(args.database_url, "postgres")
    work = Path(tempfile.mkdtemp(prefix="web-bench-"))
    env = dict(os.environ)
    env.update(
        {
            "AG_DATABASE_URL": database_url(
                role_url(args.database_url, args.db_name), args.db_name
            ),
            "AG_REDIS_URL": args.redis_url,
            "AG_BROKER_URL": os.environ.get("AG_BROKER_URL", "memory://"),
            "AG_CACHE_KEY_PREFIX": f"web-bench-{os.getpid()}",
            "AG_DATA_DIR": str(work / "data"),
            "AG_DEBUG": "false",
            "AG_SECRET_KEY": "web-bench-" + os.urandom(16).hex(),
            "AG_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "AG_WEB_WORKERS": str(WORKERS),
            "AG_DB_POOL_SIZE": str(POOL_SIZE),
            "AG_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "autograder.settings",
            "PYTHONPATH": str(server_dir),
        }
    )
    log(f"database {args.db_name}: create, migrate, seed ({server_dir})")
    admin_execute(admin_url, "DROP DATABASE IF EXISTS {name} WITH (FORCE)", args.db_name)
    role_create(admin_url, args.db_name, args.db_connection_limit)
    admin_execute(admin_url, "CREATE DATABASE {name} OWNER {name}", args.db_name)
    server = None
    sampler = ConnectionSampler(admin_url, args.db_name)
    result: dict[str, Any] = {"server_dir": str(server_dir)}
    try:
        manage = server_dir.parent / "manage.py"
        subprocess.run([sys.executable, str(manage), "migrate", "-v", "0"], env=env, check=True)
        seeded = work / "seeded.json"
        subprocess.run(
            [sys.executable, __file__, "--_seed", str(seeded)], env=env, check=True, cwd=server_dir
        )
        data = json.loads(seeded.read_text())
        # A site's tables have statistics and are vacuumed; just seeded, autovacuum would
        # do that in the middle of a measurement.
        admin_execute(database_url(admin_url, args.db_name), "VACUUM ANALYZE", args.db_name)
        base = f"http://127.0.0.1:{args.port}"
        command = web_command(server_dir, args.port, args.pure_python_http)
        log("server: " + " ".join(command[-12:]))
        server = subprocess.Popen(
            command, env=env, cwd=server_dir, preexec_fn=raise_fd_limit, start_new_session=True
        )
        wait_up(base)
        sampler.start()
        errors = 0

        log("results: each submission's first read, then a warm-up, then 32 connections")
        first_read_ms, fivexx = first_reads(base, data["results"])
        errors += fivexx
        wrk_run(wrk, base, data["results"], 8, 3, work)
        cpu_before = server_cpu_s(server.pid)
        results = wrk_run(wrk, base, data["results"], 32, args.seconds, work)
        cpu_ms = (server_cpu_s(server.pid) - cpu_before) * 1000
        results_cpu_ms = round(cpu_ms / max(1.0, results["rps"] * args.seconds), 2)
        errors += int(results["errors_5xx"])
        log(f"results: {results}")

        log(f"results: paced at {PACED_RPS} requests/s over 32 connections")
        paced = wrk_run(wrk, base, data["results"], 32, args.seconds, work, rate=PACED_RPS)
        errors += int(paced["errors_5xx"])
        log(f"results paced: {paced}")

        log("gradebook: 2,000 groups")
        times = []
        for _ in range(6):
            ms, fivexx = gradebook_fetch(base, data["gradebook"], data["staff_cookie"])
            times.append(ms)
            errors += fivexx
        log(f"gradebook ms: {[round(t) for t in times]}")

        log(f"streams: opening {args.streams}")
        streams = Streams(args.port, data["streams"], args.streams)
        started = time.monotonic()
        streams.start()
        streams.ready.wait(timeout=180)
        opened_in = time.monotonic() - started
        log(f"streams: {streams.opened} open in {opened_in:.1f} s; refused {streams.refused}")
        threads = server_threads(server.pid)
        during = wrk_run(wrk, base, data["results"], 8, args.seconds, work)
        errors += int(during["errors_5xx"])
        log(f"requests while streaming: {during}; streams still open: {streams.opened}")
        streams_open = streams.opened
        streams.release.set()
        streams.thread.join(timeout=30)
        errors += sum(n for code, n in streams.refused.items() if code.startswith("5"))

        result |= {
            "results_rps": results["rps"],
            "results_p50_ms": results["p50_ms"],
            "results_p95_ms": results["p95_ms"],
            "results_p99_ms": results["p99_ms"],
            "results_cpu_ms_per_request": results_cpu_ms,
            "results_first_read_ms_p50": round(first_read_ms, 1),
            "results_p50_ms_at_300_rps": paced["p50_ms"],
            "results_p95_ms_at_300_rps": paced["p95_ms"],
            "results_rps_at_300_rps": paced["rps"],
            "gradebook_2000_groups_ms": round(statistics.median(times[1:])),
            "gradebook_2000_groups_cold_ms": round(times[0]),
            "streams_requested": args.streams,
            "streams_open": streams_open,
            "streams_open_s": round(opened_in, 1),
            "streams_refused": streams.refused,
            "server_threads_while_streaming": threads,
            "requests_p95_ms_while_streaming": during["p95_ms"],
            "requests_rps_while_streaming": during["rps"],
            "db_connections_max": sampler.most,
            "db_pool_limit": POOL_SIZE * WORKERS,
            "errors_5xx": errors,
        }
        result["target_met"] = (
            result["results_rps"] >= TARGETS["results_rps"]
            and result["results_rps_at_300_rps"] >= KEPT_UP * PACED_RPS
            and result["results_p95_ms_at_300_rps"] <= TARGETS["results_p95_ms"]
            and streams_open == args.streams
            and result["requests_p95_ms_while_streaming"]
            <= TARGETS["requests_p95_ms_while_streaming"]
            and sampler.most <= POOL_SIZE * WORKERS
            and errors == 0
        )
    finally:
        sampler.stop.set()
        if server is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=30)
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGKILL)
        admin_execute(admin_url, "DROP DATABASE IF EXISTS {name} WITH (FORCE)", args.db_name)
        admin_execute(admin_url, "DROP ROLE IF EXISTS {name}", args.db_name)
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
