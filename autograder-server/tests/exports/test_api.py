import zipfile
from io import BytesIO
from typing import Any, cast

import pytest
from django.core.files.storage import default_storage
from django.http import FileResponse

from autograder.exports import services
from autograder.exports.models import ExportState, ExportTask
from autograder.exports.tasks import build_export
from tests.conftest import World
from tests.exports.conftest import submit

pytestmark = pytest.mark.django_db


def start(world: World, capture: Any, body: dict[str, Any]) -> Any:
    with capture(execute=False) as callbacks:
        response = world.client("staff").post(
            f"/api/projects/{world.project.pk}/exports/", body, format="json"
        )
    return response, callbacks


def test_staff_start_a_download_that_a_small_worker_builds_after_commit(
    world: World,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    submit(world.group, {"a.py": b"print(1)\n"})
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(build_export, "apply_async", lambda **kw: sent.append(kw))

    response, callbacks = start(world, django_capture_on_commit_callbacks, {"kind": "final_files"})

    assert response.status_code == 201, response.data
    body = response.data
    assert (body["kind"], body["state"], body["progress"]) == ("final_files", "queued", 0)
    assert (body["include_staff"], body["include_pending_extensions"]) == (False, False)
    assert body["download_url"] is None
    assert body["creator"] == "staff@example.edu"
    assert sent == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sent == [{"args": (body["id"],), "queue": f"{settings.QUEUE_PREFIX}small"}]


def test_progress_then_the_file(world: World, settings: Any) -> None:
    settings.PROTECTED_MEDIA_PREFIX = ""
    submit(world.group, {"a.py": b"print(1)\n"})
    member = world.group.members.get().username
    task = services.export_create(project=world.project, creator=None, kind="final_files")
    client = world.client("staff")

    before = client.get(f"/api/exports/{task.pk}/").data
    services.export_build(task_id=task.pk)
    after = client.get(f"/api/exports/{task.pk}/").data
    download = client.get(after["download_url"])

    assert (before["state"], before["download_url"]) == ("queued", None)
    assert (after["state"], after["progress"]) == ("done", 100)
    assert after["download_url"] == f"/api/exports/{task.pk}/file/"
    assert download.status_code == 200
    assert after["filename"] in download["Content-Disposition"]
    content = b"".join(cast(FileResponse, download).streaming_content)  # type: ignore[arg-type]  # bytes when served from a file
    assert zipfile.ZipFile(BytesIO(content)).read(f"{member}/a.py") == b"print(1)\n"


def test_behind_nginx_the_file_is_handed_to_its_protected_location(
    world: World, settings: Any
) -> None:
    settings.PROTECTED_MEDIA_PREFIX = "/protected/"
    task = services.export_create(project=world.project, creator=None, kind="all_scores")
    services.export_build(task_id=task.pk)
    task.refresh_from_db()

    response = world.client("admin").get(f"/api/exports/{task.pk}/file/")

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected/{task.file_path}"
    assert default_storage.exists(task.file_path)
    assert response.content == b""


def test_the_list_shows_the_newest_first(world: World) -> None:
    first = services.export_create(project=world.project, creator=None, kind="all_files")
    second = services.export_create(project=world.project, creator=None, kind="all_scores")

    body = world.client("staff").get(f"/api/projects/{world.project.pk}/exports/").data

    assert [row["id"] for row in body["results"]] == [second.pk, first.pk]
    assert body["results"][1]["filename"].endswith(".zip")
    assert body["results"][0]["filename"].endswith(".csv")


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({}, "kind", "required"),
        ({"kind": "everything"}, "kind", "not a valid choice"),
        ({"kind": "all_files", "include_staff": "maybe"}, "include_staff", "valid boolean"),
        ({"kind": "all_files", "format": "tar"}, "format", "Unknown field"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    world: World,
    django_capture_on_commit_callbacks: Any,
    body: dict[str, Any],
    field: str,
    reason: str,
) -> None:
    response, callbacks = start(world, django_capture_on_commit_callbacks, body)

    assert response.status_code == 400
    assert reason in str(response.data["fields"][field])
    assert not ExportTask.objects.exists()
    assert callbacks == []


def test_a_file_not_built_yet_is_not_found(world: World) -> None:
    task = services.export_create(project=world.project, creator=None, kind="all_files")
    ExportTask.objects.filter(pk=task.pk).update(state=ExportState.BUILDING)

    response = world.client("staff").get(f"/api/exports/{task.pk}/file/")

    assert response.status_code == 404
    assert "not ready" in response.data["message"]
