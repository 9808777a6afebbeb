"""Counters shared by every process of the site (web tasks, workers on every node), kept in
the cache (Redis in production) so that one `/api/metrics/` answer adds them all up.

Prometheus expects counters to only grow; a Redis restart resets them, which Prometheus
treats as a counter reset (rate() stays right).
"""

from django.core.cache import cache

PREFIX = "monitor:"

GRADING_SECONDS_BUCKETS = (1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
"""Upper bounds of the grading-time histogram: from a one-line script to an hour-long suite."""


def increment(name: str, amount: int = 1) -> None:
    """Adds to a counter; never raises (a metric must not break grading or a request)."""
    key = PREFIX + name
    try:
        cache.add(key, 0, timeout=None)
        cache.incr(key, amount)
    except Exception:  # the cache is down or evicted the key: lose this count
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


def observe(metric: str, label: str, seconds: float) -> None:
    """Records one observation in a cumulative histogram (one counter per bucket)."""
    for bound in GRADING_SECONDS_BUCKETS:
        if seconds <= bound:
            increment(f"{metric}:{label}:le={bound:g}")
    increment(f"{metric}:{label}:le=+Inf")
    increment(f"{metric}:{label}:count")
    increment(f"{metric}:{label}:sum_ms", max(0, round(seconds * 1000)))
