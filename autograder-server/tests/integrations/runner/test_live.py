"""A work sent to the runner API is graded by a real worker in a real sandbox, with its
`param` fields in the commands' environment, and the result reaches a real callback receiver
on 127.0.0.1, signed."""

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from autograder.integrations.callbacks import signing
from autograder.integrations.runner.models import RunnerWork
from tests.conftest import World
from tests.grading import pipeline_helpers as h
from tests.grading.live_worker import LiveProcess, delete_queues, start_worker, wait_for
from tests.integrations.callbacks.receiver import Receiver, receiver
from tests.integrations.runner.helpers import make_key, post_work

__all__ = ["receiver"]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: None, django_db_blocker: Any
) -> Iterator[LiveProcess]:
    tmp = tmp_path_factory.mktemp("runner-live")
    prefix = f"test{os.getpid()}-"
    with override_settings(MEDIA_ROOT=tmp / "media", QUEUE_PREFIX=prefix):
        with django_db_blocker.unblock():
            worker = start_worker(tmp, env={"AG_CALLBACK_ALLOW_PRIVATE": "true"})
        try:
            yield worker
        finally:
            worker.kill()
            delete_queues(prefix)


def test_a_work_is_graded_in_a_sandbox_and_its_result_called_back(
    live: LiveProcess, receiver: Receiver, world: World
) -> None:
    project = h.project_with_catch_all(course=world.course)
    suite = h.suite(project, name="Greeting")
    h.command(
        suite, 'echo "$GREETING"; python3 main.py', case="says hello", name="hello",
        expected_stdout_source="text", expected_stdout_text="bonjour\nhi\n",
        points_for_correct_stdout=3,
    )  # fmt: skip
    h.command(
        suite, "python3 main.py", case="says bye", name="bye",
        expected_stdout_source="text", expected_stdout_text="bye\n", points_for_correct_stdout=1,
    )  # fmt: skip
    key, secret = make_key(world.course, project)

    started = time.monotonic()
    answer = post_work(
        secret, assignment=project.pk, callback=receiver.url, params=["GREETING=bonjour"]
    )
    assert answer.status_code == 200, answer.json()
    wait_for(lambda: receiver.requests, timeout=120, what="the callback")
    elapsed = time.monotonic() - started

    (request,) = receiver.requests
    body = json.loads(request.body)
    assert body["success"] is True, body
    assert body["work_id"] == "w-1"
    assert body["grade"] == 7.5  # 3 of 4 points, out of 10
    assert "Greeting: 3/4" in body["comments"]
    assert signing.verify(
        key.signing_secret, request.headers[signing.HEADER], request.body, now=int(time.time())
    )
    work = RunnerWork.objects.get()
    wait_for(
        lambda: RunnerWork.objects.filter(pk=work.pk, state="delivered").exists(),
        timeout=10,
        what="the delivery to be logged",
    )
    assert elapsed < 120
