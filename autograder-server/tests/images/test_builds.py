"""Image builds with real `docker build`: a good build, a failing one, one that loops forever
(time limit), one that forks without end (nproc limit), one whose ENTRYPOINT would replace the
runner, and cancelling. Each failure keeps the previous good image in use."""

import contextlib
import dataclasses
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from autograder.images import builder, selectors, services
from autograder.images.limits import build_limits
from autograder.images.models import ImageBuild, ImageStatus, SandboxImage
from tests.conftest import World, build_world

pytestmark = pytest.mark.django_db(transaction=True)

GOOD = "FROM ag-sandbox-default:latest\nRUN echo built-by-img-test > /etc/img-test-marker\n"


@pytest.fixture(autouse=True)
def limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AG_IMAGE_TAG_PREFIX", "img-test")
    monkeypatch.setenv("AG_IMAGE_BUILD_MEMORY", "512m")
    monkeypatch.setenv("AG_IMAGE_BUILD_TIMEOUT", "20")
    monkeypatch.setenv("AG_IMAGE_BUILD_NETWORK", "none")
    yield
    tags = subprocess.run(
        ["docker", "images", "--format", "{{.Repository}}:{{.Tag}}", "img-test-*"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    if tags:
        subprocess.run(
            ["docker", "image", "rm", "--force", *tags], capture_output=True, check=False
        )


@pytest.fixture
def world() -> World:
    return build_world()


def build(image: SandboxImage, dockerfile: str | None = None) -> ImageBuild:
    if dockerfile is not None:
        services.image_update(image=image, dockerfile=dockerfile)
    started = services.build_start(image=image, user=None)
    services.build_run(build_id=started.pk)
    started.refresh_from_db()
    return started


def docker_run(tag: str, *argv: str) -> str:
    return subprocess.run(
        ["docker", "run", "--rm", "--network", "none", tag, *argv],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_a_good_build_becomes_usable_and_a_failed_one_keeps_it(world: World) -> None:
    image = services.image_create(course=world.course, display_name="Marked", dockerfile=GOOD)
    assert image.reference not in {
        i.reference for i in selectors.usable_images(course_id=world.course.pk)
    }
    good = build(image)
    assert good.status == ImageStatus.READY, good.log
    assert "Successfully built" in good.log and "The image is ready" in good.log
    image.refresh_from_db()
    assert image.status == ImageStatus.READY and image.tag == good.tag and image.digest
    assert docker_run(image.tag, "cat", "/etc/img-test-marker") == "built-by-img-test\n"
    resolved = selectors.resolve(course_id=world.course.pk, reference=image.reference)
    assert resolved is not None and resolved.tag == good.tag and resolved.runtime == "runc"
    # Another course can't use it.
    assert selectors.resolve(course_id=world.other_course.pk, reference=image.reference) is None

    failed = build(image, "FROM ag-sandbox-default:latest\nRUN echo about-to-fail && exit 3\n")
    assert failed.status == ImageStatus.FAILED
    assert "about-to-fail" in failed.log and "non-zero code: 3" in failed.error
    image.refresh_from_db()
    assert image.status == ImageStatus.FAILED and image.tag == good.tag
    resolved = selectors.resolve(course_id=world.course.pk, reference=image.reference)
    assert resolved is not None and resolved.tag == good.tag


def test_a_build_that_loops_forever_is_stopped_at_the_time_limit(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AG_IMAGE_BUILD_TIMEOUT", "8")
    image = services.image_create(
        course=world.course,
        display_name="Loop",
        dockerfile="FROM ag-sandbox-default:latest\nRUN echo img-looping; while true; do :; done\n",
    )
    result = build(image)
    assert result.status == ImageStatus.FAILED
    assert "img-looping" in result.log
    assert "longer than 8 s" in result.error
    image.refresh_from_db()
    assert image.tag == "" and not image.usable


PIDS_CGROUP_DIRS = [
    d / builder.PIDS_CGROUP
    for d in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))
    if (d / "cgroup.procs").exists() and os.access(d, os.W_OK)
]


def test_the_builds_pids_cgroup_is_made_with_its_limit(tmp_path: Path) -> None:
    (tmp_path / "pids").mkdir()
    (tmp_path / "pids" / "cgroup.procs").write_text("")
    limits = build_limits()

    assert builder.pids_cgroup_parent(limits, root=tmp_path) == "/ag-image-builds"
    written = (tmp_path / "pids" / "ag-image-builds" / "pids.max").read_text()
    assert written == str(limits.pids)


def test_without_a_cgroupfs_it_may_write_builds_run_without_a_pids_parent(
    tmp_path: Path,
) -> None:
    refused = builder.pids_cgroup_parent(
        build_limits(), root=tmp_path / "missing", through_daemon=lambda _pids: False
    )
    assert refused is None


def test_a_builder_without_the_hosts_cgroups_has_the_daemon_make_the_pids_cgroup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stack's builder runs in a container whose cgroupfs is read-only: the daemon's
    throwaway container writes the limit on the host instead."""
    name = f"ag-image-builds-test-{os.getpid()}"
    monkeypatch.setattr(builder, "PIDS_CGROUP", name)
    limits = dataclasses.replace(build_limits(), pids=321)
    host_dirs = [
        d / name
        for d in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))
        if (d / "cgroup.procs").exists()
    ]
    try:
        parent = builder.pids_cgroup_parent(limits, root=tmp_path / "not-a-cgroupfs")

        assert parent == f"/{name}"
        assert (host_dirs[0] / "pids.max").read_text().strip() == "321"
    finally:
        for made in host_dirs:
            with contextlib.suppress(OSError):
                made.rmdir()


def test_a_fork_bomb_fails_on_the_build_limits(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AG_IMAGE_BUILD_TIMEOUT", "20")
    # Tighter limits than the defaults, so the bomb meets one of them soon.
    monkeypatch.setenv("AG_IMAGE_BUILD_MEMORY", "256m")
    monkeypatch.setenv("AG_IMAGE_BUILD_NPROC", "512")
    monkeypatch.setenv("AG_IMAGE_BUILD_PIDS", "200")
    # Every process forks until a fork fails, then says why and exits 1.
    program = (
        "import os\\nwhile True:\\n try: os.fork()\\n"
        " except OSError as e: print(e, flush=True); os._exit(1)"
    )
    bomb = f"FROM ag-sandbox-default:latest\nRUN python3 -c \"exec('{program}')\"\n"
    image = services.image_create(course=world.course, display_name="Bomb", dockerfile=bomb)
    result = build(image)
    assert result.status == ImageStatus.FAILED
    # Stopped by the nproc ulimit (a fork fails), by the memory limit (killed, 137), or, when
    # the kernel's OOM killer only ever takes single forks and the bomb goes on, by the time
    # limit: whichever comes first, the build fails with its log and nothing of it runs on.
    stopped_by = [
        reason
        for reason, sign in (
            ("nproc", "Resource temporarily unavailable"),
            ("memory", "code: 137"),
            ("time", "(AG_IMAGE_BUILD_TIMEOUT) and was stopped"),
        )
        if sign in result.log
    ]
    assert stopped_by, result.log[-2000:]
    # Where this machine lets the builder make its pids cgroup (tests run as root on the
    # host), the bomb fails at fork, as root too, and none of its processes is left.
    pids = PIDS_CGROUP_DIRS[0] if PIDS_CGROUP_DIRS and builder.cgroupfs_driver() else None
    if pids is not None:
        assert stopped_by == ["nproc"], result.log[-2000:]
        assert (pids / "pids.current").read_text().strip() == "0"
    assert not subprocess.run(
        ["docker", "images", "-q", f"{image.reference}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_an_image_whose_entrypoint_replaces_the_runner_is_refused(world: World) -> None:
    image = services.image_create(
        course=world.course,
        display_name="Entrypoint",
        dockerfile='FROM ag-sandbox-default:latest\nENTRYPOINT ["/bin/sh"]\n',
    )
    result = build(image)
    assert result.status == ImageStatus.FAILED
    assert "ENTRYPOINT" in result.error


def test_an_image_without_python_is_refused(world: World) -> None:
    image = services.image_create(
        course=world.course,
        display_name="No python",
        dockerfile="FROM ag-sandbox-default:latest\nUSER root\nRUN rm -f /usr/bin/python3*\n",
    )
    result = build(image)
    assert result.status == ImageStatus.FAILED
    assert "python3 is missing" in result.error


def test_a_running_build_can_be_cancelled(world: World) -> None:
    image = services.image_create(
        course=world.course,
        display_name="Slow",
        dockerfile="FROM ag-sandbox-default:latest\nRUN echo img-slow && sleep 60\n",
    )
    started = services.build_start(image=image, user=None)
    runner = threading.Thread(target=services.build_run, kwargs={"build_id": started.pk})
    runner.start()
    for _ in range(200):
        started.refresh_from_db()
        if "img-slow" in started.log:
            break
        runner.join(0.1)
    services.build_cancel(build=started)
    runner.join(60)
    started.refresh_from_db()
    assert started.status == ImageStatus.CANCELLED
    image.refresh_from_db()
    assert image.status == ImageStatus.CANCELLED and image.tag == ""
