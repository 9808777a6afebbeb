"""Counters on Redis: a job's thirty-odd histogram counters go in one pipelined round trip."""

from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from autograder.monitor import counters


def test_on_redis_counters_are_added_in_one_pipeline_not_per_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backend = caches["default"]
    assert isinstance(backend, RedisCache), "the tests run with AG_REDIS_URL set"
    names = [f"test_pipeline_{n}" for n in range(3)]
    backend.delete_many([counters.PREFIX + name for name in names])
    per_key_calls: list[str] = []

    def per_key(*args: Any, **kwargs: Any) -> None:
        per_key_calls.append(str(args[0]))
        raise AssertionError("a counter was added key by key")

    monkeypatch.setattr(type(backend), "incr", per_key)
    monkeypatch.setattr(type(backend), "add", per_key)

    counters.increment_many({names[0]: 2, names[1]: 5})
    counters.increment_many({names[0]: 1, names[2]: 1})

    assert per_key_calls == []
    assert counters.read(names) == {names[0]: 3, names[1]: 5, names[2]: 1}
