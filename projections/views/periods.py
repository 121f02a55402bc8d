"""Counts kept per UTC day and, summed, per month and per year, so that a count since any day
reads at most a month of days, a year of months and the years after it: the rows read follow
the calendar, not the length of the history (ten years of days would be 3,650 rows a count).

A count row is keyed by ``unit`` (``DAY``, ``MONTH``, ``YEAR``) and ``day``, the first day of
its period in days since 1970-01-01; each counted item adds to one row of each unit.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

DAY_SECONDS = 86400
DAY, MONTH, YEAR = 0, 1, 2
_EPOCH = date(1970, 1, 1)


def day_of(instant: datetime) -> int:
    """The UTC day of ``instant``, in days since 1970-01-01."""
    return int(instant.timestamp() // DAY_SECONDS)


def _day(of: date) -> int:
    return (of - _EPOCH).days


def periods_of(day: int) -> tuple[tuple[int, int], ...]:
    """(unit, first day) of the day, the month and the year ``day`` falls in."""
    on = _EPOCH + timedelta(days=day)
    return (DAY, day), (MONTH, _day(on.replace(day=1))), (YEAR, _day(on.replace(month=1, day=1)))


def spans_from(first: int | None) -> list[tuple[int, int | None, int | None]]:
    """(unit, from day, to day exclusive; None: unbounded) of the count rows whose sum covers
    every day from ``first`` on (every day when None), each day once: the days up to the next
    month's start, the months up to the next year's, then the years."""
    if first is None:
        return [(YEAR, None, None)]
    on = _EPOCH + timedelta(days=first)
    month = on if on.day == 1 else (on.replace(day=28) + timedelta(days=4)).replace(day=1)
    year = month if month.month == 1 else date(month.year + 1, 1, 1)
    return [(DAY, first, _day(month)), (MONTH, _day(month), _day(year)), (YEAR, _day(year), None)]
