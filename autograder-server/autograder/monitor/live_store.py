"""The live monitor's figures in Redis: what each grading process and each worker last said,
and an hour of history, all of bounded size.

- `proc:<host>:<pid>`: one grading process's sandboxes (JSON), expiring a few samples after
  its last write; an index (sorted set, score = time) lists the processes heard from lately.
- `worker:<name>`: a worker's slots, its pool processes and its node's images, written with
  each heartbeat and expiring after three missed ones.
- `hist:<bucket>`: one hash per HISTORY_STEP seconds, a field per process (its totals, and
  its totals per course) plus one `queues` field; every hash expires after an hour, so at most
  HISTORY_SECONDS / HISTORY_STEP of them exist.

Every key carries the cache's prefix (AG_CACHE_KEY_PREFIX). Without Redis (the embedded
default) there is no live monitor: writes do nothing and reads find nothing.
"""

import json
import time
from typing import Any, cast

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

PREFIX = "monitor:live:"
HISTORY_SECONDS = 3600
HISTORY_STEP = 10
"""Seconds per history point: 360 points make the hour."""


def enabled() -> bool:
    # `django.core.cache.cache` is a proxy (never an instance of a backend): ask the backend.
    return isinstance(caches["default"], RedisCache)


def _client() -> Any:
    return cast(Any, caches["default"])._cache.get_client(write=True)


def _key(name: str) -> str:
    return caches["default"].make_and_validate_key(PREFIX + name)


def bucket_of(timestamp: float) -> int:
    return int(timestamp // HISTORY_STEP) * HISTORY_STEP


def process_publish(
    *, process: str, record: dict[str, Any], totals: dict[str, Any], ttl_s: float
) -> None:
    """One sample of a grading process: its live record, and its point in this bucket's
    history. One round trip."""
    now = time.time()
    pipe = _client().pipeline(transaction=False)
    pipe.set(_key(f"proc:{process}"), json.dumps(record), px=int(ttl_s * 1000))
    pipe.zadd(_key("procs"), {process: now})
    pipe.zremrangebyscore(_key("procs"), "-inf", now - HISTORY_SECONDS)
    history = _key(f"hist:{bucket_of(now)}")
    pipe.hset(history, process, json.dumps(totals))
    pipe.expire(history, HISTORY_SECONDS + HISTORY_STEP)
    pipe.execute()


def processes_read(*, within_s: float) -> list[dict[str, Any]]:
    """The live records of processes heard from in the last `within_s` seconds."""
    client = _client()
    names = client.zrangebyscore(_key("procs"), time.time() - within_s, "+inf")
    if not names:
        return []
    values = client.mget([_key(f"proc:{name.decode()}") for name in names])
    return [json.loads(value) for value in values if value]


def queues_claim_point(*, bucket: int) -> bool:
    """Whether this caller records the queues' point of `bucket` (the first to ask does)."""
    return bool(_client().set(_key(f"queues-lock:{bucket}"), "1", nx=True, ex=HISTORY_STEP * 3))


def queues_publish(*, bucket: int, queues: dict[str, Any]) -> None:
    pipe = _client().pipeline(transaction=False)
    history = _key(f"hist:{bucket}")
    pipe.hset(history, "queues", json.dumps(queues))
    pipe.expire(history, HISTORY_SECONDS + HISTORY_STEP)
    pipe.execute()


def history_read() -> list[tuple[int, dict[str, Any]]]:
    """The last hour's buckets, oldest first: (bucket start, {field: value})."""
    last = bucket_of(time.time())
    buckets = list(range(last - HISTORY_SECONDS + HISTORY_STEP, last + 1, HISTORY_STEP))
    pipe = _client().pipeline(transaction=False)
    for bucket in buckets:
        pipe.hgetall(_key(f"hist:{bucket}"))
    found: list[tuple[int, dict[str, Any]]] = []
    for bucket, fields in zip(buckets, pipe.execute(), strict=True):
        if fields:
            found.append((bucket, {k.decode(): json.loads(v) for k, v in fields.items()}))
    return found


def worker_publish(*, name: str, record: dict[str, Any], ttl_s: float) -> None:
    _client().set(_key(f"worker:{name}"), json.dumps(record), px=int(ttl_s * 1000))


def workers_read(names: list[str]) -> dict[str, dict[str, Any]]:
    if not names:
        return {}
    values = _client().mget([_key(f"worker:{name}") for name in names])
    return {name: json.loads(value) for name, value in zip(names, values, strict=True) if value}
