"""Reading sandbox images: which a course's suites may use, and what a suite's choice runs as."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, Q, QuerySet, Value, When

from autograder.common.errors import NotFoundError
from autograder.images.models import ImageBuild, ImageStatus, Runtime, SandboxImage
from autograder.sandbox.config import load_settings


@dataclass(frozen=True)
class ResolvedImage:
    tag: str
    """What Docker runs: the last good build's tag."""
    runtime: str
    """The OCI runtime its containers run under (runc, runsc)."""


def site_entries() -> dict[str, str]:
    """The site's images as reference → tag, in the order pages list them: the default
    (AG_SANDBOX_IMAGE), the stock images (AG_SANDBOX_STOCK_IMAGES, chosen by a name that
    outlives rebuilds), then AG_SANDBOX_IMAGES."""
    settings = load_settings()
    entries = {settings.image: settings.image}
    for name, tag in settings.stock_images:
        entries.setdefault(name, tag)
    for reference in settings.extra_images:
        entries.setdefault(reference, reference)
    return entries


def ensure_site_images() -> None:
    """The images the site is configured with exist as site images, ready, each with its
    current tag (seeded on first use: the environment may change between releases, and a
    rebuilt stock image keeps its name under a new tag)."""
    settings = load_settings()
    wanted = site_entries()
    known = dict(
        SandboxImage.objects.filter(built_in=True, reference__in=wanted).values_list(
            "reference", "tag"
        )
    )
    if all(known.get(reference) == tag for reference, tag in wanted.items()):
        return
    runtime = settings.runtime or Runtime.RUNC
    with transaction.atomic():
        for reference, tag in wanted.items():
            if known.get(reference) == tag:
                continue
            image, created = SandboxImage.objects.get_or_create(
                reference=reference,
                defaults={
                    "display_name": reference,
                    "tag": tag,
                    "status": ImageStatus.READY,
                    "built_in": True,
                    "runtime": runtime,
                },
            )
            if not created and image.built_in and image.tag != tag:
                image.tag = tag
                image.save(update_fields=["tag"])


def _visible(course_id: int | None) -> Q:
    return Q(course__isnull=True) | Q(course_id=course_id)


def images_for_course(*, course_id: int) -> QuerySet[SandboxImage]:
    """Every image the course's page lists: the site's images, then the course's own."""
    ensure_site_images()
    allowed = list(site_entries())
    configured_order = Case(
        *(When(reference=ref, then=Value(i)) for i, ref in enumerate(allowed)),
        default=Value(len(allowed)),
    )
    return SandboxImage.objects.filter(_visible(course_id)).order_by(
        configured_order, "course_id", "display_name", "pk"
    )


def site_images() -> QuerySet[SandboxImage]:
    ensure_site_images()
    return SandboxImage.objects.filter(course__isnull=True).order_by("-built_in", "display_name")


def usable_images(*, course_id: int) -> QuerySet[SandboxImage]:
    """The images a suite of this course may choose: site images and the course's images with
    a good build."""
    return (
        images_for_course(course_id=course_id)
        .exclude(tag="")
        .filter(~Q(built_in=True) | Q(reference__in=list(site_entries())))
    )


def default_reference() -> str:
    return load_settings().image


def resolve(*, course_id: int, reference: str) -> ResolvedImage | None:
    """What a suite that chose `reference` runs on, or None if the course can't use it."""
    image = usable_images(course_id=course_id).filter(reference=reference or default_reference())
    found = image.first()
    if found is None:
        return None
    return ResolvedImage(tag=found.tag, runtime=found.runtime)


@dataclass(frozen=True)
class RecordedImage:
    references: tuple[str, ...]
    """Names Docker may know the recorded bytes by, most exact first: the registry's
    references by digest (pullable on any node), the image id itself, then the recorded tag
    (which may have moved on: the caller checks what a name stands for before using it)."""
    runtime: str | None
    """The runtime of the site or course image it was a build of (None: no record left)."""


def _pinned(reference: str) -> bool:
    return "@sha256:" in reference


def recorded_image(*, image: str, digest: str) -> RecordedImage:
    """Where the image a result recorded (its `image` tag and `image_digest` id) may still be
    found, and the runtime its image record names."""
    builds = list(
        ImageBuild.objects.filter(Q(digest=digest) | Q(tag=image), status=ImageStatus.READY)
        .exclude(tag="")
        .select_related("image")
        .order_by("-pk")
    )
    references = [image] if _pinned(image) else []
    references += [b.tag for b in builds if _pinned(b.tag) and b.tag not in references]
    references += [r for r in (digest, image) if r and r not in references]
    owner = builds[0].image if builds else SandboxImage.objects.filter(tag=image).first()
    return RecordedImage(
        references=tuple(references), runtime=owner.runtime if owner is not None else None
    )


def tags_of(references: set[str]) -> set[str]:
    """The Docker tags behind these references (for keeping warm pools of images in use)."""
    ensure_site_images()
    return set(
        SandboxImage.objects.filter(reference__in=references)
        .exclude(tag="")
        .values_list("tag", flat=True)
    )


def image_get(*, image_id: int) -> SandboxImage:
    try:
        return SandboxImage.objects.select_related("course").get(pk=image_id)
    except SandboxImage.DoesNotExist:
        raise NotFoundError("No such sandbox image.") from None


def build_get(*, build_id: int) -> ImageBuild:
    try:
        return ImageBuild.objects.select_related("image", "image__course").get(pk=build_id)
    except ImageBuild.DoesNotExist:
        raise NotFoundError("No such image build.") from None


def builds_of(*, image: SandboxImage) -> QuerySet[ImageBuild]:
    return ImageBuild.objects.filter(image=image).order_by("-pk")
