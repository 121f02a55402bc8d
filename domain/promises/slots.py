"""Callback slots: the times a customer may pick for a callback, and who booked each one.

``offered_slots`` lays a grid of ``minutes``-long slots over a business calendar's hours on
the next business days (pure arithmetic, no clock read: ``now`` comes in). A ``CallbackSlot``
aggregate (id derived from the slot's start) records each booking, so two requests for the
last place in a slot change the same stream and the event store lets only one of them save.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import Entity
from domain.errors import DomainError
from domain.sla.calendar import BusinessCalendar
from domain.values import aware

SEARCH_DAYS = 60  # a calendar with no business day in two months offers nothing


class SlotFullError(DomainError):
    """Every place in the slot is taken."""


def slot_id(starts_at: datetime) -> UUID:
    return uuid5(NAMESPACE_URL, f"/callback-slots/{aware('starts_at', starts_at).timestamp():.0f}")


def offered_slots(calendar: BusinessCalendar, now: datetime, *, days: int, minutes: int) -> list[datetime]:
    """Starts (UTC) of the slots on the next ``days`` business days (today counts while a slot of
    it is to come), each wholly inside the calendar's hours and starting after ``now``."""
    step = timedelta(minutes=minutes)
    starts: list[datetime] = []
    today = now.astimezone(calendar.zone).date()
    business_days = 0
    for offset in range(SEARCH_DAYS):
        before = len(starts)
        for begin, end in calendar.intervals(today + timedelta(days=offset)):
            at = begin
            while at + step <= end:
                if at > now:
                    starts.append(at)
                at += step
        business_days += len(starts) > before  # a day whose hours are over (or closed) does not count
        if business_days >= days:
            break
    return starts


class CallbackSlot(Entity):
    """One callback slot and the callback promises booked into it (oldest first)."""

    kind = "Callback slot"

    @event("Opened")
    def __init__(self, *, id: UUID, starts_at: datetime, occurred_at: datetime, actor: str) -> None:
        self.starts_at = starts_at
        self.bookings: list[UUID] = []
        self.last_occurred_at = occurred_at

    @property
    def label(self) -> str:
        return self.starts_at.isoformat()

    def book(self, *, promise_id: UUID, taken: int, capacity: int, occurred_at: datetime, actor: str) -> None:
        """Book ``promise_id``; ``taken``: the places still held by earlier bookings (the caller
        counts them: a cancelled or moved callback frees its place)."""
        if taken >= capacity:
            raise SlotFullError(f"the callback slot at {self.label} is full")
        self._booked(promise_id=promise_id, occurred_at=occurred_at, actor=actor)

    @event("Booked")
    def _booked(self, promise_id: UUID, occurred_at: datetime, actor: str) -> None:
        self.bookings.append(promise_id)
        self.last_occurred_at = occurred_at
