"""Live status streams served as production serves them: uvicorn (ASGI) with a PostgreSQL pool
of 2 connections, on 127.0.0.1. Many open streams hold no database connection, so ordinary
requests still get one; one status change reaches every watcher (through the process's one
Redis subscription); a client that reconnects with `Last-Event-ID` gets only what changed."""

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from autograder.submissions.models import Submission, SubmissionStatus
from autograder.submissions.status import submission_status_set
from tests.grading import pipeline_helpers as h

pytestmark = pytest.mark.django_db(transaction=True)

POOL_SIZE = 2
WATCHERS = 40


APP_NAME = "ag-events-at-scale"
"""The server's connections say so (application_name), so the test can count them."""


def _db_url(**query: str) -> str:
    db = connection.settings_dict
    auth = f"{db['USER']}:{db['PASSWORD']}" if db.get("PASSWORD") else db["USER"]
    where = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"postgres://{auth}@{where}" + ("?" + urllib.parse.urlencode(query) if query else "")


def _server_db_url() -> str:
    return _db_url(application_name=APP_NAME)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


SERVER_PIDS: dict[str, int] = {}


def _threads(base: str) -> int:
    """Threads of the server's (one) process now."""
    status = Path(f"/proc/{SERVER_PIDS[base]}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("Threads:")).split()[1])


@pytest.fixture
def server(settings: Any, tmp_path: Path) -> Iterator[str]:
    """uvicorn with one worker and a pool of POOL_SIZE connections to the test database."""
    assert settings.REDIS_URL, "needs Redis (AG_REDIS_URL)"
    url = _server_db_url()
    port = _free_port()
    env = dict(
        os.environ,
        AG_DATABASE_URL=url,
        AG_DB_POOL_SIZE=str(POOL_SIZE),
        AG_DEBUG="false",
        AG_DATA_DIR=str(tmp_path),
        AG_ALLOWED_HOSTS="127.0.0.1",
        AG_SECURE_COOKIES="false",
        AG_CACHE_KEY_PREFIX=str(django_settings.CACHES["default"]["KEY_PREFIX"]),
    )
    uvicorn = Path(sys.executable).parent / "uvicorn"
    process = subprocess.Popen(
        [
            *(str(uvicorn), "autograder.asgi:application", "--host=127.0.0.1", f"--port={port}"),
            *("--workers=1", "--lifespan=off", "--log-level=warning"),
        ],
        env=env,
        cwd=Path(__file__).resolve().parents[3],
    )
    base = f"http://127.0.0.1:{port}"
    SERVER_PIDS[base] = process.pid
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(base + "/api/health/", timeout=2),
            ):
                break
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


async def _server_connections(url: str) -> int:
    """The server's connections to the test database now."""

    def count() -> int:
        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (APP_NAME,)
            ).fetchone()
        return int(row[0]) if row else 0

    return await asyncio.to_thread(count)


class Stream:
    """One raw HTTP/1.1 event stream; `frames` are the status frames read so far."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.status = 0
        self.buffer = b""

    @classmethod
    async def open(cls, base: str, path: str, cookie: str, last_id: str = "") -> "Stream":
        host, port = base.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        resume = f"Last-Event-ID: {last_id}\r\n" if last_id else ""
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n{resume}"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        await writer.drain()
        stream = cls(reader, writer)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        stream.status = int(head.split(b" ", 2)[1])
        return stream

    def frames(self) -> list[dict[str, str]]:
        found = []
        for block in self.buffer.split(b"\n\n"):
            fields = dict(
                line.split(": ", 1)
                for line in block.decode(errors="replace").splitlines()
                if ": " in line and not line.startswith(":")
            )
            if fields.get("event") == "status":
                found.append(fields)
        return found

    async def until(self, count: int, timeout: float = 30) -> list[dict[str, str]]:
        async with asyncio.timeout(timeout):
            while len(self.frames()) < count:
                chunk = await self.reader.read(4096)
                if not chunk:
                    break
                self.buffer += chunk
        return self.frames()

    def close(self) -> None:
        self.writer.close()


def _status_ok(base: str, submission: Submission, cookie: str) -> int:
    request = urllib.request.Request(
        f"{base}/api/submissions/{submission.pk}/status/", headers={"Cookie": cookie}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_open_streams_hold_no_database_connection_and_all_hear_a_change(server: str) -> None:
    submission = h.submit(h.project_with_catch_all())
    submission_status_set(submission_id=submission.pk, status=SubmissionStatus.BEING_GRADED)
    cookie = _cookie(h.staff_of(submission.project))
    path = f"/api/submissions/{submission.pk}/events/"

    async def scenario() -> None:
        streams = await asyncio.gather(
            *(Stream.open(server, path, cookie) for _ in range(WATCHERS))
        )
        assert [s.status for s in streams] == [200] * WATCHERS
        for stream in streams:
            assert (await stream.until(1))[0]["data"].count('"being_graded"') == 1

        # Every stream is open and waiting: no thread each, and the pool still has
        # connections for requests.
        assert _threads(server) < WATCHERS // 2
        plain_url = _db_url()
        assert await _server_connections(plain_url) <= POOL_SIZE
        statuses = await asyncio.gather(
            *(asyncio.to_thread(_status_ok, server, submission, cookie) for _ in range(10))
        )
        assert statuses == [200] * 10
        assert 0 < await _server_connections(plain_url) <= POOL_SIZE

        await asyncio.to_thread(
            submission_status_set,
            submission_id=submission.pk,
            status=SubmissionStatus.FINISHED_GRADING,
        )
        for stream in streams:
            frames = await stream.until(2)
            assert '"finished_grading"' in frames[-1]["data"]
            stream.close()

    asyncio.run(scenario())


def test_a_reconnecting_client_gets_only_what_changed(server: str) -> None:
    submission = h.submit(h.project_with_catch_all())
    submission_status_set(
        submission_id=submission.pk,
        status=SubmissionStatus.BEING_GRADED,
        grading_started_at=timezone.now(),
    )
    cookie = _cookie(h.staff_of(submission.project))
    path = f"/api/submissions/{submission.pk}/events/"

    async def scenario() -> None:
        first = await Stream.open(server, path, cookie)
        (seen,) = await first.until(1)
        first.close()

        # Nothing changed: the resumed stream sends no status until something does.
        resumed = await Stream.open(server, path, cookie, last_id=seen["id"])
        assert resumed.status == 200
        with pytest.raises(TimeoutError):
            await resumed.until(1, timeout=1.5)
        await asyncio.to_thread(
            submission_status_set,
            submission_id=submission.pk,
            status=SubmissionStatus.FINISHED_GRADING,
        )
        (final,) = await resumed.until(1)
        assert '"finished_grading"' in final["data"]
        resumed.close()

        # Resuming at the final state: 204, the client stops reconnecting.
        done = await Stream.open(server, path, cookie, last_id=final["id"])
        assert done.status == 204
        done.close()

        # Resuming from before a stage that came and went: it is sent first.
        before = seen["id"].replace("being_graded", "queued", 1)
        late = await Stream.open(server, path, cookie, last_id=before)
        statuses = [f["data"] for f in await late.until(2)]
        assert '"being_graded"' in statuses[0] and '"finished_grading"' in statuses[1]
        late.close()

    asyncio.run(scenario())


def test_a_stream_refused_answers_as_the_api_documents(server: str) -> None:
    submission = h.submit(h.project_with_catch_all())
    path = f"/api/submissions/{submission.pk}/events/"
    stranger = _cookie(h.staff_of(h.project_with_catch_all()))  # staff of another course

    async def scenario() -> None:
        refused = await Stream.open(server, path, stranger)
        assert refused.status in (403, 404)
        body = await asyncio.wait_for(refused.reader.read(4096), 10)
        assert b'"code"' in body and b'"message"' in body
        refused.close()
        missing = await Stream.open(server, "/api/submissions/999999999/events/", stranger)
        assert missing.status == 404
        missing.close()
        anonymous = await Stream.open(server, path, "other=1")
        assert anonymous.status in (401, 403)
        anonymous.close()

    asyncio.run(scenario())
