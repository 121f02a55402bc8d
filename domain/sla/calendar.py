"""Business time: which instants are working time under a calendar, and arithmetic on them.

A calendar (the shape ``clean_calendar`` in ``domain.sla.shape`` validates) has an IANA time
zone, weekly hours and holidays. Its meaning, exactly:

- An instant is **business time** when its local wall-clock time, on its local date, lies in
  that weekday's hours (start included, end excluded) and that date is not a holiday.
- **Overnight hours** such as ``["22:00", "06:00"]`` on Monday run until 06:00 on Tuesday; the
  part after midnight is Tuesday's (a holiday on Tuesday closes it). ``"24:00"`` ends a day.
- **Holidays** close the whole local date, midnight to midnight.
- **DST**: hours are wall-clock hours. On a spring-forward day the skipped hour is not worked
  (09:00-17:00 is still 09:00-17:00, and 00:00-06:00 holds five real hours); on a fall-back day
  a repeated wall-clock hour inside the hours is worked twice (00:00-06:00 holds seven).
- Minutes are real elapsed minutes of business time; instants are compared as instants, so
  the result of every function is in UTC whatever the zone of the argument.
- ``add`` returns the instant at which the given amount of business time has passed since
  ``instant``: always inside the hours or exactly at the end of an interval (never the start
  of the next one), so 8 hours from Friday 16:00 with hours 09:00-17:00 is Monday 16:00.
  Adding 0 returns ``instant``, even outside the hours; ``add(add(t, a), b) == add(t, a + b)``
  for all a, b >= 0.
- ``minutes_between(start, end)`` is the business time in [start, end); negative when
  ``end`` is before ``start``, so ``minutes_between(now, due)`` is what is left, or overrun.
- **Calendar minutes** (``ELAPSED``) are plain elapsed time: 24 hours across a DST change
  read 25 or 23 on the wall clock.

A day's intervals are computed once per calendar and cached, in microseconds since the epoch;
``business_calendar`` caches compiled calendars, so many cases sharing a policy share one.
Assumed of the zone: at most one UTC-offset change per local day (two in one day would be
mis-measured on that day; none of the zones the property tests sweep over 2010-2030 does it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NAIVE_EPOCH = datetime(1970, 1, 1)
_US = timedelta(microseconds=1)
_MINUTE = 60_000_000  # microseconds
_SEARCH_DAYS = 3660  # a calendar with no hours for ten years is broken, not slow

Span = tuple[int, int]  # [start, end) in microseconds since the epoch (or local minutes of a day)


def _to_us(instant: datetime) -> int:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("business time needs timezone-aware instants")
    return (instant - _EPOCH) // _US


def _from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _amount(minutes: float) -> int:
    if minutes < 0:
        raise ValueError(f"cannot add a negative amount of time ({minutes} minutes)")
    return round(minutes * _MINUTE)


class TimeBasis(Protocol):
    """What SLA clocks need of a way of counting time: business hours or elapsed time."""

    def add(self, instant: datetime, minutes: float) -> datetime: ...

    def minutes_between(self, start: datetime, end: datetime) -> float: ...


class Elapsed:
    """Calendar minutes: every minute counts."""

    def add(self, instant: datetime, minutes: float) -> datetime:
        return _from_us(_to_us(instant) + _amount(minutes))

    def minutes_between(self, start: datetime, end: datetime) -> float:
        return (_to_us(end) - _to_us(start)) / _MINUTE


ELAPSED = Elapsed()


@dataclass(frozen=True, eq=False)
class BusinessCalendar:
    """A compiled calendar: per weekday, its local-minute spans (overnight spill included)."""

    zone: ZoneInfo
    week: tuple[tuple[Span, ...], ...]
    holidays: frozenset[date]
    # ordinal of a local date -> (its business intervals in UTC microseconds, their total)
    _days: dict[int, tuple[tuple[Span, ...], int]] = field(default_factory=dict, repr=False)

    def add(self, instant: datetime, minutes: float) -> datetime:
        need, at = _amount(minutes), _to_us(instant)
        if need == 0:
            return _from_us(at)
        first = self._ordinal(at)
        for ordinal in range(first, first + _SEARCH_DAYS):
            spans, total = self._day(ordinal)
            if spans and spans[0][0] >= at and need > total:  # the whole day is consumed
                need -= total
                continue
            for start, end in spans:
                if end <= at:
                    continue
                available = end - max(start, at)
                if need <= available:
                    return _from_us(max(start, at) + need)
                need -= available
        raise ValueError(f"the calendar has no business hours for ten years after {instant}")

    def minutes_between(self, start: datetime, end: datetime) -> float:
        a, b = _to_us(start), _to_us(end)
        if b < a:
            return -self.minutes_between(end, start)
        total = 0
        for ordinal in range(self._ordinal(a), self._ordinal(b) + 1):
            spans, day_total = self._day(ordinal)
            if spans and spans[0][0] >= a and spans[-1][1] <= b:
                total += day_total
                continue
            for s, e in spans:
                total += max(0, min(e, b) - max(s, a))
        return total / _MINUTE

    def is_open(self, instant: datetime) -> bool:
        """Whether ``instant`` is business time."""
        at = _to_us(instant)
        return any(s <= at < e for s, e in self._day(self._ordinal(at))[0])

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The business intervals of a local date, as UTC instants."""
        return [(_from_us(s), _from_us(e)) for s, e in self._day(day.toordinal())[0]]

    def _ordinal(self, us: int) -> int:
        return _from_us(us).astimezone(self.zone).toordinal()

    def _offset(self, us: int) -> int:
        offset = _from_us(us).astimezone(self.zone).utcoffset()
        assert offset is not None
        return offset // _US

    def _transition(self, lo: int, hi: int) -> int:
        """The first instant in (lo, hi] with ``hi``'s offset, given ``lo``'s differs."""
        target = self._offset(hi)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._offset(mid) == target:
                hi = mid
            else:
                lo = mid
        return hi

    def _first_instant(self, day: date) -> int:
        """The first instant whose local time reaches ``day`` 00:00 (a transition, if in a gap)."""
        wall = datetime(day.year, day.month, day.day)
        earlier, later = (_to_us(wall.replace(tzinfo=self.zone, fold=f)) for f in (0, 1))
        if _from_us(earlier).astimezone(self.zone).replace(tzinfo=None) == wall:
            return min(earlier, later)  # exists; when repeated, its first occurrence
        return self._transition(min(earlier, later), max(earlier, later))

    def _day(self, ordinal: int) -> tuple[tuple[Span, ...], int]:
        cached = self._days.get(ordinal)
        if cached is not None:
            return cached
        day = date.fromordinal(ordinal)
        local = () if day in self.holidays else self.week[day.weekday()]
        pieces: list[list[int]] = []
        if local:
            lo, hi = self._first_instant(day), self._first_instant(day + timedelta(days=1))
            first, last = self._offset(lo), self._offset(hi - 1)
            cut = hi if first == last else self._transition(lo, hi - 1)
            midnight = (datetime(day.year, day.month, day.day) - _NAIVE_EPOCH) // _US
            # Local time is wall time minus the offset in force: one mapping per offset period.
            for seg_lo, seg_hi, offset in ((lo, cut, first), (cut, hi, last)):
                for a, b in local:
                    s = max(midnight + a * _MINUTE - offset, seg_lo)
                    e = min(midnight + b * _MINUTE - offset, seg_hi)
                    if s >= e:
                        continue
                    if pieces and pieces[-1][1] == s:
                        pieces[-1][1] = e
                    else:
                        pieces.append([s, e])
        spans = tuple((s, e) for s, e in pieces)
        result = (spans, sum(e - s for s, e in spans))
        self._days[ordinal] = result
        return result


def _local_minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _union(spans: list[Span]) -> tuple[Span, ...]:
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return tuple((a, b) for a, b in merged)


def _compile(zone: str, hours: tuple[tuple[str, tuple[tuple[str, str], ...]], ...],
             holidays: tuple[str, ...]) -> BusinessCalendar:
    spans: list[list[Span]] = [[] for _ in WEEKDAYS]
    for day, intervals in hours:
        i = WEEKDAYS.index(day)
        for start, end in intervals:
            a, b = _local_minutes(start), _local_minutes(end)
            if a < b:
                spans[i].append((a, b))
            else:  # overnight: on until ``end`` the next day
                spans[i].append((a, 24 * 60))
                if b:
                    spans[(i + 1) % 7].append((0, b))
    week = tuple(_union(day) for day in spans)
    if not any(week):
        raise ValueError("a calendar needs business hours on at least one day")
    return BusinessCalendar(ZoneInfo(zone), week, frozenset(date.fromisoformat(d) for d in holidays))


_compiled = lru_cache(maxsize=256)(_compile)


def business_calendar(data: Mapping[str, Any]) -> BusinessCalendar:
    """The compiled calendar of a policy's ``calendar`` data (cached: equal data, one object)."""
    hours = tuple(sorted((day, tuple((str(s), str(e)) for s, e in intervals))
                         for day, intervals in (data.get("hours") or {}).items()))
    return _compiled(str(data["timezone"]), hours, tuple(sorted(data.get("holidays") or ())))


def add_business_minutes(calendar: BusinessCalendar, instant: datetime, minutes: float) -> datetime:
    return calendar.add(instant, minutes)


def business_minutes_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> float:
    return calendar.minutes_between(start, end)


def add_calendar_minutes(instant: datetime, minutes: float) -> datetime:
    return ELAPSED.add(instant, minutes)


def calendar_minutes_between(start: datetime, end: datetime) -> float:
    return ELAPSED.minutes_between(start, end)
