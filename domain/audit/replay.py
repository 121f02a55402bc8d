"""Replaying one stream as of a version, a business instant or a recorded instant (pure).

"As of T" (business time) keeps the events whose ``occurred_at`` <= T; "as known at T"
(recorded time) those whose ``timestamp`` <= T; both in stream order. A stream whose first
event is excluded did not exist then. Kept events need not be contiguous (a late, backdated
event is kept while an earlier-recorded one that happened after T is not), so replay sets
the expected version before each event instead of requiring version + 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

Filter = Callable[[Any], bool]


def business_time(event: Any) -> datetime:
    """When it happened in the world; the recorded time for events that carry none."""
    found: datetime | None = getattr(event, "occurred_at", None)
    return found if found is not None else event.timestamp


def as_of(instant: datetime) -> Filter:
    return lambda event: business_time(event) <= instant


def known_at(instant: datetime) -> Filter:
    return lambda event: event.timestamp <= instant


def up_to_version(version: int) -> Filter:
    return lambda event: event.originator_version <= version


def replay(events: Iterable[Any], keep: Filter) -> tuple[Any | None, list[Any]]:
    """The aggregate built from the kept events (None when its first event is not kept), and them."""
    aggregate: Any | None = None
    kept: list[Any] = []
    for event in events:
        if not keep(event):
            continue
        if aggregate is None:
            if event.originator_version != 1:
                continue  # the stream did not exist yet: its creation is not kept
            aggregate = event.mutate(None)
        else:
            aggregate.version = event.originator_version - 1  # kept events need not be contiguous
            aggregate = event.mutate(aggregate)
        kept.append(event)
    return aggregate, kept
