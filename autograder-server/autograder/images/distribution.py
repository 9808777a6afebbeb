"""Handing built images to every grader: a push to the stack's sandbox registry, by digest.

A builder pushes a good build to AG_SANDBOX_REGISTRY (`host:port/<image reference>:b<build>`)
and the image records the pushed reference by digest (`host:port/name@sha256:...`): suites
run on exactly those bytes, and a grader that lacks them pulls that reference
(autograder.sandbox.image_pull). Without a registry (a development machine) the local tag is
kept and only the node that built it can run it.
"""

from collections.abc import Callable

from autograder.images.builder import DOCKER_ERRORS, docker_api
from autograder.sandbox.config import load_settings


class PushFailedError(Exception):
    pass


def registry_repository(reference: str) -> str | None:
    """Where an image with this reference lives in the sandbox registry (None: no registry)."""
    registry = load_settings().registry
    return f"{registry}/{reference}" if registry else None


def push(*, tag: str, reference: str, on_output: Callable[[str], None]) -> str:
    """Pushes the local `tag` (`<reference>:<build tag>`) and returns what suites should run:
    the registry's reference by digest, or `tag` itself when there is no registry."""
    repository = registry_repository(reference)
    if repository is None:
        return tag
    build_tag = tag.rpartition(":")[2]
    settings = load_settings()
    api = docker_api(timeout=300)
    on_output(f"Pushing to {repository}:{build_tag}\n")
    digest = ""
    try:
        auth = settings.registry_auth(repository)
        api.tag(tag, repository, tag=build_tag)
        for message in api.push(
            repository, tag=build_tag, stream=True, decode=True, auth_config=auth
        ):
            if message.get("error"):
                raise PushFailedError(f"The push to {settings.registry} failed: {message['error']}")
            aux = message.get("aux") or {}
            if aux.get("Digest"):
                digest = str(aux["Digest"])
    except (OSError, *DOCKER_ERRORS) as e:
        raise PushFailedError(f"The push to {settings.registry} failed: {e}") from e
    if not digest.startswith("sha256:"):
        raise PushFailedError(f"The registry {settings.registry} named no digest for the push.")
    pushed = f"{repository}@{digest}"
    on_output(f"Pushed {pushed}\n")
    return pushed
