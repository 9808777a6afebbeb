"""Two uploads for one group at the same moment, against real PostgreSQL: exactly one wins.

The HTTP test sends two real requests to a live server from two threads released by a barrier;
the winner is slowed down inside its transaction (while it holds the group lock) so the loser
really does arrive while the winner is still deciding.
"""

import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from django.db import connection, transaction

from autograder.accounts.services import api_token_create
from autograder.common.errors import ApplicationError
from autograder.courses.models import Role
from autograder.submissions import services
from autograder.submissions.models import Submission
from tests import factories
from tests.grading.live_worker import wait_for
from tests.submissions.conftest import stored_files, upload

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_http_uploads_for_one_group(
    live_server: Any, monkeypatch: pytest.MonkeyPatch, _media_root: Path
) -> None:
    course = factories.make_course()
    project = factories.make_project(course, max_group_size=2)
    factories.make_expected_file(project, "*.cpp", 1, 10)
    alice, bob = (factories.add_role(course, factories.make_user(), Role.STUDENT) for _ in "ab")
    group = factories.make_group(project, alice, bob)
    keys = [api_token_create(user=user, name="race")[1] for user in (alice, bob)]

    inside = threading.Event()
    real_mark_queued = services.submission_mark_queued

    def slow_mark_queued(*, submission: Submission) -> Submission:
        inside.set()
        time.sleep(0.5)
        return real_mark_queued(submission=submission)

    monkeypatch.setattr(services, "submission_mark_queued", slow_mark_queued)

    barrier = threading.Barrier(2)
    responses: list[requests.Response] = []
    errors: list[BaseException] = []

    def submit(key: str, name: str) -> None:
        try:
            barrier.wait(timeout=10)
            responses.append(
                requests.post(
                    f"{live_server.url}/api/groups/{group.pk}/submissions/",
                    files=[("files", (name, b"int main() {}\n"))],
                    headers={"Authorization": f"Token {key}"},
                    timeout=30,
                )
            )
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(key, f"{key[:4]}.cpp")) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert inside.is_set()

    by_status = {r.status_code: r for r in responses}
    assert sorted(by_status) == [201, 409], [r.text for r in responses]
    assert by_status[409].json()["code"] == "active_submission_exists"
    winner = Submission.objects.get()
    assert winner.pk == by_status[201].json()["id"]
    assert stored_files(_media_root) == [
        f"{winner.files_dir}/{name}" for name in winner.submitted_filenames
    ]


def test_second_upload_waits_for_the_lock_then_gets_409() -> None:
    """The loser blocks on the group row while the winner's transaction is open, and then
    sees the winner's submission: the lock, not the unique index, settles it. The winner
    commits only once PostgreSQL shows the loser waiting for that lock."""
    course = factories.make_course()
    project = factories.make_project(course)
    factories.make_expected_file(project, "*", 0, 10)
    alice = factories.add_role(course, factories.make_user(), Role.STUDENT)
    group = factories.make_group(project, alice)
    connection.ensure_connection()
    loser_pid = connection.connection.info.backend_pid

    written = threading.Event()
    errors: list[BaseException] = []
    seen_waiting: list[tuple[str, list[int], int]] = []

    def loser_waits_for_a_lock() -> tuple[str, list[int], int] | None:
        """What the loser runs while blocked, who blocks it, and who we are."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # fresh activity data each time
            cursor.execute(
                "SELECT query, pg_blocking_pids(pid), pg_backend_pid() FROM pg_stat_activity "
                "WHERE pid = %s AND wait_event_type = 'Lock'",
                [loser_pid],
            )
            row = cursor.fetchone()
        return None if row is None else (str(row[0]), list(row[1]), int(row[2]))

    def first() -> None:
        try:
            with transaction.atomic():
                services.submission_create(group=group, submitter=alice, files=[upload("a")])
                written.set()
                seen_waiting.append(
                    wait_for(loser_waits_for_a_lock, timeout=30, what="the loser to block")
                )
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
            written.set()
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert written.wait(10)
    with pytest.raises(ApplicationError) as info:
        services.submission_create(group=group, submitter=alice, files=[upload("b")])
    thread.join()
    assert not errors, errors
    [(query, blocked_by, winner_pid)] = seen_waiting
    assert blocked_by == [winner_pid], "the winner's open transaction held the loser"
    assert query.startswith('SELECT "groups_group"'), "the loser waited to lock the group row"
    assert info.value.code == "active_submission_exists" and info.value.status == 409
    assert Submission.objects.count() == 1
