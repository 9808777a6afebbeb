"""A worker node that dies in the middle of a transaction sends nothing more: no FIN, no RST.
Its PostgreSQL session must still end soon, or the locks it held stay taken (a grading job's
row lock, which the reaper skips with SKIP LOCKED) for the kernel's two hours. The settings ask
PostgreSQL to probe every connection (AG_DB_KEEPALIVE_SECONDS); here a client's packets are
dropped on the loopback interface, as a lost node's would be, while it holds a lock."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

LOCK_KEY = 734_001


@pytest.fixture
def lost_client() -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A connection made with the site's settings, holding LOCK_KEY in an open transaction,
    whose packets are then dropped both ways (iptables, this connection's port only)."""
    params = connection.get_connection_params()
    params.pop("pool", None)
    params.pop("cursor_factory", None)
    params.pop("context", None)
    client: psycopg.Connection[tuple[object, ...]] = psycopg.connect(**params)
    client.execute("BEGIN")
    client.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    row = client.execute("SELECT inet_client_port()").fetchone()
    assert row is not None and isinstance(row[0], int), "the test needs a TCP connection"
    port = row[0]
    server_port = str(params.get("port") or 5432)
    rules = [
        ["INPUT", "-i", "lo", "-p", "tcp", "--sport", str(port), "--dport", server_port],
        ["INPUT", "-i", "lo", "-p", "tcp", "--sport", server_port, "--dport", str(port)],
    ]
    for rule in rules:
        subprocess.run(["iptables", "-I", *rule, "-j", "DROP"], check=True)
    try:
        yield client
    finally:
        for rule in rules:
            subprocess.run(["iptables", "-D", *rule, "-j", "DROP"], check=False)
        client.close()


@pytest.mark.django_db(transaction=True)
def test_a_lost_client_loses_its_locks_once_keepalives_find_it_dead(
    lost_client: psycopg.Connection[tuple[object, ...]],
) -> None:
    assert settings.DB_KEEPALIVE_SECONDS > 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        assert cursor.fetchone() == (False,), "the lost client holds the lock"

        # idle + interval x count (the user timeout), and as long again to act on it.
        patience = 2 * settings.DB_KEEPALIVE_SECONDS * 3 + 30
        deadline = time.monotonic() + patience
        taken = False
        while not taken and time.monotonic() < deadline:
            time.sleep(1)
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            taken = cursor.fetchone() == (True,)
        assert taken, f"the lock was still held {patience} s after its client went silent"
        cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def test_the_environments_pgoptions_still_reach_the_session() -> None:
    """libpq drops PGOPTIONS when a connection names its own `options` (as the keepalives
    do); the settings put them first so a sysadmin's (or the tests') options still hold."""
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/postgres"
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'autograder.settings'; "
        "django.setup(); from django.db import connection; c = connection.cursor(); "
        "c.execute('SHOW deadlock_timeout'); a = c.fetchone()[0]; "
        "c.execute('SHOW tcp_keepalives_idle'); print(a, c.fetchone()[0])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AG_")}
    env |= {"AG_DATABASE_URL": url, "PGOPTIONS": "-c deadlock_timeout=123ms"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["123ms", str(settings.DB_KEEPALIVE_SECONDS)]
