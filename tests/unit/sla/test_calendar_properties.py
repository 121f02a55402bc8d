"""Business time against a minute-by-minute oracle, and the algebra SLA clocks rely on.

Calendars, zones and instants are random; instants cluster around each zone's UTC-offset
changes (DST, Samoa's skipped day, Chile's midnight changes, Lord Howe's half-hour shift).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.sla.calendar import WEEKDAYS, business_calendar

ZONES = ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago", "Pacific/Apia",
         "Asia/Kathmandu", "America/Havana", "UTC")
MINUTE = timedelta(minutes=1)


@cache
def offset_changes(zone: str) -> list[date]:
    """Local dates, 2010-2030, on which the zone's UTC offset changes."""
    tz, found = ZoneInfo(zone), []
    day = datetime(2010, 1, 1, tzinfo=timezone.utc)
    previous = day.astimezone(tz).utcoffset()
    while day.year < 2031:
        day += timedelta(hours=6)
        offset = day.astimezone(tz).utcoffset()
        if offset != previous:
            found.append(day.astimezone(tz).date())
        previous = offset
    return found or [date(2026, 3, 29)]


@st.composite
def day_hours(draw: st.DrawFn) -> list[list[str]]:
    """0-3 ordered, disjoint intervals on a 10-minute grid; the last may run overnight."""
    marks = sorted(draw(st.sets(st.integers(0, 144), max_size=6)))
    pairs = [marks[i:i + 2] for i in range(0, len(marks) - 1, 2)]
    hours = [[f"{a // 6:02d}:{a % 6 * 10:02d}", f"{b // 6:02d}:{b % 6 * 10:02d}"] for a, b in pairs]
    if hours and hours[-1][1] != "24:00" and draw(st.booleans()):
        # An overnight end; never equal to the start (clean_calendar refuses empty intervals).
        ends = [end for end in ("00:00", "01:30", "06:00") if end != hours[-1][0]]
        hours[-1] = [hours[-1][0], draw(st.sampled_from(ends))]
    return hours


@st.composite
def calendars(draw: st.DrawFn) -> dict[str, Any]:
    zone = draw(st.sampled_from(ZONES))
    hours = {day: draw(day_hours()) for day in WEEKDAYS}
    for i, day in enumerate(WEEKDAYS):  # keep an overnight spill clear of the next day's hours
        following = hours[WEEKDAYS[(i + 1) % 7]]
        if hours[day] and hours[day][-1][0] > hours[day][-1][1] and following and \
                following[0][0] < hours[day][-1][1]:
            hours[day][-1][1] = "24:00"
    if not any(hours.values()):
        hours["wed"] = [["09:00", "17:00"]]
    near = draw(st.sampled_from(offset_changes(zone)))
    holidays = draw(st.lists(st.integers(-3, 3).map(lambda d: (near + timedelta(days=d)).isoformat()), max_size=3))
    return {"timezone": zone, "hours": hours, "holidays": holidays, "near": near}


@st.composite
def scenario(draw: st.DrawFn) -> tuple[dict[str, Any], datetime]:
    """A calendar and a whole-minute instant within two days of one of its zone's offset changes."""
    data = draw(calendars())
    near: date = data.pop("near")
    start = datetime(near.year, near.month, near.day, tzinfo=timezone.utc) - timedelta(days=2)
    return data, start + draw(st.integers(0, 4 * 1440)) * MINUTE


def oracle_is_open(data: dict[str, Any], instant: datetime) -> bool:
    """Straight from the definition: the wall clock's time on its date is in that day's hours."""
    wall = instant.astimezone(ZoneInfo(data["timezone"]))
    if wall.date().isoformat() in data["holidays"]:
        return False
    minute = wall.hour * 60 + wall.minute
    today, yesterday = WEEKDAYS[wall.weekday()], WEEKDAYS[wall.weekday() - 1]

    def m(hhmm: str) -> int:
        return int(hhmm[:2]) * 60 + int(hhmm[3:])

    for start, end in data["hours"][today]:
        if m(start) <= minute < (m(end) if m(start) < m(end) else 1440):
            return True
    return any(m(start) > m(end) and minute < m(end) for start, end in data["hours"][yesterday])


@settings(max_examples=150, deadline=None)
@given(scenario(), st.integers(0, 2 * 1440))
def test_business_minutes_match_a_minute_by_minute_count(case: tuple[dict[str, Any], datetime], span: int) -> None:
    data, start = case
    expected = sum(oracle_is_open(data, start + i * MINUTE) for i in range(span))
    assert business_calendar(data).minutes_between(start, start + span * MINUTE) == expected


@settings(max_examples=300, deadline=None)
@given(scenario(), st.integers(0, 3000))
def test_adding_minutes_then_measuring_gives_them_back_and_ends_inside_hours(
    case: tuple[dict[str, Any], datetime], minutes: int
) -> None:
    data, start = case
    cal = business_calendar(data)
    due = cal.add(start, minutes)
    assert cal.minutes_between(start, due) == minutes
    if minutes:  # inside the hours or at an interval's end: the last microsecond before it was worked
        assert cal.is_open(due - timedelta(microseconds=1))
        assert oracle_is_open(data, due - timedelta(microseconds=1))


@settings(max_examples=300, deadline=None)
@given(scenario(), st.integers(0, 3000), st.integers(0, 3000))
def test_adding_in_two_steps_is_adding_the_sum(case: tuple[dict[str, Any], datetime], a: int, b: int) -> None:
    data, start = case
    cal = business_calendar(data)
    assert cal.add(cal.add(start, a), b) == cal.add(start, a + b)


@settings(max_examples=300, deadline=None)
@given(scenario(), st.integers(0, 3000), st.integers(0, 3000), st.integers(0, 3000))
def test_due_instants_never_move_earlier_for_a_later_start_or_a_longer_target(
    case: tuple[dict[str, Any], datetime], minutes: int, more: int, delay: int
) -> None:
    data, start = case
    cal = business_calendar(data)
    assert cal.add(start, minutes) <= cal.add(start, minutes + more)
    assert cal.add(start, minutes) <= cal.add(start + delay * MINUTE, minutes)


@settings(max_examples=300, deadline=None)
@given(scenario(), st.integers(0, 3000), st.integers(0, 3000))
def test_measuring_is_additive_antisymmetric_and_bounded_by_elapsed_time(
    case: tuple[dict[str, Any], datetime], first: int, second: int
) -> None:
    data, a = case
    cal = business_calendar(data)
    b, c = a + first * MINUTE, a + (first + second) * MINUTE
    assert cal.minutes_between(a, b) + cal.minutes_between(b, c) == cal.minutes_between(a, c)
    assert cal.minutes_between(c, a) == -cal.minutes_between(a, c)
    assert 0 <= cal.minutes_between(a, c) <= first + second
