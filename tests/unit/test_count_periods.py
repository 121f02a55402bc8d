"""Counts kept per day, month and year answer "since day D" by summing each day from D on
exactly once, reading a month of days, a year of months and the years after at most."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from projections.views.periods import DAY, MONTH, YEAR, day_of, periods_of, spans_from

EPOCH = date(1970, 1, 1)


def day(on: date) -> int:
    return (on - EPOCH).days


def covered(first: int | None, days: range) -> list[int]:
    """How many times the spans from ``first`` count each day in ``days``."""
    spans = spans_from(first)
    return [sum(1 for unit, start, end in spans for period_unit, period_day in periods_of(d)
                if period_unit == unit and (start is None or period_day >= start) and (end is None or period_day < end))
            for d in days]


def test_every_day_from_the_first_on_counts_once_and_none_before() -> None:
    days = range(day(date(2023, 11, 1)), day(date(2026, 3, 1)))
    for first in [*range(day(date(2024, 1, 1)) - 3, day(date(2025, 3, 5))), day(date(2024, 2, 29)), None]:
        counts = covered(first, days)
        expected = [1 if first is None or d >= first else 0 for d in days]
        assert counts == expected, first


def test_the_rows_read_follow_the_calendar_not_the_history() -> None:
    first = day(date(2016, 6, 17))
    day_span, month_span, year_span = spans_from(first)
    assert day_span == (DAY, first, day(date(2016, 7, 1)))
    assert month_span == (MONTH, day(date(2016, 7, 1)), day(date(2017, 1, 1)))
    assert year_span == (YEAR, day(date(2017, 1, 1)), None)
    assert spans_from(day(date(2016, 1, 1)))[2] == (YEAR, day(date(2016, 1, 1)), None)  # nothing but years


def test_a_days_periods_are_its_day_month_and_year_in_utc() -> None:
    late = datetime(2025, 12, 31, 23, 59, tzinfo=UTC)
    assert periods_of(day_of(late)) == ((DAY, day(date(2025, 12, 31))), (MONTH, day(date(2025, 12, 1))),
                                        (YEAR, day(date(2025, 1, 1))))
    assert periods_of(day_of(late + timedelta(minutes=1)))[2] == (YEAR, day(date(2026, 1, 1)))
    assert periods_of(day(date(1900, 3, 4)))[1] == (MONTH, day(date(1900, 3, 1)))  # before 1970 too
