"""Counters shared by every process of the site (web tasks, workers on every node), kept in
the cache (Redis in production) so that one `/api/metrics/` answer adds them all up.

Prometheus expects counters to only grow; a Redis restart resets them, which Prometheus
treats as a counter reset (rate() stays right).
"""

from typing import Any, cast

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

PREFIX = "monitor:"

GRADING_SECONDS_BUCKETS = (1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
"""Upper bounds of the grading-time histogram: from a one-line script to an hour-long suite."""


def increment(name: str, amount: int = 1) -> None:
    """Adds to a counter; never raises (a metric must not break grading or a request)."""
    increment_many({name: amount})


def increment_many(amounts: dict[str, int]) -> None:
    """Adds to several counters: in one round trip to Redis (a finished job touches about
    thirty histogram counters). Never raises."""
    try:
        backend = caches["default"]  # `cache` is a proxy: never an instance of a backend
        if isinstance(backend, RedisCache):
            # Django stores integers in Redis as plain numbers, so INCRBY (which starts a
            # missing key at 0) and cache.get_many agree on the value.
            client = cast(Any, backend)._cache.get_client(write=True)
            pipe = client.pipeline(transaction=False)
            for name, amount in amounts.items():
                pipe.incrby(backend.make_and_validate_key(PREFIX + name), amount)
            pipe.execute()
            return
        for name, amount in amounts.items():
            cache.add(PREFIX + name, 0, timeout=None)
            cache.incr(PREFIX + name, amount)
    except Exception:  # the cache is down or evicted a key: lose these counts
        return


def read(names: list[str]) -> dict[str, int]:
    try:
        values = cache.get_many([PREFIX + name for name in names])
    except Exception:  # the cache is down: report nothing rather than fail the scrape
        return {}
    return {key.removeprefix(PREFIX): int(value) for key, value in values.items()}


def histogram_names(metric: str, label: str) -> list[str]:
    bounds = [f"{b:g}" for b in GRADING_SECONDS_BUCKETS] + ["+Inf"]
    return [f"{metric}:{label}:le={b}" for b in bounds] + [
        f"{metric}:{label}:count",
        f"{metric}:{label}:sum_ms",
    ]


def observation(metric: str, label: str, seconds: float) -> dict[str, int]:
    """What one observation adds to a cumulative histogram (one counter per bucket)."""
    amounts = {
        f"{metric}:{label}:le={bound:g}": 1 for bound in GRADING_SECONDS_BUCKETS if seconds <= bound
    }
    amounts[f"{metric}:{label}:le=+Inf"] = 1
    amounts[f"{metric}:{label}:count"] = 1
    amounts[f"{metric}:{label}:sum_ms"] = max(0, round(seconds * 1000))
    return amounts


def observe(metric: str, label: str, seconds: float) -> None:
    """Records one observation in a cumulative histogram."""
    increment_many(observation(metric, label, seconds))
