"""Live status events: what a watcher of `/api/submissions/<id>/events/` receives while the
submission is really graded, with Redis and with the polling fallback (no Redis), over WSGI
(a thread per watcher) and ASGI (a coroutine per watcher)."""

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections
from django.test import AsyncClient
from rest_framework.test import APIClient

from autograder.grading.pipeline import events, jobs
from autograder.grading.pipeline.models import GradingJob
from autograder.sandbox.pool import PoolManager
from autograder.submissions.models import Submission
from autograder.submissions.services import submission_remove_from_queue
from tests.grading import pipeline_helpers as h
from tests.grading.live_worker import wait_for

Frames = list[dict[str, Any]]


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(params=["redis", "polling"])
def delivery(request: pytest.FixtureRequest, settings: Any) -> str:
    """With Redis (as deployed) and without it (the quickstart's polling fallback)."""
    if request.param == "polling":
        settings.REDIS_URL = ""
    else:
        assert settings.REDIS_URL, "the Redis variant needs AG_REDIS_URL"
    return str(request.param)


def _status_frames(raw: bytes) -> Frames:
    found = []
    for block in raw.split(b"\n\n"):
        fields = dict(
            line.split(": ", 1)
            for line in block.decode().splitlines()
            if ": " in line and not line.startswith(":")
        )
        if fields.get("event") == "status":
            found.append(json.loads(fields["data"]))
    return found


class Watcher:
    """Reads a submission's event stream in the background, as a browser would."""

    def __init__(self, submission: Submission, server: str) -> None:
        self.frames: Frames = []
        self.error: BaseException | None = None
        staff = h.staff_of(submission.project)
        url = f"/api/submissions/{submission.pk}/events/"
        if server == "wsgi":
            client = APIClient()
            client.force_authenticate(staff)
            response = client.get(url, HTTP_ACCEPT="text/event-stream")
            assert response.status_code == 200
            stream = cast(Iterator[bytes], response.streaming_content)  # type: ignore[attr-defined]  # set on streaming responses
            target: Callable[[], None] = lambda: self._read(stream)  # noqa: E731
        else:
            target = lambda: asyncio.run(self._read_async(url, staff))  # noqa: E731
        self._thread = threading.Thread(target=target, daemon=True)
        self._thread.start()

    def _read(self, stream: Iterator[bytes]) -> None:
        try:
            for chunk in stream:  # one frame per chunk
                self.frames.extend(_status_frames(chunk))
        except BaseException as error:  # reported by statuses()
            self.error = error
        finally:
            connection.close()

    async def _read_async(self, url: str, staff: Any) -> None:
        client = AsyncClient()
        await sync_to_async(client.force_login)(staff)
        try:
            response = await client.get(url, headers={"accept": "text/event-stream"})
            assert response.status_code == 200
            stream = cast(AsyncIterator[bytes], response.streaming_content)  # type: ignore[attr-defined]  # set on streaming responses
            async for chunk in stream:
                self.frames.extend(_status_frames(chunk))
        except BaseException as error:  # reported by statuses()
            self.error = error
        finally:
            await sync_to_async(connections.close_all)()

    def wait_frames(self, count: int) -> None:
        wait_for(lambda: len(self.frames) >= count, timeout=30, what=f"{count} status frames")

    def statuses(self) -> list[str]:
        """Once the stream has ended (the submission reached a final status)."""
        self._thread.join(timeout=30)
        assert not self._thread.is_alive(), "the stream ends once the submission is final"
        assert self.error is None, self.error
        return [frame["status"] for frame in self.frames]

    def stages(self) -> Frames:
        """The first frame of each status in turn, once the stream has ended (the queue
        position may change within one: a claimed job leaves the queue a moment before its
        submission is marked `being_graded`)."""
        self.statuses()
        return [
            frame
            for i, frame in enumerate(self.frames)
            if i == 0 or self.frames[i - 1]["status"] != frame["status"]
        ]


def deferred_project() -> Any:
    project = h.project_with_catch_all()
    h.command(h.suite(project, name="now"), "echo now", name="now")
    h.command(h.suite(project, name="later", deferred=True), "echo later", name="later")
    return project


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("server", ["wsgi", "asgi"])
def test_watcher_sees_every_stage_of_a_real_grading(
    provider: PoolManager, delivery: str, server: str
) -> None:
    """Grading in real sandboxes passes `being_graded` and `waiting_for_deferred` in well
    under the polling interval; the watcher still gets each stage once, in order."""
    submission = h.submit(deferred_project())
    watcher = Watcher(submission, server)
    watcher.wait_frames(1)

    h.grade(provider, submission)  # the non-deferred suite
    h.grade(provider, submission)  # the deferred one

    stages = watcher.stages()
    assert [stage["status"] for stage in stages] == [
        "queued",
        "being_graded",
        "waiting_for_deferred",
        "finished_grading",
    ]
    assert watcher.frames[-1] == stages[-1], "nothing after the final status"
    queued, being_graded, waiting, finished = stages
    assert queued["queue_position"] == 1
    assert being_graded["grading_started_at"] == finished["grading_started_at"] is not None
    assert being_graded["finished_at"] is None and being_graded["queue_position"] is None
    assert waiting["non_deferred_finished_at"] == finished["non_deferred_finished_at"] is not None
    assert waiting["finished_at"] is None
    assert finished["finished_at"] is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("server", ["wsgi", "asgi"])
def test_queue_position_moves_as_jobs_ahead_are_claimed(delivery: str, server: str) -> None:
    project = h.project_with_catch_all()
    h.command(h.suite(project), "echo hi")
    ahead, submission = h.submit(project), h.submit(project)
    watcher = Watcher(submission, server)
    watcher.wait_frames(1)
    assert watcher.frames[0]["queue_position"] == 2

    job = GradingJob.objects.get(submission=ahead)
    assert jobs.job_claim_next(queue=job.queue, owner="test-worker") is not None
    watcher.wait_frames(2)
    submission_remove_from_queue(submission=submission)

    assert watcher.statuses() == ["queued", "queued", "removed_from_queue"]
    assert [frame["queue_position"] for frame in watcher.frames] == [2, 1, None]
    assert watcher.frames[1]["estimated_wait_s"] > 0


def snapshot(status: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": 1,
        "status": status,
        "error_msg": "",
        "error_detail": "",
        "queue_position": None,
        "estimated_wait_s": None,
        "queued_at": "t0",
        "grading_started_at": None,
        "non_deferred_finished_at": None,
        "finished_at": None,
    } | fields


@pytest.mark.parametrize(
    ("before", "after", "passed"),
    [
        (
            snapshot("queued", queue_position=1),
            snapshot("being_graded", grading_started_at="t1"),
            [],
        ),
        (
            snapshot("queued", queue_position=1),
            snapshot(
                "finished_grading",
                grading_started_at="t1",
                non_deferred_finished_at="t2",
                finished_at="t2",
            ),
            ["being_graded"],
        ),
        (
            snapshot("received"),
            snapshot(
                "finished_grading",
                grading_started_at="t1",
                non_deferred_finished_at="t2",
                finished_at="t3",
            ),
            ["being_graded", "waiting_for_deferred"],
        ),
        (
            snapshot("being_graded", grading_started_at="t1"),
            snapshot(
                "error",
                grading_started_at="t1",
                non_deferred_finished_at="t2",
                finished_at="t3",
                error_msg="Grading failed",
                error_detail="The sandbox failed 3 times",
            ),
            ["waiting_for_deferred"],
        ),
        (
            snapshot("queued"),
            snapshot("rejected", grading_started_at="t1", finished_at="t2", error_msg="setup"),
            ["being_graded"],
        ),
        (snapshot("queued"), snapshot("removed_from_queue"), []),
        (
            snapshot("being_graded", grading_started_at="t1"),
            snapshot("queued", grading_started_at="t1"),
            [],
        ),
        (
            snapshot(
                "waiting_for_deferred", grading_started_at="t1", non_deferred_finished_at="t2"
            ),
            snapshot(
                "finished_grading",
                grading_started_at="t1",
                non_deferred_finished_at="t2",
                finished_at="t3",
            ),
            [],
        ),
    ],
)
def test_stages_passed_between_two_reads(
    before: dict[str, Any], after: dict[str, Any], passed: list[str]
) -> None:
    stages = events.stages_passed(before, after)

    assert [s["status"] for s in stages] == passed
    for stage in stages:
        assert stage["finished_at"] is None
        assert stage["error_msg"] == stage["error_detail"] == ""
        assert stage["queue_position"] is None and stage["grading_started_at"] == "t1"
