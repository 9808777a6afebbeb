"""Course operations benchmark: bulk downloads and the statistics request at course scale.

On PostgreSQL, a project of `--groups` groups (default 500), each with `--submissions` graded
submissions (5) of `--files` files (3, 2 to 6 KB of source each) and results for 10 test
cases, seeded with bulk inserts. Then:

- `final_zip_s`, `all_zip_s`, `scores_csv_s`: each download (final graded submissions zip, all
  submissions zip, all scores CSV) is built by `exports.services.export_build`, the function
  the `small` queue's worker task runs, in a fresh worker-like child process (Django set up,
  then the build timed alone). `peak_rss_mb` is the largest resident set any of those children
  reached (each reports its own VmHWM from /proc/self/status), Django included.
- `tar_floor_s`: GNU tar reading the same final graded files into an uncompressed archive,
  the floor for any archive of them.
- `stats_ms`: GET /api/projects/<id>/statistics/ through a real HTTP server
  (`manage.py runserver`, logged in as staff with a session), median of 7 after a warm-up
  (`stats_ms_fastest`: the fastest). `load_avg_1m` and `cpus` say how busy the machine was.

The benchmark makes and drops its own database (`--db-name`, default ag_bench_course) on the
server of AG_DATABASE_URL; files go to a temporary data directory, removed at the end.

    cd autograder-server
    AG_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
    ../.venv/bin/python benchmarks/course_ops_bench.py --json

Progress goes to stderr; the last line on stdout is one JSON object with the figures, the
targets and the parameters used.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

SERVER_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = SERVER_DIR.parent
sys.path.insert(0, str(SERVER_DIR))

TARGETS = {
    "final_zip_s": ("<=", 10.0),
    "peak_rss_mb": ("<=", 200.0),
    "stats_ms": ("<=", 300.0),
}
CASES = 10
PASSWORD = "bench-password"


def log(message: str) -> None:
    print(f"[course_ops_bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def database_url(base: str, name: str) -> str:
    return urllib.parse.urlsplit(base)._replace(path=f"/{name}").geturl()


def admin_execute(admin_url: str, statement: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL(statement).format(name=sql.Identifier(name)))


def environment(args: argparse.Namespace, data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "AG_DATABASE_URL": database_url(args.database_url, args.db_name),
        "AG_DATA_DIR": str(data_dir),
        "AG_MEDIA_ROOT": str(data_dir / "media"),
        "AG_LOG_LEVEL": "WARNING",
        "AG_SECURE_COOKIES": "false",
        "AG_QUEUE_PREFIX": "course-bench-",
        "DJANGO_SETTINGS_MODULE": "autograder.settings",
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(SERVER_DIR), os.environ.get("PYTHONPATH", "")) if p
        ),
    }


# --- Seeding (in this process, after django.setup()) ------------------------------------------


def source(rng: random.Random, name: str) -> bytes:
    lines = [f"# {name}"]
    while sum(len(line) + 1 for line in lines) < rng.randint(2048, 6144):
        n = rng.randint(0, 10**6)
        lines.append(f"def f{n}(x):\n    return x * {n} + {rng.randint(0, 99)}  # {n:x}")
    return ("\n".join(lines) + "\n").encode()


def seed(args: argparse.Namespace, media: Path) -> tuple[int, list[str]]:
    """Returns the project id and the stored paths of the final graded (newest) submissions'
    files, relative to `media`."""
    from datetime import timedelta

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

    rng = random.Random(7)
    now = timezone.now()
    course = Course.objects.create(name="Bench 101", semester=Semester.FALL, year=2026)
    project = Project.objects.create(course=course, name="Bench project")
    staff = User.objects.create_user(username="staff@bench", password=PASSWORD)
    CourseMembership.objects.create(course=course, user=staff, role=Role.STAFF)
    suite = AGTestSuite.objects.create(project=project, name="Tests")
    commands = [
        AGTestCommand.objects.create(
            case=AGTestCase.objects.create(suite=suite, name=f"test {i}", order=i),
            name="run",
            cmd="true",
            expected_return_code="zero",
            points_for_correct_return_code=1,
        )
        for i in range(CASES)
    ]
    users = User.objects.bulk_create(
        User(username=f"student{i:04d}@bench", password="!") for i in range(args.groups)
    )
    CourseMembership.objects.bulk_create(
        CourseMembership(course=course, user=u, role=Role.STUDENT) for u in users
    )
    groups = Group.objects.bulk_create(Group(project=project) for _ in users)
    Group.members.through.objects.bulk_create(
        Group.members.through(group_id=g.pk, user_id=u.pk)
        for g, u in zip(groups, users, strict=True)
    )
    GroupMembership.objects.bulk_create(
        GroupMembership(group=g, project=project, user=u)
        for g, u in zip(groups, users, strict=True)
    )
    names = [f"file{k}.py" for k in range(args.files)]
    submissions = Submission.objects.bulk_create(
        Submission(
            group=g,
            project=project,
            submitter=u,
            status=SubmissionStatus.FINISHED_GRADING,
            timestamp=now - timedelta(hours=args.submissions - j, minutes=rng.randint(0, 59)),
            submitted_filenames=names,
            queued_at=now - timedelta(hours=args.submissions - j),
            grading_started_at=now
            - timedelta(hours=args.submissions - j, seconds=-rng.randint(1, 90)),
        )
        for g, u in zip(groups, users, strict=True)
        for j in range(args.submissions)
    )
    log(f"seeded {len(submissions)} submissions; writing {len(submissions) * args.files} files")
    finals: list[str] = []
    for index, submission in enumerate(submissions):
        folder = media / submission.files_dir
        folder.mkdir(parents=True)
        for name in names:
            (folder / name).write_bytes(source(rng, name))
            if index % args.submissions == args.submissions - 1:
                finals.append(f"{submission.files_dir}/{name}")
    suite_results = AGTestSuiteResult.objects.bulk_create(
        AGTestSuiteResult(submission=s, suite=suite, suite_name=suite.name) for s in submissions
    )
    case_results = AGTestCaseResult.objects.bulk_create(
        AGTestCaseResult(suite_result=r, case_id=c.case_id, case_name=f"test {i}")
        for r in suite_results
        for i, c in enumerate(commands)
    )
    passes = [rng.random() < 0.3 + 0.06 * (i % CASES) for i in range(len(case_results))]
    AGTestCommandResult.objects.bulk_create(
        (
            AGTestCommandResult(
                case_result=r,
                command=commands[i % CASES],
                command_name="run",
                return_code=0 if ok else 1,
                return_code_correct=ok,
                points_awarded=1 if ok else 0,
                points_possible=1,
            )
            for i, (r, ok) in enumerate(zip(case_results, passes, strict=True))
        ),
        batch_size=5000,
    )
    log(f"stored {len(case_results)} test case results")
    return project.pk, finals


# --- Measurements ------------------------------------------------------------------------------

# The child's peak resident set is VmHWM, which starts afresh at exec; getrusage's ru_maxrss
# would carry over the (large, after seeding) peak of the benchmark process that forked it.
BUILD_CHILD = """
import sys, time, django
django.setup()
from autograder.exports import services
from autograder.exports.models import ExportTask
task_id = int(sys.argv[1])
started = time.perf_counter()
services.export_build(task_id=task_id)
elapsed = time.perf_counter() - started
task = ExportTask.objects.get(pk=task_id)
assert task.state == "done", (task.state, task.error_message)
status = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
print(elapsed, task.file_size, status)
"""


def build(env: dict[str, str], project_id: int, kind: str) -> tuple[float, int, float]:
    """Seconds the build took, the file's size, and the child's peak resident set (MB)."""
    from autograder.exports.models import ExportTask

    task = ExportTask.objects.create(project_id=project_id, kind=kind)
    out = subprocess.run(
        [sys.executable, "-c", BUILD_CHILD, str(task.pk)],
        env=env,
        cwd=SERVER_DIR,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), int(out[1]), int(out[2]) / 1024


def tar_floor(media: Path, finals: list[str], work: Path) -> float:
    listing = work / "final-files.txt"
    listing.write_text("\n".join(finals) + "\n")
    started = time.perf_counter()
    subprocess.run(
        ["tar", "-cf", str(work / "floor.tar"), "-C", str(media), "-T", str(listing)], check=True
    )
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stats_ms(env: dict[str, str], project_id: int, log_dir: Path) -> tuple[float, float]:
    """Median and fastest of 7 requests, after a warm-up."""
    import requests

    port = free_port()
    with (log_dir / "server.log").open("wb") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                str(REPO_DIR / "manage.py"),
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}/api/"
        session = requests.Session()
        for _ in range(100):
            try:
                session.get(base + "auth/csrf/", timeout=2).raise_for_status()
                break
            except requests.RequestException:
                time.sleep(0.2)
        csrf = session.cookies["csrftoken"]
        login = session.post(
            base + "auth/login/",
            json={"username": "staff@bench", "password": PASSWORD},
            headers={"X-CSRFToken": csrf, "Referer": base},
            timeout=10,
        )
        login.raise_for_status()
        url = base + f"projects/{project_id}/statistics/"
        first = session.get(url, timeout=30)
        first.raise_for_status()
        body = first.json()
        assert body["groups"] == len(body["first_vs_final"]) > 0, "statistics cover every group"
        times = []
        for _ in range(7):
            started = time.perf_counter()
            session.get(url, timeout=30).raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times), min(times)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON line (always done)")
    parser.add_argument("--groups", type=int, default=500)
    parser.add_argument("--submissions", type=int, default=5)
    parser.add_argument("--files", type=int, default=3)
    parser.add_argument("--db-name", default="ag_bench_course")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("AG_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("course_ops_bench needs PostgreSQL (AG_DATABASE_URL=postgres://...)")
    admin_url = database_url(args.database_url, "postgres")
    data_dir = Path(tempfile.mkdtemp(prefix="course-ops-bench-"))
    env = environment(args, data_dir)
    os.environ.update(env)
    admin_execute(admin_url, "DROP DATABASE IF EXISTS {name} WITH (FORCE)", args.db_name)
    admin_execute(admin_url, "CREATE DATABASE {name}", args.db_name)
    try:
        subprocess.run(
            [sys.executable, str(REPO_DIR / "manage.py"), "migrate", "-v", "0"], env=env, check=True
        )
        import django

        django.setup()
        media = data_dir / "media"
        media.mkdir(exist_ok=True)
        started = time.perf_counter()
        project_id, finals = seed(args, media)
        log(f"seeded in {time.perf_counter() - started:.1f} s")
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would have by now on a live site
        connection.close()  # the children and the server open their own

        final_zip_s, final_zip_bytes, rss_final = build(env, project_id, "final_files")
        log(
            f"final graded zip: {final_zip_s:.2f} s, {final_zip_bytes / 1e6:.1f} MB, "
            f"{rss_final:.0f} MB RSS"
        )
        all_zip_s, all_zip_bytes, rss_all = build(env, project_id, "all_files")
        log(
            f"all submissions zip: {all_zip_s:.2f} s, {all_zip_bytes / 1e6:.1f} MB, "
            f"{rss_all:.0f} MB RSS"
        )
        scores_csv_s, _, rss_csv = build(env, project_id, "all_scores")
        log(f"all scores CSV: {scores_csv_s:.2f} s, {rss_csv:.0f} MB RSS")
        peak_rss_mb = max(rss_final, rss_all, rss_csv)
        floor_s = tar_floor(media, finals, data_dir)
        log(f"tar floor: {floor_s:.2f} s")
        stats, stats_best = stats_ms(env, project_id, data_dir)
        log(f"statistics: {stats:.0f} ms (fastest {stats_best:.0f} ms)")
        figures: dict[str, Any] = {
            "final_zip_s": round(final_zip_s, 3),
            "all_zip_s": round(all_zip_s, 3),
            "scores_csv_s": round(scores_csv_s, 3),
            "peak_rss_mb": round(peak_rss_mb, 1),
            "tar_floor_s": round(floor_s, 3),
            "stats_ms": round(stats, 1),
            "stats_ms_fastest": round(stats_best, 1),
            # The machine's load when the figures were taken (times grow with it).
            "load_avg_1m": round(os.getloadavg()[0], 1),
            "cpus": os.cpu_count(),
            "final_zip_mb": round(final_zip_bytes / 1e6, 2),
            "all_zip_mb": round(all_zip_bytes / 1e6, 2),
        }
        met = {
            name: (figures[name] <= limit if op == "<=" else figures[name] >= limit)
            for name, (op, limit) in TARGETS.items()
        }
        print(
            json.dumps(
                {
                    **figures,
                    "targets": {name: f"{op} {limit}" for name, (op, limit) in TARGETS.items()},
                    "targets_met": met,
                    "params": {
                        "groups": args.groups,
                        "submissions_per_group": args.submissions,
                        "files_per_submission": args.files,
                        "test_cases": CASES,
                    },
                }
            )
        )
    finally:
        if not args.keep_db:
            from django.db import connections

            connections.close_all()
            admin_execute(admin_url, "DROP DATABASE IF EXISTS {name} WITH (FORCE)", args.db_name)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
