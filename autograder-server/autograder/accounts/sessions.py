"""The session engine with Redis: Django's `cached_db` (sessions read from the cache, written
through to the database, which stays the record), made to keep working while the cache is
down, as the rest of the site does.

Django's `cached_db` answers 500 when the cache fails while it stores a session it has just
read from the database, deletes one (logout, login) or checks a new key. Here those go to the
database alone, and a cache failure is logged.

A logout while Redis is unreachable deletes the session from the database but may leave its
cached copy in Redis; if Redis then comes back with its data (a network split rather than a
restart), that copy would be accepted again. Cached copies therefore live at most
`CACHE_SECONDS`, after which the session is read from the database again: the most such a
copy can outlive its logout, and only after a cache outage.
"""

import logging

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.contrib.sessions.models import Session
from django.core.cache.backends.base import BaseCache

logger = logging.getLogger(__name__)

CACHE_SECONDS = 300
"""How long a cached session is trusted before it is read from the database again."""


class SessionStore(CachedDBStore):
    # getattr: what cached_db and db use privately, which Django's stubs leave out.
    @property
    def _store_cache(self) -> BaseCache:
        cache: BaseCache = vars(self)["_cache"]  # set by cached_db's __init__
        return cache

    def load(self) -> dict[str, object]:
        try:
            data = self._store_cache.get(self.cache_key)
        except Exception:  # the cache is down: the database has every session
            logger.warning("session read from the database: the cache failed", exc_info=True)
            data = None
        if data is not None:
            return data  # type: ignore[no-any-return]  # what save() stored: a dict
        found: Session | None = getattr(self, "_get_session_from_db")()  # noqa: B009
        if not found:
            return {}
        decoded: dict[str, object] = self.decode(found.session_data)
        self._cache_set(decoded, self.get_expiry_age(expiry=found.expire_date))
        return decoded

    def exists(self, session_key: str) -> bool:
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._store_cache:
                return True
        except Exception:
            logger.warning("session looked up in the database: the cache failed", exc_info=True)
        return DBStore.exists(self, session_key)

    def save(self, must_create: bool = False) -> None:
        DBStore.save(self, must_create)
        self._cache_set(getattr(self, "_session"), self.get_expiry_age())  # noqa: B009

    def delete(self, session_key: str | None = None) -> None:
        DBStore.delete(self, session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            self._store_cache.delete(self.cache_key_prefix + session_key)
        except Exception:
            logger.warning(
                "session deleted from the database only: the cache failed (its cached copy "
                "expires within %d s)",
                CACHE_SECONDS,
                exc_info=True,
            )

    def _cache_set(self, data: dict[str, object], expiry_age: int) -> None:
        try:
            self._store_cache.set(self.cache_key, data, min(expiry_age, CACHE_SECONDS))
        except Exception:
            logger.warning("session not cached: the cache failed", exc_info=True)
