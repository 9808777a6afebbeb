"""Django's Redis cache with one connection pool per process.

Django keeps its cache objects in an asgiref `Local`: under ASGI that is one per request
context, so each request built a new `RedisCache`, a new connection pool and a new Redis
connection (a TCP connect, and redis-py reading package metadata on each): about a tenth of
the web tier's CPU on a cached read. Here every `SharedRedisCache` with the same location and
options in a process uses the same client, whose pools keep their connections.

After a fork (Celery's prefork workers) the child gets the parent's client object, but
redis-py's pools compare the process id on every use and start afresh in a new process, so
no socket is ever shared between processes.
"""

import threading
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property

_clients: dict[str, RedisCacheClient] = {}
_lock = threading.Lock()


class SharedRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one `redis.Redis` per pool: Django's makes a new one on every
    cache call (its constructor is a measurable part of a cached read). A `redis.Redis` is
    safe to share between threads; its connections come from the pool."""

    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **options)
        self._redis_clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index: int = getattr(self, "_get_connection_pool_index")(write)  # noqa: B009
        client = self._redis_clients.get(index)
        if client is None:
            # Two threads may both make one: the same pool either way.
            client = super().get_client(key, write=write)
            self._redis_clients[index] = client
        return client


class SharedRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedRedisCacheClient

    @cached_property
    def _cache(self) -> RedisCacheClient:
        # Django's stubs leave these attributes of RedisCache out.
        client_class: type[RedisCacheClient] = getattr(self, "_class")  # noqa: B009
        servers: list[str] = list(getattr(self, "_servers"))  # noqa: B009
        options: dict[str, Any] = getattr(self, "_options")  # noqa: B009
        key = repr((client_class, servers, sorted(options.items())))
        with _lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = client_class(servers, **options)
        return client
