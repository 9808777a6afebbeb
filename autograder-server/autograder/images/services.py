"""Creating, editing, building and cancelling sandbox images. Callers check permissions."""

import uuid
from collections.abc import Collection
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Right
from django.utils import timezone

from autograder.accounts.models import User
from autograder.common.errors import ConflictError, field_error
from autograder.courses.models import Course
from autograder.images import builder, distribution
from autograder.images.limits import build_limits
from autograder.images.models import ImageBuild, ImageStatus, Runtime, SandboxImage
from autograder.images.signals import images_pinned
from autograder.sandbox.config import load_settings

MAX_DOCKERFILE = 64_000
MAX_BUILD_FILES = 20
MAX_BUILD_FILE = 256_000
STALE_AFTER_LIMIT_S = 600
"""A build unfinished this long past AG_IMAGE_BUILD_TIMEOUT has lost its worker."""


def images_queue() -> str:
    """The broker's name of the `images` queue (builds only: slow, and kept off grading)."""
    return f"{settings.QUEUE_PREFIX}images"


def _check(fields: dict[str, Any]) -> None:
    if "runtime" in fields:
        runtime = fields["runtime"]
        available = builder.docker_runtimes()
        if runtime not in Runtime.values or runtime not in available:
            raise field_error(
                "runtime",
                f"{runtime!r} is not a runtime this site's Docker offers "
                f"({', '.join(sorted(set(Runtime.values) & available))}).",
                code="unknown_runtime",
            )
    if "dockerfile" in fields:
        text = fields["dockerfile"]
        if len(text) > MAX_DOCKERFILE:
            raise field_error("dockerfile", f"At most {MAX_DOCKERFILE} characters.")
        if not any(line.strip().upper().startswith("FROM ") for line in text.splitlines()):
            raise field_error("dockerfile", "A Dockerfile needs a FROM line.", code="no_from")
    if "build_files" in fields:
        files = fields["build_files"]
        if len(files) > MAX_BUILD_FILES:
            raise field_error("build_files", f"At most {MAX_BUILD_FILES} files.")
        for name, text in files.items():
            path = PurePosixPath(name)
            if (
                path.is_absolute()
                or ".." in path.parts
                or not name
                or name == "Dockerfile"
                or "\0" in name
                or len(name) > 255
            ):
                raise field_error(
                    "build_files",
                    f"{name!r}: a build file's name is a relative path without '..' "
                    "(and not 'Dockerfile').",
                )
            if len(text) > MAX_BUILD_FILE:
                raise field_error("build_files", f"{name!r} is larger than {MAX_BUILD_FILE}.")


def _duplicate(course: Course | None, name: str, exclude: int | None = None) -> None:
    others = SandboxImage.objects.filter(course=course, display_name=name)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise field_error(
            "display_name", f"An image named {name!r} exists already.", code="duplicate_name"
        )


@transaction.atomic
def image_create(
    *,
    course: Course | None,
    display_name: str,
    dockerfile: str,
    build_files: dict[str, str] | None = None,
    runtime: str = Runtime.RUNC,
) -> SandboxImage:
    fields = {"dockerfile": dockerfile, "build_files": build_files or {}, "runtime": runtime}
    _check(fields)
    _duplicate(course, display_name)
    prefix = build_limits().tag_prefix
    return SandboxImage.objects.create(
        course=course,
        display_name=display_name,
        reference=f"{prefix}-{uuid.uuid4().hex[:12]}",
        **fields,
    )


def image_reference_for_course(*, reference: str, course: Course) -> str:
    """The reference a copy of a suite in `course` should use for `reference`.

    Site images and the course's own images stay as they are. An image of another course
    (a suite copied to a new term or another course) is copied into `course` once: the same
    Dockerfile, build files, runtime and last good build (tag and digest), so the copy
    grades on the very same image and the new course can rebuild it on its own. A later copy
    from the same image reuses that copy. Anything else is returned unchanged for the
    suite's own validation to judge."""
    image = SandboxImage.objects.filter(reference=reference).first()
    if image is None or image.course_id is None or image.course_id == course.pk:
        return reference
    existing = SandboxImage.objects.filter(
        course=course,
        dockerfile=image.dockerfile,
        build_files=image.build_files,
        runtime=image.runtime,
        tag=image.tag,
    ).first()
    if existing is not None:
        return existing.reference
    name, suffix = image.display_name, 2
    while SandboxImage.objects.filter(course=course, display_name=name).exists():
        name, suffix = f"{image.display_name} ({suffix})", suffix + 1
    prefix = build_limits().tag_prefix
    copy = SandboxImage.objects.create(
        course=course,
        display_name=name,
        reference=f"{prefix}-{uuid.uuid4().hex[:12]}",
        dockerfile=image.dockerfile,
        build_files=image.build_files,
        runtime=image.runtime,
        tag=image.tag,
        digest=image.digest,
        status=image.status,
    )
    return copy.reference


@transaction.atomic
def image_update(*, image: SandboxImage, **fields: Any) -> SandboxImage:
    if image.built_in:
        raise ConflictError(
            "This image is configured by the site (AG_SANDBOX_IMAGES); it can't be edited here.",
            code="built_in",
        )
    _check(fields)
    if "display_name" in fields:
        _duplicate(image.course, fields["display_name"], exclude=image.pk)
    for name, value in fields.items():
        setattr(image, name, value)
    image.save()
    return image


def image_delete(*, image: SandboxImage) -> None:
    if image.built_in:
        raise ConflictError("The site's configured images can't be deleted.", code="built_in")
    image.delete()


@transaction.atomic
def build_start(*, image: SandboxImage, user: User | None) -> ImageBuild:
    """Queues a build of the image's current Dockerfile; one build per image at a time."""
    image = SandboxImage.objects.select_for_update().get(pk=image.pk)
    if image.built_in:
        raise ConflictError("The site's configured images are built by the site.", code="built_in")
    _fail_stale_builds(image)
    if image.builds.filter(status__in=[ImageStatus.PENDING, ImageStatus.BUILDING]).exists():
        raise ConflictError("A build of this image is already running.", code="build_running")
    build = ImageBuild.objects.create(
        image=image, dockerfile=image.dockerfile, build_files=image.build_files, created_by=user
    )
    image.status = ImageStatus.PENDING
    image.save(update_fields=["status", "updated_at"])
    from autograder.images.tasks import build_image

    transaction.on_commit(lambda: build_image.apply_async(args=(build.pk,), queue=images_queue()))
    return build


def _fail_stale_builds(image: SandboxImage) -> None:
    """A build still unfinished long after the time limit lost its worker (a crash, a
    restart): it is marked failed so the image can be built again."""
    limit = timedelta(seconds=build_limits().timeout_s + STALE_AFTER_LIMIT_S)
    stale = image.builds.filter(
        status__in=[ImageStatus.PENDING, ImageStatus.BUILDING],
        created_at__lt=timezone.now() - limit,
    )
    for build in stale:
        _finish(build, ImageStatus.FAILED, "The build's worker stopped before it finished.")


@transaction.atomic
def build_cancel(*, build: ImageBuild) -> ImageBuild:
    build = ImageBuild.objects.select_for_update().get(pk=build.pk)
    if build.finished:
        raise ConflictError("This build has finished already.", code="finished")
    build.cancel_requested = True
    if build.status == ImageStatus.PENDING:
        _finish(build, ImageStatus.CANCELLED, "The build was cancelled before it started.")
    else:
        build.save(update_fields=["cancel_requested"])
    return build


def _finish(build: ImageBuild, status: str, error: str = "") -> None:
    build.status = status
    build.error = error
    build.finished_at = timezone.now()
    build.save(
        update_fields=["status", "error", "finished_at", "cancel_requested", "tag", "digest"]
    )
    image = SandboxImage.objects.get(pk=build.image_id)
    if image.builds.order_by("-pk").values_list("pk", flat=True).first() == build.pk:
        image.status = status
        if status == ImageStatus.READY:
            image.tag, image.digest = build.tag, build.digest
        image.save(update_fields=["status", "tag", "digest", "updated_at"])


def _append(build_id: int, text: str) -> None:
    limit = build_limits().max_log_bytes
    ImageBuild.objects.filter(pk=build_id).update(log=Right(Concat(F("log"), Value(text)), limit))


def build_run(*, build_id: int) -> None:
    """The `images` worker's part: runs a queued build and records how it ended."""
    claimed = ImageBuild.objects.filter(pk=build_id, status=ImageStatus.PENDING).update(
        status=ImageStatus.BUILDING, started_at=timezone.now()
    )
    if not claimed:
        return  # cancelled before it started, or claimed already
    build = ImageBuild.objects.select_related("image").get(pk=build_id)
    SandboxImage.objects.filter(pk=build.image_id).update(status=ImageStatus.BUILDING)
    tag = f"{build.image.reference}:b{build.pk}"

    def cancelled() -> bool:
        return ImageBuild.objects.filter(pk=build_id, cancel_requested=True).exists()

    try:
        outcome = builder.run_build(
            tag=tag,
            dockerfile=build.dockerfile,
            files=build.build_files,
            limits=build_limits(),
            on_output=lambda text: _append(build_id, text),
            cancelled=cancelled,
            runtime=build.image.runtime,
        )
    except builder.BuildCancelledError as e:
        builder.remove_image(tag)
        build.refresh_from_db()
        _finish(build, ImageStatus.CANCELLED, str(e))
        return
    except (builder.BuildFailedError, OSError) as e:
        builder.remove_image(tag)
        build.refresh_from_db()
        _append(build_id, f"\n{e}\n")
        _finish(build, ImageStatus.FAILED, str(e))
        return
    try:
        pushed = distribution.push(
            tag=outcome.tag,
            reference=build.image.reference,
            on_output=lambda text: _append(build_id, text),
        )
    except distribution.PushFailedError as e:
        builder.remove_image(tag)
        build.refresh_from_db()
        _append(build_id, f"\n{e}\n")
        _finish(build, ImageStatus.FAILED, str(e))
        return
    build.refresh_from_db()
    build.tag, build.digest = pushed, outcome.digest
    _append(build_id, f"\nThe image is ready: {pushed}\n")
    _finish(build, ImageStatus.READY)


def images_needed(*, retention_days: float) -> set[str]:
    """What every node keeps: each image's current build, the site's configured images,
    every good build of the last `retention_days` (results that ran on them may be rerun on
    that very digest), and what the apps above pin (`signals.images_pinned`: the images
    results may still be rerun on, however old)."""
    since = timezone.now() - timedelta(days=retention_days)
    current = SandboxImage.objects.exclude(tag="").values_list("tag", flat=True)
    recent = ImageBuild.objects.filter(
        status=ImageStatus.READY, finished_at__gte=since
    ).values_list("tag", flat=True)
    pinned = {
        str(reference)
        for _, references in images_pinned.send(sender=None)
        # django-stubs types replies as `str | None`; our receivers return sets of names.
        for reference in cast(Collection[str], references or ())
    }
    return {*current, *recent, *load_settings().images_to_pull, *pinned} - {""}
