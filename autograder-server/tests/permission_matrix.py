"""A small harness for permission-matrix tests.

Each app lists `Endpoint` rows: a method, a URL built from the `world`, a request body, and the
status each role must get. `assert_matrix` runs every role against it and reports every
mismatch at once, so one failing run shows the whole picture.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from tests.conftest import ROLE_NAMES, World, build_world


@dataclass
class Endpoint:
    method: str
    url: Callable[[World], str]
    expected: dict[str, int]
    """Role → status code. Every role in ROLE_NAMES must be listed."""
    body: Callable[[World], dict[str, Any]] | None = None
    fmt: str = "json"
    check: Callable[[World, str, Any], None] | None = field(default=None)
    """Optional extra assertion on a successful response (e.g. no staff-only fields)."""

    def __post_init__(self) -> None:
        missing = set(ROLE_NAMES) - set(self.expected)
        if missing:
            raise ValueError(f"{self.method} endpoint is missing roles: {sorted(missing)}")


def assert_matrix(endpoint: Endpoint) -> None:
    """Runs each role against a fresh world inside a rolled-back savepoint, so writes by one
    role can't affect another. Needs the `db` fixture."""
    failures: list[str] = []
    for role in ROLE_NAMES:
        with transaction.atomic():
            _check_role(endpoint, role, failures)
            transaction.set_rollback(True)
    assert not failures, f"{endpoint.method} " + "\n".join(failures)


def _check_role(endpoint: Endpoint, role: str, failures: list[str]) -> None:
    world = build_world()
    client = world.client(role)
    url = endpoint.url(world)
    body = endpoint.body(world) if endpoint.body else None
    call = getattr(client, endpoint.method.lower())
    response = call(url, body, format=endpoint.fmt) if body is not None else call(url)
    wanted = endpoint.expected[role]
    if response.status_code != wanted:
        detail = getattr(response, "data", None)
        failures.append(f"{role}: got {response.status_code}, want {wanted} ({detail!r:.200})")
    elif endpoint.check and response.status_code < 300:
        endpoint.check(world, role, response)
