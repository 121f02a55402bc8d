"""Signing webhook deliveries (Stripe-style) and checking a signature, as a receiver would.

``Touchline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``. The
timestamp is inside what is signed, so a receiver that refuses old timestamps (the replay
window) refuses a captured delivery sent again later. Pure functions: the caller gives the time.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

REPLAY_WINDOW_SECONDS = 300  # what ``verify`` accepts by default: five minutes either way


class SignatureError(ValueError):
    """The signature header is missing, malformed, stale or does not match the body."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>.<body>"`` with ``secret``."""
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_header(secret: str | Sequence[str], timestamp: int, body: bytes) -> str:
    """``t=<timestamp>,v1=<signature>``, one ``v1`` per secret (the previous one too, during a
    rotation's overlap: a receiver that knows either accepts it)."""
    secrets = [secret] if isinstance(secret, str) else list(secret)
    return f"t={timestamp}," + ",".join(f"v1={signature(s, timestamp, body)}" for s in secrets)


def verify(secret: str, header: str, body: bytes, now: int, window: int = REPLAY_WINDOW_SECONDS) -> int:
    """Check ``header`` against ``body`` and return its timestamp; ``SignatureError`` otherwise.
    Any ``v1`` in the header may match (during a secret rotation a sender may send several)."""
    parts = [p.split("=", 1) for p in (header or "").split(",") if "=" in p]
    stamps = [v for k, v in parts if k.strip() == "t"]
    candidates = [v.strip() for k, v in parts if k.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit() or not candidates:
        raise SignatureError("malformed signature header")
    timestamp = int(stamps[0])
    if abs(now - timestamp) > window:
        raise SignatureError("timestamp outside the replay window")
    expected = signature(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, c) for c in candidates):
        raise SignatureError("signature does not match the body")
    return timestamp
