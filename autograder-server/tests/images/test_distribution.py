"""Distribution against a real registry container (the stack's stand-in, built offline from
Debian's docker-registry package like deploy/build-local-bases does): a good build is pushed
and recorded by digest, a grader that lacks it pulls it once however many slots ask at the
same moment, a failed pull is a sandbox error, and garbage collection removes only what
nothing needs."""

import functools
import json
import os
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from autograder.celery import app
from autograder.images import garbage, services, tasks
from autograder.images.models import ImageBuild, ImageStatus, SandboxImage
from autograder.sandbox.docker_backend import DockerBackend, DockerSandbox
from autograder.sandbox.errors import SandboxUnavailableError
from autograder.sandbox.interface import ContainerSpec
from tests.conftest import World, build_world
from tests.grading.live_worker import LiveProcess, delete_queues, start_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

REPO = Path(__file__).resolve().parents[3]
LABEL = "org.autograder.test=dist"
SPEC = ContainerSpec(memory_bytes=256 * 1024**2, pids=128, cpus=1.0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _standin_registry_image() -> str:
    """The stack's registry stand-in, made (once per recipe) by deploy/lib.sh, offline."""
    script = (
        ". deploy/lib.sh && ag_load_config >/dev/null 2>&1; "
        "AG_OFFLINE=1 REG=ag-standin-registry ag_resolve_image REG ag-standin-registry registry"
    )
    done = subprocess.run(
        ["bash", "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def registry() -> Iterator[str]:
    port = _free_port()
    name = f"dist-registry-{os.getpid()}"
    subprocess.run(
        ["docker", "run", "-d", "--rm", "--name", name, "--label", LABEL,
         "-p", f"127.0.0.1:{port}:5000", _standin_registry_image()],
        capture_output=True, check=True,
    )  # fmt: skip
    address = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://{address}/v2/", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield address
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=False)


@pytest.fixture(autouse=True)
def distribution_settings(monkeypatch: pytest.MonkeyPatch, registry: str) -> Iterator[None]:
    monkeypatch.setenv("AG_IMAGE_TAG_PREFIX", "dist-test")
    monkeypatch.setenv("AG_IMAGE_BUILD_NETWORK", "none")
    monkeypatch.setenv("AG_IMAGE_BUILD_TIMEOUT", "60")
    monkeypatch.setenv("AG_SANDBOX_REGISTRY", registry)
    yield
    ids = subprocess.run(
        ["docker", "images", "-q", "--filter", "label=org.autograder.built-by=images"],
        capture_output=True, text=True, check=False,
    ).stdout.split()  # fmt: skip
    names = "{{json .RepoTags}}{{json .RepoDigests}}"
    mine = [
        i for i in set(ids)
        if "dist-test-" in subprocess.run(
            ["docker", "image", "inspect", "--format", names, i],
            capture_output=True, text=True, check=False,
        ).stdout
    ]  # fmt: skip
    if mine:
        subprocess.run(["docker", "image", "rm", "-f", *mine], capture_output=True, check=False)


@pytest.fixture
def world() -> World:
    return build_world()


def _build(world: World, marker: str) -> SandboxImage:
    image = services.image_create(
        course=world.course,
        display_name=marker,
        dockerfile=f"FROM ag-sandbox-default:latest\nRUN echo {marker} > /etc/dist-marker\n",
    )
    started = services.build_start(image=image, user=None)
    services.build_run(build_id=started.pk)
    started.refresh_from_db()
    assert started.status == ImageStatus.READY, started.log
    image.refresh_from_db()
    return image


def _forget_locally(reference: str) -> None:
    """This node loses every name of the image: a grader that never had it."""
    image_id = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{.Id}}", reference],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    subprocess.run(["docker", "image", "rm", "-f", image_id], capture_output=True, check=True)
    assert (
        subprocess.run(
            ["docker", "image", "inspect", reference], capture_output=True, check=False
        ).returncode
        != 0
    )


def test_a_good_build_is_pushed_and_suites_run_its_digest(world: World, registry: str) -> None:
    image = _build(world, "pushed-one")
    repository = f"{registry}/{image.reference}"
    assert image.tag.startswith(f"{repository}@sha256:"), image.tag
    build = ImageBuild.objects.get(image=image)
    assert build.tag == image.tag and "Pushed " in build.log
    digest = image.tag.rpartition("@")[2]
    request = urllib.request.Request(
        f"http://{registry}/v2/{image.reference}/manifests/{digest}",
        method="HEAD",
        headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.headers["Docker-Content-Digest"] == digest


def test_a_grader_without_the_image_pulls_it_once_for_all_slots(world: World) -> None:
    image = _build(world, "pulled-once")
    _forget_locally(image.tag)
    backend = DockerBackend()  # a fresh grader process
    sandboxes: list[DockerSandbox] = []
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def slot() -> None:
        start.wait()
        try:
            sandboxes.append(backend.create(image.tag, SPEC))
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=slot) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    try:
        assert not errors, errors
        assert len(sandboxes) == 6
        assert backend.puller.pulls == 1
        result = sandboxes[0].run(["cat", "/etc/dist-marker"])
        assert result.stdout == b"pulled-once\n"
    finally:
        for sandbox in sandboxes:
            sandbox.release()
    # Another process of the same node finds it present: nothing to pull.
    again = DockerBackend()
    again.create(image.tag, SPEC).release()
    assert again.puller.pulls == 0


def test_a_failed_pull_is_a_sandbox_error_naming_the_image(registry: str) -> None:
    missing = f"{registry}/dist-test-never-pushed@sha256:" + "0" * 64
    with pytest.raises(SandboxUnavailableError, match="cannot pull sandbox image") as raised:
        DockerBackend().create(missing, SPEC)
    assert "dist-test-never-pushed" in str(raised.value)


def test_garbage_collection_keeps_what_is_needed_or_in_use(world: World) -> None:
    kept = _build(world, "gc-kept")
    unused = _build(world, "gc-unused")
    busy = _build(world, "gc-busy")
    needed = services.images_needed(retention_days=14)
    assert {kept.tag, unused.tag, busy.tag} <= needed
    # A container of `busy` is running; `unused` is needed by no suite or recent build.
    container = subprocess.run(
        ["docker", "run", "-d", "--rm", "--label", LABEL, "--network", "none",
         "--entrypoint", "", busy.tag, "sleep", "60"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    try:
        collected = garbage.collect(keep={kept.tag}, min_age_s=0)
        present = {
            image.tag: subprocess.run(
                ["docker", "image", "inspect", image.tag], capture_output=True, check=False
            ).returncode == 0
            for image in (kept, unused, busy)
        }  # fmt: skip
        assert present == {kept.tag: True, unused.tag: False, busy.tag: True}
        assert collected.kept_in_use >= 1 and len(collected.removed) >= 1
    finally:
        subprocess.run(["docker", "rm", "-f", container], capture_output=True, check=False)


def test_old_builds_leave_the_keep_list_after_the_retention(world: World) -> None:
    image = _build(world, "gc-old")
    first = image.tag
    services.image_update(
        image=image, dockerfile="FROM ag-sandbox-default:latest\nRUN echo gc-new > /etc/m\n"
    )
    started = services.build_start(image=image, user=None)
    services.build_run(build_id=started.pk)
    image.refresh_from_db()
    assert image.tag != first
    assert first in services.images_needed(retention_days=14)
    ImageBuild.objects.filter(tag=first).update(finished_at=timezone.now() - timedelta(days=30))
    needed = services.images_needed(retention_days=14)
    assert first not in needed and image.tag in needed
    assert json.dumps(sorted(needed))  # what beat sends is plain JSON


def _present(reference: str) -> bool:
    inspect = ["docker", "image", "inspect", reference]
    return subprocess.run(inspect, capture_output=True, check=False).returncode == 0


def _log_has(worker: LiveProcess, *texts: str) -> bool:
    log = worker.log.read_bytes()
    return all(text.encode() in log for text in texts)


def test_beat_task_reaches_every_worker_with_docker(
    world: World, tmp_path: Path, _own_cache_keys: str
) -> None:
    """The periodic task sends the keep list to every worker at once (a fanout exchange):
    two real workers (two nodes' graders) each get it and collect on their Docker."""
    kept = _build(world, "gc-live-kept")
    dropped = _build(world, "gc-live-dropped")
    services.image_delete(image=dropped)  # needed by no suite or build any more
    prefix = f"dist{os.getpid()}-"
    env: dict[str, Any] = {
        "AG_IMAGE_GC_NODE": "true",
        "AG_IMAGE_GC_MIN_AGE": "0",
        "AG_CACHE_KEY_PREFIX": _own_cache_keys,
        "AG_SANDBOX_REGISTRY": os.environ["AG_SANDBOX_REGISTRY"],
    }
    with override_settings(MEDIA_ROOT=tmp_path / "media", QUEUE_PREFIX=prefix):
        workers = [
            start_worker(tmp_path, concurrency=1, name=name, env=env) for name in ("gc1", "gc2")
        ]
        try:
            for worker in workers:
                wait_for(
                    functools.partial(_log_has, worker, f"{prefix}images-gc."),
                    timeout=60,
                    what="the worker to join the garbage collection broadcast",
                )
            tasks.collect_garbage_everywhere()
            for worker in workers:
                wait_for(
                    functools.partial(_log_has, worker, "images.collect_garbage", "succeeded"),
                    timeout=60,
                    what="the worker to collect",
                )
            wait_for(lambda: not _present(dropped.tag), timeout=30, what="the image removed")
            assert _present(kept.tag)
        finally:
            for worker in workers:
                worker.kill()
            delete_queues(prefix)
            with app.connection_for_write() as conn:
                channel: Any = conn.default_channel
                channel.exchange_delete(tasks.gc_exchange().name)
