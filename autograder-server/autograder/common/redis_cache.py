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


class SharedRedisCache(RedisCache):
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
