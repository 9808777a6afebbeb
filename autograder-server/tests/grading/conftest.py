from collections.abc import Iterator

import pytest

from autograder.sandbox.docker_pool import DockerPoolManager


@pytest.fixture(scope="module")
def provider() -> Iterator[DockerPoolManager]:
    """One warm sandbox pool per module, for grading in-process."""
    manager = DockerPoolManager(pool_size=1)
    yield manager
    manager.close()
