"""Two graders on the same group see each other's changes live: the handgrading page's stream
(`handgrading_results/<id>/events/`) served as production serves it (uvicorn on 127.0.0.1,
Redis pub/sub) sends the result's new version as soon as another grader's change commits;
a reconnecting page (`Last-Event-ID`) hears only of what changed since; each grader's items
stay theirs (last write wins per item)."""

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from autograder.handgrading import services
from autograder.handgrading.models import CriterionResult, HandgradingResult
from tests.conftest import build_world
from tests.grading.pipeline.test_events_at_scale import Stream, _cookie
from tests.grading.pipeline.test_events_at_scale import server as server  # the fixture
from tests.handgrading.helpers import make_graded, make_rubric, user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _version(frame: dict[str, str]) -> int:
    data: dict[str, int] = json.loads(frame["data"])
    return data["version"]


def test_two_graders_see_each_other_s_changes_live(server: str) -> None:
    world = build_world()
    _, (readable, tested), _ = make_rubric(world.project)
    make_graded(world.group)
    result = services.result_for_group(group=world.group)
    assert result is not None
    staff, handgrader = user(world, "staff"), user(world, "handgrader")
    path = f"/api/handgrading_results/{result.pk}/events/"
    staff_cookie, handgrader_cookie = _cookie(staff), _cookie(handgrader)
    student_cookie = _cookie(user(world, "student"))

    async def select(criterion: Any, by: Any) -> None:
        await asyncio.to_thread(
            services.criterion_select, result=result, criterion=criterion, selected=True, by=by
        )

    async def scenario() -> None:
        # Both graders have the page open.
        theirs = await Stream.open(server, path, handgrader_cookie)
        mine = await Stream.open(server, path, staff_cookie)
        assert (theirs.status, mine.status) == (200, 200)
        (first,) = await mine.until(1)
        await theirs.until(1)

        # The handgrader ticks a criterion; the staff member's page hears of it.
        await select(readable, handgrader)
        changed = (await mine.until(2))[1]
        assert _version(changed) == _version(first) + 1
        assert _version((await theirs.until(2))[1]) == _version(changed)

        # Both tick another item at once: neither change is lost, both pages hear of both.
        await asyncio.gather(select(tested, staff), select(readable, staff))
        frames = await mine.until(3)
        while _version(frames[-1]) < _version(first) + 3:
            frames = await mine.until(len(frames) + 1)
        theirs.close()
        mine.close()

        # A page that reconnects where it left off hears nothing until the next change.
        resumed = await Stream.open(server, path, staff_cookie, last_id=frames[-1]["id"])
        with pytest.raises(TimeoutError):
            await resumed.until(1, timeout=1.5)
        await asyncio.to_thread(services.result_update, result=result, finished=True)
        (finished,) = await resumed.until(1)
        assert _version(finished) == _version(frames[-1]) + 1
        resumed.close()

        # Someone outside the course is refused, with the API's error body.
        stranger = await Stream.open(server, path, student_cookie)
        assert stranger.status == 403
        stranger.close()

    asyncio.run(scenario())
    selected = CriterionResult.objects.filter(result=result, selected=True)
    assert sorted(c.criterion.short_description for c in selected) == ["Readable", "Tested"]
    assert HandgradingResult.objects.get(pk=result.pk).finished
