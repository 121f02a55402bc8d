"""Business time for the demo: when contacts arrive, office hours, and promised slots.

All times are UTC, whole minutes, derived from the history's end (the clock's ``now``
when first written) only, so a seed and a clock give the same history. Nothing that
happened is ever dated after that end.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("America/Chicago")  # the agents' office (Maven's Central region)
OPENS, CLOSES = 8, 18
SLOT_HOURS = (9, 10, 11, 14, 15, 16)


class StoryEnds(Exception):
    """A story stops where it is: its next step lies after now, or the touchpoints are spent."""


def span_days(touchpoints: int) -> int:
    """How far back the history reaches: months, more for bigger histories."""
    return max(90, min(365, touchpoints // 20))


def _utc(day: date, at: time) -> datetime:
    return datetime.combine(day, at, ZONE).astimezone(timezone.utc)


def _next_workday(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def history_end(now: datetime) -> datetime:
    """The last moment of a history written at ``now``: its whole minute, in UTC."""
    return now.astimezone(timezone.utc).replace(second=0, microsecond=0)


class Timeline:
    def __init__(self, end: datetime, touchpoints: int, rng: random.Random) -> None:
        self.now = end  # nothing in the history happens after it
        self.rng = rng
        self.start = end - timedelta(days=span_days(touchpoints))
        self._minutes = span_days(touchpoints) * 1440
        self._touchpoints = touchpoints

    def arrival(self, done: int) -> datetime:
        """When the story after ``done`` touchpoints starts: in order, denser toward now
        (a growing business), never after now."""
        share = ((done + self.rng.random()) / self._touchpoints) ** (2 / 3)
        return self.start + timedelta(minutes=int(self._minutes * share))

    def check(self, at: datetime) -> datetime:
        if at > self.now:
            raise StoryEnds
        return at

    def office(self, at: datetime) -> datetime:
        """``at`` if the office is open then, else the next opening plus a short queue."""
        local = at.astimezone(ZONE)
        if local.weekday() < 5 and OPENS <= local.hour < CLOSES:
            return at
        day = local.date()
        if local.weekday() >= 5 or local.hour >= CLOSES:
            day = _next_workday(day)
        return _utc(day, time(OPENS)) + timedelta(minutes=self.rng.randint(0, 75))

    def after(self, at: datetime, low: int, high: int, *, office: bool = True) -> datetime:
        """``at`` plus ``low``..``high`` minutes (in office hours when an agent acts)."""
        later = at + timedelta(minutes=self.rng.randint(low, high))
        return self.office(later) if office else later

    def slot(self, at: datetime, low_days: int, high_days: int) -> datetime:
        """A time to promise, like "Tuesday 10:00": whole workdays ahead, on the half hour."""
        day = at.astimezone(ZONE).date()
        for _ in range(self.rng.randint(low_days, high_days)):
            day = _next_workday(day)
        chosen = _utc(day, time(self.rng.choice(SLOT_HOURS), self.rng.choice((0, 30))))
        return chosen if chosen > at else _utc(_next_workday(day), time(self.rng.choice(SLOT_HOURS)))
