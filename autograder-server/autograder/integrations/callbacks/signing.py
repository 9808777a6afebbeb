"""Signatures on every outgoing call: `X-Autograder-Signature: t=<unix time>,v1=<hex>`, where
v1 is HMAC-SHA256 of `<t>.<body>` under the webhook's secret. Receivers
recompute it and reject old timestamps (replays)."""

import hashlib
import hmac

HEADER = "X-Autograder-Signature"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance_s: int = 300) -> bool:
    """What a receiver does (our tests use it; docs/contracts/webhooks.md shows it)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), header)
