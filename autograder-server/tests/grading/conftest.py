from collections.abc import Iterator

import pytest

from autograder.sandbox.pool import PoolManager


@pytest.fixture(scope="module")
def provider() -> Iterator[PoolManager]:
    """One warm sandbox pool per module, for grading in-process."""
    manager = PoolManager(pool_size=1)
    yield manager
    manager.close()
