"""Clocks are injected: domain code never reads the time; the layers above pass a clock.

``SystemClock`` is the only place Touchline reads the wall clock; tests use ``FixedClock``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

# How far ahead of our clock a command may date what happened: another system's clock may run a
# little fast, but a contact dated next year would read as the customer's latest for a year.
CLOCK_SKEW = timedelta(minutes=5)
NOT_YET = "is in the future: record what has happened (up to 5 minutes ahead of our clock is taken as clock skew)"


def not_yet_happened(occurred_at: datetime, now: datetime) -> bool:
    """Whether ``occurred_at`` is later than ``now`` allows for clock skew."""
    return occurred_at > now + CLOCK_SKEW


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved: ``advance`` or ``set``."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at

    def advance(self, **delta: float) -> datetime:
        self._at += timedelta(**delta)
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at
