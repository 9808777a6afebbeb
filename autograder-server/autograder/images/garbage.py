"""Removing sandbox images a node no longer needs (builders and graders alike).

Only images this site's builds made are candidates: the `org.autograder.built-by=images`
label (in the image, so a grader's pull of it has it too) and a name under
AG_IMAGE_TAG_PREFIX. An image is kept when a reference in
`keep` names it (a suite's current image, or one a recent result ran on and a rerun may ask
for again), when any container (running or not) was made from it, or when it is younger than
`min_age_s` (a build that finished a moment ago, not yet recorded). Removal is never forced:
Docker itself refuses to remove an image a container uses, so a sandbox started in between
keeps its image.
"""

import contextlib
import logging
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import docker.errors

from autograder.images.builder import BUILT_BY_LABEL, DOCKER_ERRORS, docker_api
from autograder.images.limits import build_limits

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Collected:
    removed: list[str]
    """Ids of the images removed."""
    kept_in_use: int
    """Candidates kept because a container uses them."""


def _ids_of(api: Any, references: Collection[str]) -> set[str]:
    ids = set()
    for reference in references:
        try:
            ids.add(str(api.inspect_image(reference)["Id"]))
        except DOCKER_ERRORS:
            continue  # not on this node
    return ids


def _names(image: dict[str, Any]) -> list[str]:
    names = (image.get("RepoTags") or []) + (image.get("RepoDigests") or [])
    return [str(name) for name in names if name and not str(name).startswith("<none>")]


def _repository(name: str) -> str:
    """`host:port/path` of `host:port/path:tag` or `host:port/path@sha256:...`."""
    name = name.split("@")[0]
    head, colon, tail = name.rpartition(":")
    return head if colon and "/" not in tail else name


def _candidates(api: Any) -> list[dict[str, Any]]:
    """Images a build made (its label is in the image, so a grader's pull carries it too)
    under this site's names (AG_IMAGE_TAG_PREFIX, with or without the registry in front):
    another site or test run sharing the Docker daemon keeps its own."""
    prefix = build_limits().tag_prefix + "-"
    found = []
    for image in api.images(filters={"label": f"{BUILT_BY_LABEL}=images"}):
        repositories = [_repository(name) for name in _names(image)]
        if any(repo.rsplit("/", 1)[-1].startswith(prefix) for repo in repositories):
            found.append(image)
    return found


def collect(*, keep: Collection[str], min_age_s: float = 3600.0) -> Collected:
    """Removes the candidate images of this node's Docker that nothing needs."""
    api = docker_api()
    keep_ids = _ids_of(api, keep)
    used = {str(c.get("ImageID")) for c in api.containers(all=True)}
    removed: list[str] = []
    in_use = 0
    now = time.time()
    for image in _candidates(api):
        image_id = str(image["Id"])
        if image_id in keep_ids:
            continue
        if image_id in used:
            in_use += 1
            continue
        if now - float(image.get("Created") or now) < min_age_s:
            continue
        try:
            # Untag every name first: an image with several names is removed by id only
            # with force, and force would remove it from under a container made meanwhile.
            for name in _names(image):
                with contextlib.suppress(docker.errors.NotFound):  # went with an earlier name
                    api.remove_image(name, noprune=False)
            with contextlib.suppress(docker.errors.NotFound):  # untagging removed it already
                api.remove_image(image_id)
        except docker.errors.APIError as e:
            if e.status_code == 409:  # a container was made of it meanwhile
                in_use += 1
                continue
            logger.warning("could not remove image %s: %s", image_id[:19], e)
            continue
        removed.append(image_id)
        logger.info("removed unused sandbox image %s", image_id[:19])
    return Collected(removed=removed, kept_in_use=in_use)
