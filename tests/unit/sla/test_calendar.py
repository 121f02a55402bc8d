"""Business time, hand-computed: weekends, split days, overnight hours, holidays, DST changes."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.sla.calendar import (
    ELAPSED,
    BusinessCalendar,
    add_business_minutes,
    add_calendar_minutes,
    business_calendar,
    business_minutes_between,
    calendar_minutes_between,
)

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def calendar(zone: str = "Europe/Berlin", hours: Any = None, holidays: tuple[str, ...] = (),
             days: tuple[str, ...] = WEEKDAYS) -> BusinessCalendar:
    intervals = hours or [["09:00", "17:00"]]
    return business_calendar({"timezone": zone, "hours": {d: intervals for d in days}, "holidays": list(holidays)})


def at(zone: ZoneInfo, *parts: int, fold: int = 0) -> datetime:
    """A local wall-clock time, as a UTC instant (aware datetimes in a fold compare unequal)."""
    return datetime(*parts, tzinfo=zone, fold=fold).astimezone(timezone.utc)  # type: ignore[misc]


OFFICE = calendar()
SPLIT = calendar(hours=[["09:00", "12:30"], ["13:30", "17:00"]])
CHRISTMAS = calendar(holidays=("2026-12-24", "2026-12-25"))
ROUND_THE_CLOCK_NY = calendar("America/New_York", [["00:00", "24:00"]],
                              days=("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
NIGHTS_NY = business_calendar({"timezone": "America/New_York", "hours": {"sat": [["22:00", "06:00"]]}})

# (name, calendar, start, business minutes to add, expected due instant) -- computed by hand.
DUE = [
    # Fri 16-17 is one hour, Mon 09:00 + 7 h: eight business hours later is Monday 16:00.
    ("a working day from Friday 16:00 is Monday 16:00", OFFICE, at(BERLIN, 2026, 3, 6, 16), 480,
     at(BERLIN, 2026, 3, 9, 16)),
    ("seven hours from Friday 16:00 is Monday 15:00", OFFICE, at(BERLIN, 2026, 3, 6, 16), 420,
     at(BERLIN, 2026, 3, 9, 15)),
    ("a target ending with the day is due at closing, not next opening", OFFICE, at(BERLIN, 2026, 3, 6, 16), 60,
     at(BERLIN, 2026, 3, 6, 17)),
    ("a start on Saturday counts from Monday's opening", OFFICE, at(BERLIN, 2026, 3, 7, 10), 60,
     at(BERLIN, 2026, 3, 9, 10)),
    ("a start before opening counts from opening", OFFICE, at(BERLIN, 2026, 3, 3, 6, 45), 30,
     at(BERLIN, 2026, 3, 3, 9, 30)),
    ("lunch is not business time", SPLIT, at(BERLIN, 2026, 3, 2, 12), 60, at(BERLIN, 2026, 3, 2, 14)),
    ("the morning half ends at 12:30", SPLIT, at(BERLIN, 2026, 3, 2, 12), 30, at(BERLIN, 2026, 3, 2, 12, 30)),
    ("a split day holds seven hours", SPLIT, at(BERLIN, 2026, 3, 2, 9), 7 * 60 + 1, at(BERLIN, 2026, 3, 3, 9, 1)),
    ("Christmas Eve and Day are skipped", CHRISTMAS, at(BERLIN, 2026, 12, 23, 16), 120,
     at(BERLIN, 2026, 12, 28, 10)),
    ("spring forward over the weekend: Monday 16:00 local, 71 real hours later", OFFICE,
     at(BERLIN, 2026, 3, 27, 16), 480, at(BERLIN, 2026, 3, 30, 16)),
    ("fall back over the weekend: Monday 16:00 local, 73 real hours later", OFFICE,
     at(BERLIN, 2026, 10, 23, 16), 480, at(BERLIN, 2026, 10, 26, 16)),
    ("New York spring forward: the skipped hour is not worked", ROUND_THE_CLOCK_NY, at(NEW_YORK, 2026, 3, 8, 1),
     120, at(NEW_YORK, 2026, 3, 8, 4)),
    ("New York fall back: the repeated hour is worked twice", ROUND_THE_CLOCK_NY, at(NEW_YORK, 2026, 11, 1, 0),
     120, at(NEW_YORK, 2026, 11, 1, 1, fold=1)),
    ("an overnight shift runs past midnight", NIGHTS_NY, at(NEW_YORK, 2026, 5, 2, 23), 180,
     at(NEW_YORK, 2026, 5, 3, 2)),
    ("an overnight shift ends at its end, the next shift is a week later", NIGHTS_NY, at(NEW_YORK, 2026, 5, 3, 5),
     120, at(NEW_YORK, 2026, 5, 9, 23)),
]


@pytest.mark.parametrize(("cal", "start", "minutes", "due"), [case[1:] for case in DUE], ids=[c[0] for c in DUE])
def test_adding_business_minutes_gives_the_hand_computed_due_instant(
    cal: BusinessCalendar, start: datetime, minutes: int, due: datetime
) -> None:
    assert add_business_minutes(cal, start, minutes) == due
    assert business_minutes_between(cal, start, due) == minutes


@pytest.mark.parametrize(("cal", "day", "days", "minutes"), [
    (ROUND_THE_CLOCK_NY, date(2026, 3, 8), 1, 23 * 60),
    (ROUND_THE_CLOCK_NY, date(2026, 11, 1), 1, 25 * 60),
    (calendar(hours=[["00:00", "06:00"]], days=("sun",)), date(2026, 3, 29), 1, 5 * 60),
    (calendar(hours=[["00:00", "06:00"]], days=("sun",)), date(2026, 10, 25), 1, 7 * 60),
    (calendar(hours=[["02:30", "04:00"]], days=("sun",)), date(2026, 3, 29), 1, 60),  # opens at the gap's end
    (calendar(hours=[["02:00", "02:30"]], days=("sun",)), date(2026, 10, 25), 1, 60),  # 02:00-02:30 happens twice
    (NIGHTS_NY, date(2026, 10, 31), 2, 9 * 60),  # Sat 22:00 to Sun 06:00 over the fall-back
    (NIGHTS_NY, date(2026, 3, 7), 2, 7 * 60),  # ... over the spring-forward
], ids=["NY 23-hour day", "NY 25-hour day", "Berlin short night", "Berlin long night", "opening inside the gap",
        "hours inside the repeated hour", "overnight over fall back", "overnight over spring forward"])
def test_dst_days_hold_the_wall_clock_hours_that_really_pass(
    cal: BusinessCalendar, day: date, days: int, minutes: int
) -> None:
    end = day + timedelta(days=days)
    start_at, end_at = at(cal.zone, day.year, day.month, day.day), at(cal.zone, end.year, end.month, end.day)
    assert business_minutes_between(cal, start_at, end_at) == minutes


def test_a_dst_change_keeps_opening_hours_on_the_wall_clock() -> None:
    after = OFFICE.intervals(date(2026, 3, 30))
    before = OFFICE.intervals(date(2026, 3, 27))
    assert [(s.astimezone(BERLIN).hour, e.astimezone(BERLIN).hour) for s, e in before + after] == [(9, 17), (9, 17)]
    assert after[0][0].hour == before[0][0].hour - 1  # one hour earlier in UTC


def test_a_holiday_closes_the_part_of_an_overnight_shift_on_that_date() -> None:
    cal = business_calendar({"timezone": "Europe/Berlin", "hours": {"mon": [["22:00", "06:00"]]},
                             "holidays": ["2026-03-03"]})
    assert business_minutes_between(cal, at(BERLIN, 2026, 3, 2), at(BERLIN, 2026, 3, 4)) == 120


def test_elapsed_minutes_between_in_reverse_are_negative() -> None:
    friday, monday = at(BERLIN, 2026, 3, 6, 16), at(BERLIN, 2026, 3, 9, 10)
    assert business_minutes_between(OFFICE, friday, monday) == 120
    assert business_minutes_between(OFFICE, monday, friday) == -120


def test_calendar_minutes_are_real_elapsed_time_across_dst() -> None:
    saturday = at(BERLIN, 2026, 3, 28, 12)
    assert add_calendar_minutes(saturday, 24 * 60) == at(BERLIN, 2026, 3, 29, 13)
    assert calendar_minutes_between(saturday, at(BERLIN, 2026, 3, 29, 12)) == 23 * 60
    assert ELAPSED.minutes_between(at(BERLIN, 2026, 3, 29, 12), saturday) == -23 * 60


def test_adding_nothing_returns_the_instant_even_outside_hours() -> None:
    sunday = datetime(2026, 3, 8, 12, tzinfo=BERLIN)
    assert add_business_minutes(OFFICE, sunday, 0) == sunday


def test_results_are_in_utc() -> None:
    due = add_business_minutes(OFFICE, datetime(2026, 3, 6, 16, tzinfo=BERLIN), 30)
    assert due.tzinfo is timezone.utc and due == at(BERLIN, 2026, 3, 6, 16, 30)


@pytest.mark.parametrize("instant", [at(BERLIN, 2026, 3, 2, 9), at(BERLIN, 2026, 3, 2, 16, 59)])
def test_opening_is_inside_the_hours_and_closing_is_not(instant: datetime) -> None:
    assert OFFICE.is_open(instant)
    assert not OFFICE.is_open(at(BERLIN, 2026, 3, 2, 17)) and not OFFICE.is_open(at(BERLIN, 2026, 3, 2, 8, 59))


def test_negative_amounts_and_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_business_minutes(OFFICE, at(BERLIN, 2026, 3, 2, 9), -1)
    with pytest.raises(ValueError, match="timezone-aware"):
        business_minutes_between(OFFICE, datetime(2026, 3, 2, 9), at(BERLIN, 2026, 3, 2, 10))


def test_a_calendar_without_hours_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        business_calendar({"timezone": "UTC", "hours": {"mon": []}})


def test_equal_calendar_data_compiles_once() -> None:
    data = {"timezone": "Europe/Berlin", "hours": {"fri": [["09:00", "17:00"]]}, "holidays": []}
    assert business_calendar(data) is business_calendar({**data, "holidays": None})
