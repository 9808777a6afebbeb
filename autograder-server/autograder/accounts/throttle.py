"""Counts failed logins and bad API tokens, and locks out whoever makes too many; counts the
emails sent to each address (`mail_allowed`, at the end).

Counters live in Django's cache, which is Redis in production, so every web process sees the
same counts. Three kinds of counter, each a fixed window that starts at its first failure:

- wrong passwords per account (the normalised username): `AG_LOGIN_MAX_FAILURES`;
- wrong passwords per client address, whatever the account: `AG_LOGIN_MAX_FAILURES_PER_ADDRESS`
  (password spraying across many accounts);
- bad `Authorization: Token ...` headers per client address: the same per-address limit.

A counter that reaches its limit within `AG_LOGIN_FAILURE_WINDOW_SECONDS` locks its account or
address for `AG_LOGIN_LOCKOUT_SECONDS`. While locked every attempt is refused before the
password or token is even looked at (a right password too: otherwise guessing would simply
go on), and attempts refused that way are not counted, so a lockout never extends itself. A
successful login clears its account's counter, never its address's (one good account must not
reset a spraying address).

If the cache cannot be reached, the throttle logs the error and lets the attempt through:
logging in keeps working during a Redis outage, without the brute-force protection.
"""

import hashlib
import ipaddress
import logging
import math
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger(__name__)
T = TypeVar("T")

IPV6_PREFIX = 64
"""IPv6 clients are counted per /64: one subscriber usually holds a whole /64."""


def clock() -> float:
    """Seconds since the epoch; tests move it forward instead of sleeping."""
    return time.time()


class Subject(StrEnum):
    ACCOUNT = "account"
    ADDRESS = "address"


@dataclass(frozen=True)
class Lockout:
    """Who is locked out (an account or a client address) and for how many more seconds."""

    subject: Subject
    seconds: int

    def message(self, attempts: str) -> str:
        """E.g. "Too many failed logins for this account. Try again in 15 minutes." """
        whose = "this account" if self.subject is Subject.ACCOUNT else "your network address"
        wait = (
            f"{self.seconds} second{'s' if self.seconds != 1 else ''}"
            if self.seconds < 90
            else f"{math.ceil(self.seconds / 60)} minutes"
        )
        return f"Too many {attempts} for {whose}. Try again in {wait}."


@dataclass(frozen=True)
class _Counter:
    scope: str
    subject: Subject
    identity: str
    max_failures: int

    def key(self, part: str) -> str:
        # Hashed: usernames and addresses are personal data, and cache keys have length
        # and character limits.
        digest = hashlib.sha256(self.identity.encode()).hexdigest()[:40]
        return f"throttle:{self.scope}:{digest}:{part}"


FAILURES = "failures"
LOCKED_UNTIL = "locked-until"


def normalise_username(username: str) -> str:
    """The form two spellings of one username share (case, Unicode forms, outer spaces)."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


def client_address(request: HttpRequest) -> str:
    """The address a request came from, as the throttle counts it.

    Behind a trusted reverse proxy (`AG_BEHIND_PROXY`, set by the stack for its nginx) that is
    the last entry of `X-Forwarded-For`, the one the proxy itself added: anything before it was
    written by the client and proves nothing. Without a proxy the header is ignored, since any
    client can send it, and the socket's peer address counts.
    """
    raw = ""
    if settings.BEHIND_PROXY:
        raw = str(request.META.get("HTTP_X_FORWARDED_FOR", "")).rsplit(",", 1)[-1].strip()
    if not raw:
        raw = str(request.META.get("REMOTE_ADDR") or "")
    return address_normalise(raw)


def address_normalise(raw: str) -> str:
    """One form per client: IPv4-mapped IPv6 as IPv4, other IPv6 as its /64 network."""
    try:
        address = ipaddress.ip_address(raw.strip().strip("[]"))
    except ValueError:
        return raw or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/{IPV6_PREFIX}", strict=False))
    return str(address)


def _account(username: str) -> _Counter:
    return _Counter(
        "login-account",
        Subject.ACCOUNT,
        normalise_username(username),
        settings.LOGIN_MAX_FAILURES,
    )


def _login_address(address: str) -> _Counter:
    return _Counter(
        "login-address", Subject.ADDRESS, address, settings.LOGIN_MAX_FAILURES_PER_ADDRESS
    )


def _token_address(address: str) -> _Counter:
    return _Counter(
        "token-address", Subject.ADDRESS, address, settings.LOGIN_MAX_FAILURES_PER_ADDRESS
    )


def _lockout(counters: list[_Counter]) -> Lockout | None:
    """The longest lockout among `counters`, or None."""
    keys = {counter.key(LOCKED_UNTIL): counter for counter in counters}
    found = cache.get_many(list(keys))
    now = clock()
    longest: Lockout | None = None
    for key, until in found.items():
        remaining = float(until) - now
        if remaining > 0 and (longest is None or remaining > longest.seconds):
            longest = Lockout(keys[key].subject, max(1, math.ceil(remaining)))
    return longest


def _record_failure(counter: _Counter) -> Lockout | None:
    """Counts one failure; locks the counter's subject when this one reaches the limit."""
    window: int = settings.LOGIN_FAILURE_WINDOW_SECONDS
    lockout: int = settings.LOGIN_LOCKOUT_SECONDS
    count_key = counter.key(FAILURES)
    cache.add(count_key, 0, timeout=window)
    try:
        failures = cache.incr(count_key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(count_key, 1, timeout=window)
        failures = 1
    if failures < counter.max_failures:
        return None
    cache.set(counter.key(LOCKED_UNTIL), clock() + lockout, timeout=lockout)
    cache.delete(count_key)
    logger.warning(
        "throttle: %s locked for %d s after %d failures (%s)",
        counter.subject,
        lockout,
        failures,
        counter.scope,
    )
    return Lockout(counter.subject, lockout)


def _guarded(what: str, action: Callable[[], T], fallback: T) -> T:
    try:
        return action()
    except Exception:  # the cache is down: log it, let people log in
        logger.exception("throttle: the cache failed while %s; not throttling", what)
        return fallback


def login_lockout(*, username: str, address: str) -> Lockout | None:
    """Whether a password login for `username` from `address` must be refused, and how long."""
    return _guarded(
        "checking a login",
        lambda: _lockout([_account(username), _login_address(address)]),
        None,
    )


def login_failure_record(*, username: str, address: str) -> Lockout | None:
    """Counts a wrong password; returns the lockout it caused, if any."""

    def record() -> Lockout | None:
        caused = [_record_failure(_account(username)), _record_failure(_login_address(address))]
        return max((lock for lock in caused if lock), key=lambda lock: lock.seconds, default=None)

    return _guarded("counting a failed login", record, None)


def login_success_record(*, username: str) -> None:
    """A right password: the account starts afresh (its address's count stays)."""

    def clear() -> None:
        cache.delete(_account(username).key(FAILURES))

    _guarded("clearing an account's failures", clear, None)


def token_lockout(*, address: str) -> Lockout | None:
    """Whether API-token requests from `address` must be refused, and how long."""
    return _guarded("checking an API token", lambda: _lockout([_token_address(address)]), None)


def token_failure_record(*, address: str) -> Lockout | None:
    """Counts a bad API token; returns the lockout it caused, if any."""
    return _guarded(
        "counting a bad API token", lambda: _record_failure(_token_address(address)), None
    )


def lockout_lift(*, username: str | None = None, address: str | None = None) -> None:
    """Forgets the failures and lockouts of an account and/or an address, at once (for
    `manage.py unlock_login`, when a real user cannot wait out the lockout)."""
    counters = []
    if username is not None:
        counters.append(_account(username))
    if address is not None:
        counters += [_login_address(address), _token_address(address)]
    cache.delete_many(
        [counter.key(part) for counter in counters for part in (FAILURES, LOCKED_UNTIL)]
    )


def mail_allowed(*, address: str) -> bool:
    """Counts one message to `address`; False once it has had `AG_EMAIL_MAX_PER_ADDRESS` in
    the current window (`AG_EMAIL_WINDOW_SECONDS`, starting at its first message).

    Every email goes through here, whoever asked for it, so neither the password-reset form
    nor re-adding someone to a roster can flood an inbox. If the cache is down the message is
    sent: mail keeps working without the limit, as logging in does.
    """
    window: int = settings.EMAIL_WINDOW_SECONDS
    limit: int = settings.EMAIL_MAX_PER_ADDRESS
    counter = _Counter("mail-address", Subject.ADDRESS, normalise_username(address), limit)

    def count() -> bool:
        key = counter.key("sent")
        cache.add(key, 0, timeout=window)
        try:
            sent = cache.incr(key)
        except ValueError:  # the window ended between add() and incr()
            cache.set(key, 1, timeout=window)
            sent = 1
        return sent <= limit

    return _guarded("counting an email", count, True)
