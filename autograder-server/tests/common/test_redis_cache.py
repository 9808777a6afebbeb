"""The Redis cache keeps one connection pool per process: requests reuse its connections
instead of opening one each, and a forked child never uses its parent's sockets."""

import multiprocessing
import threading
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs AG_REDIS_URL")


def _connection_id() -> int:
    """The Redis connection the default cache uses now (after a round trip through it)."""
    cache = caches["default"]
    cache.set("pool-check", 1)
    assert cache.get("pool-check") == 1
    client: Any = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    return int(client.client_id())


def _in_new_context() -> int:
    """What a request gets under ASGI: a context of its own, so Django's cache handler gives
    it a cache object of its own."""
    found: list[int] = []
    thread = threading.Thread(target=lambda: found.append(_connection_id()))
    thread.start()
    thread.join()
    return found[0]


def test_requests_reuse_the_process_connection() -> None:
    first = _in_new_context()
    assert [_in_new_context() for _ in range(5)] == [first] * 5


def _child(queue: Any) -> None:
    queue.put(_connection_id())


def test_a_forked_child_opens_its_own_connection() -> None:
    parent = _connection_id()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child, args=(queue,))
    child.start()
    child_connection = queue.get(timeout=30)
    child.join(timeout=30)
    assert child.exitcode == 0
    assert child_connection != parent
    assert _connection_id() == parent  # the parent's connection is still its own and works
