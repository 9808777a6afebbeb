"""The quickstart (`scripts/quickstart`, the README's first command) runs on SQLite; every
other test runs on PostgreSQL. Here a fresh SQLite database is migrated and seeded exactly as
the quickstart does, a demo submission is graded, and every GET endpoint of the API is asked
as each demo role (tests/sqlite_walk.py, in a process of its own): none may fail with a server
error, as a query that PostgreSQL accepts and SQLite refuses would."""

import json
import os
import subprocess
import sys
from pathlib import Path

SERVER = Path(__file__).resolve().parents[1]
MANAGE = SERVER.parent / "manage.py"


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=SERVER, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done.stdout


def test_the_quickstart_database_answers_every_get_without_a_server_error(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AG_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env |= {
        "AG_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "AG_DATA_DIR": str(tmp_path),
        "AG_MEDIA_ROOT": str(tmp_path / "media"),
        "AG_DEBUG": "false",
        "AG_LOG_LEVEL": "CRITICAL",
    }
    run([str(MANAGE), "migrate", "--no-input", "-v", "0"], env)
    run([str(MANAGE), "seed_demo"], env)

    lines = run(["-m", "tests.sqlite_walk"], env).splitlines()

    answers = [json.loads(line) for line in lines if line.startswith("{")]
    assert len(answers) > 100, lines[-20:]
    errors = [a for a in answers if a["status"] >= 500]
    assert errors == [], "\n".join(f"{e['status']} {e['role']} {e['path']}" for e in errors)
    # The walk reached the pages that read results (not all refused for want of an id).
    ok_paths = {a["path"] for a in answers if a["status"] == 200}
    assert any(path.endswith("/gradebook/") for path in ok_paths), sorted(ok_paths)
    assert any("/results/" in path for path in ok_paths), sorted(ok_paths)
