"""Cached derived data (results, gradebook pages) in the Django cache (Redis), invalidated by
versions. `grading.results.receivers` bumps them.

Graded results don't change until they are rewritten (grading, a rerun) or until what decides
how they are shown changes (feedback settings, test configuration, the project). A cached body
is stored under the versions it was computed at, and a change bumps (deletes) a version, so
the next read misses and recomputes: nothing ever has to find and delete cached bodies.

- `config`: one version for the whole site, bumped when any test configuration, project,
  or user changes (rare next to reads; see `receivers.py`).
- `submission:<id>`: bumped when the submission's results or status change.
- `project:<id>`: bumped when anything in the project's gradebook may change (a submission's
  status or results, its groups and members).

A version is a random token, created when missing, so an evicted or bumped version never
comes back as one a stale body was stored under. A version is read BEFORE the data it
versions, and bumped AFTER the change commits: a body computed from older data is stored
under a version that is already gone.

Only with Redis (`AG_REDIS_URL`): the quickstart's per-process memory cache could not be
invalidated across processes, so there the reads are not cached.

Permission checks are never cached: callers check first, then ask for the body of the
category the requester may see; the category is part of the key.
"""

import logging
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

logger = logging.getLogger(__name__)

BODY_SECONDS = 24 * 3600
"""Bodies expire anyway after a day (a version bump makes them unreachable sooner)."""

CONFIG = "config"


def submission_scope(submission_id: int) -> str:
    return f"submission:{submission_id}"


def project_scope(project_id: int) -> str:
    return f"project:{project_id}"


def _version_key(scope: str) -> str:
    return f"ag:v:{scope}"


def enabled() -> bool:
    return bool(settings.REDIS_URL)


def versions(scopes: list[str]) -> list[str]:
    """The current version of each scope (created when missing)."""
    keys = [_version_key(scope) for scope in scopes]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, timeout=None)
            found[key] = cache.get(key)
    return [str(found[key]) for key in keys]


def bump(scopes: list[str]) -> None:
    """Invalidates everything cached under these scopes once the current transaction commits
    (at once outside one)."""
    if not enabled() or not scopes:
        return
    keys = [_version_key(scope) for scope in scopes]

    def delete() -> None:
        try:
            cache.delete_many(keys)
        except Exception:  # Redis down: nothing cached is reachable anyway
            logger.warning("cache versions %s not bumped: the cache failed", keys, exc_info=True)

    transaction.on_commit(delete)


def cached(name: str, scopes: list[str], compute: Callable[[], T]) -> T:
    """`compute()`, from the cache when it was stored under the scopes' current versions.
    Without the cache (down, or not configured) it is just `compute()`."""
    if not enabled():
        return compute()
    try:
        key = "ag:c:" + ":".join([name, *versions(scopes)])
        found = cache.get(key)
    except Exception:  # a cache outage must not fail the read
        logger.warning("reading %s without the cache: the cache failed", name, exc_info=True)
        return compute()
    if found is not None:
        return found  # type: ignore[no-any-return]  # whatever compute() stored
    value = compute()
    try:
        cache.set(key, value, timeout=BODY_SECONDS)
    except Exception:  # a cache outage must not fail the read
        logger.warning("%s not cached: the cache failed", name, exc_info=True)
    return value
