"""Which image a suite runs on, and getting a sandbox of exactly that image.

New submissions and "current" reruns run on the suite's image as it is now (its last good
build). A rerun with `image_choice=original` runs each suite on the image its earlier result
recorded, by digest, so a regrade reproduces what students were graded on even after the image
was rebuilt. When that image can't be had any more (no digest was recorded, or it is neither
on this node nor in the registry), the suite is not run: its result says why, and it keeps the
recorded image so that a later rerun can try again. We fail rather than fall back to the
current image: staff who ask for the original image want to compare like with like, and a
silent fallback would give them the very change they wanted to avoid.
"""

import dataclasses

from autograder.grading.results.models import AGTestSuiteResult
from autograder.images import selectors as image_selectors
from autograder.sandbox import (
    ContainerSpec,
    ImageMissingError,
    Sandbox,
    SandboxProvider,
)
from autograder.sandbox.config import load_settings


@dataclasses.dataclass(frozen=True)
class ImageToRun:
    image: str
    """What the result records as its image (the tag staff know it by)."""
    references: tuple[str, ...]
    """Names to run it by, most exact first (one, for the current image)."""
    runtime: str
    digest: str | None = None
    """The image id the sandbox must have (None: whatever the name stands for now)."""


class OriginalImageError(Exception):
    """The original image of a suite can't be had: the suite's rerun fails with this message
    (staff see it on the result) and its result keeps `image` and `digest`."""

    def __init__(self, message: str, *, image: str = "", digest: str = "") -> None:
        super().__init__(message)
        self.image = image
        self.digest = digest


def current(*, tag: str, runtime: str) -> ImageToRun:
    return ImageToRun(image=tag, references=(tag,), runtime=runtime)


def original(*, suite_id: int, submission_id: int, fallback_runtime: str | None) -> ImageToRun:
    """The image the suite's stored result for this submission ran on. `fallback_runtime`
    (the suite's current image's) serves when no image record names the old one's."""
    previous = (
        AGTestSuiteResult.objects.filter(submission_id=submission_id, suite_id=suite_id)
        .only("image", "image_digest")
        .first()
    )
    if previous is None:
        raise OriginalImageError(
            "This submission has no earlier result of this suite, so there is no original "
            "image to rerun it on. Rerun it on the current image."
        )
    if not previous.image_digest:
        raise OriginalImageError(
            "The earlier result of this suite recorded no image digest, so it can't be rerun "
            "on its original image. Rerun it on the current image.",
            image=previous.image,
        )
    recorded = image_selectors.recorded_image(image=previous.image, digest=previous.image_digest)
    runtime = recorded.runtime or fallback_runtime or load_settings().runtime or "runc"
    return ImageToRun(
        image=previous.image,
        references=recorded.references,
        runtime=runtime,
        digest=previous.image_digest,
    )


def _unavailable(image: ImageToRun, why: str) -> OriginalImageError:
    name = f"{image.image} ({image.digest})" if image.image else str(image.digest)
    return OriginalImageError(
        f"The image this suite was originally graded on, {name}, {why}, so the suite was not "
        "rerun. Rerun it on the current image, or ask your sysadmin to restore the image.",
        image=image.image,
        digest=image.digest or "",
    )


def _pullable(reference: str) -> bool:
    return "@sha256:" in reference


def sandbox_acquire(
    provider: SandboxProvider, image: ImageToRun, spec: ContainerSpec
) -> tuple[Sandbox, str]:
    """A sandbox of `image` and the id of the image it runs. For an original image, a name
    this node has with the recorded id is used first, then a pull by digest from the
    registry; a sandbox of any other bytes is never handed out."""
    if image.digest is None:
        sandbox = provider.acquire(image.references[0], spec)
        return sandbox, provider.image_digest(image.references[0])
    for reference in image.references:
        if provider.image_digest(reference) == image.digest:
            return provider.acquire(reference, spec), image.digest
    pullable = [r for r in image.references if _pullable(r)]
    if not pullable:
        raise _unavailable(image, "is no longer on this grader and the registry has no copy")
    try:
        sandbox = provider.acquire(pullable[0], spec)
    except ImageMissingError as e:
        raise _unavailable(image, f"is no longer in the registry ({e})") from e
    found = provider.image_digest(pullable[0])
    if found != image.digest:
        sandbox.release()
        raise _unavailable(image, f"is not what the registry now serves (image id {found})")
    return sandbox, found
