"""Shared by the projection and read benchmarks: a store filled with Maven data and demo history."""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from domain.clock import FixedClock
from web.demo.history import write_demo
from web.importers.maven import import_maven
from web.services import Services, build_services

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
# Demo events per touchpoint, roughly (cases, replies, promises ride along); measured, used to size runs.
EVENTS_PER_TOUCHPOINT = 2.6


def open_store(url: str) -> Services:
    return build_services({"DATABASE_URL": url}, clock=FixedClock(NOW))


GROWTH = ("density", "days")
YEAR_TOUCHPOINTS = 29_000  # a year of demo contacts in growth by days: ~99k events, as the 100k store


def fill(services: Services, events: int, *, seed: int = 7, growth: str = "density") -> int:
    """Import Maven data (once) and add demo history until the log holds about ``events`` events.

    ``density``: each round's history ends now, in the same last year (the business gets busier:
    more contacts a day, more open cases). ``days``: round k is a year of ``YEAR_TOUCHPOINTS``
    contacts ending k years ago (the same business over more years); a round already stored is
    replayed as it was, writing nothing."""
    if growth not in GROWTH:
        raise ValueError(f"growth must be one of {', '.join(GROWTH)}")
    app = services.app
    if not app.recorder.max_notification_id():
        import_maven(app, services.clock, ROOT / "data" / "maven-crm")
    head = app.recorder.max_notification_id() or 0
    round_ = 0
    while head < events:
        touchpoints, now = max(100, int((events - head) / EVENTS_PER_TOUCHPOINT)), NOW
        if growth == "days":
            touchpoints, now = YEAR_TOUCHPOINTS, NOW - timedelta(days=365 * round_)
        started = time.perf_counter()
        write_demo(app, now=now, seed=seed * 1000 + round_, touchpoints=touchpoints)
        new_head = app.recorder.max_notification_id() or 0
        print(f"  + demo: {new_head - head} events in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        head, round_ = new_head, round_ + 1
    return head
