"""The web tier's ASGI handler (common/asgi_handler.py): Django's answers, with each request's
sync work on a thread reused from earlier requests rather than a new one per request."""

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core import signals
from django.test import Client

from autograder.accounts.models import User
from autograder.asgi import django_application
from tests.asgi_client import asgi_get
from tests.conftest import World
from tests.grading import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


async def _get(path: str, cookie: str) -> tuple[int, bytes]:
    answer = await asgi_get(
        django_application, path, headers=[(b"cookie", cookie.encode())], host=b"127.0.0.1"
    )
    return answer.status, answer.body


@pytest.fixture
def request_threads() -> Iterator[list[tuple[str, threading.Thread]]]:
    """(signal, thread) of every request_started and request_finished, in order."""
    seen: list[tuple[str, threading.Thread]] = []

    def started(**_: Any) -> None:
        seen.append(("started", threading.current_thread()))

    def finished(**_: Any) -> None:
        seen.append(("finished", threading.current_thread()))

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    yield seen
    signals.request_started.disconnect(started)
    signals.request_finished.disconnect(finished)


def _student_results(world: World) -> tuple[str, str, Client]:
    submission = f.make_submission(world.group)
    f.grade(submission, {})
    client = Client()
    member = world.users["group_member"]
    assert isinstance(member, User)
    client.force_login(member)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return f"/api/submissions/{submission.pk}/results/", cookie, client


def test_answers_are_djangos_and_requests_reuse_one_thread(
    world: World, request_threads: list[tuple[str, threading.Thread]]
) -> None:
    path, cookie, client = _student_results(world)
    expected = client.get(path)
    assert expected.status_code == 200
    request_threads.clear()  # the test client's request

    async def ten() -> list[tuple[int, bytes]]:
        return [await _get(path, cookie) for _ in range(10)]

    answers = asyncio.run(ten())

    assert answers == [(200, expected.content)] * 10
    assert json.loads(answers[0][1])["feedback_category"] == "normal"
    kinds = [kind for kind, _ in request_threads]
    assert kinds == ["started", "finished"] * 10
    # Each request's signals (which open and give back its database connection) ran on the
    # same thread, and one after another the requests all used the same thread.
    assert len({id(thread) for _, thread in request_threads}) == 1
    assert request_threads[0][1] is not threading.current_thread()


def test_requests_in_flight_at_once_each_get_a_thread(
    world: World, request_threads: list[tuple[str, threading.Thread]]
) -> None:
    path, cookie, _ = _student_results(world)
    gate = threading.Barrier(3, timeout=30)

    def wait_for_the_others(**_: Any) -> None:
        gate.wait()  # passes only when three requests are in their threads at once

    signals.request_started.connect(wait_for_the_others)
    try:

        async def three() -> list[tuple[int, bytes]]:
            return list(await asyncio.gather(*(_get(path, cookie) for _ in range(3))))

        answers = asyncio.run(three())
    finally:
        signals.request_started.disconnect(wait_for_the_others)

    assert [status for status, _ in answers] == [200, 200, 200]
    assert len({id(thread) for _, thread in request_threads}) == 3


def test_an_unknown_path_is_djangos_404(world: World) -> None:
    status, _ = asyncio.run(_get("/api/no-such-endpoint/", ""))
    assert status == 404
