"""The grid of callback slots over a business calendar (pure: no clock, no storage)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from domain.promises.slots import offered_slots, slot_id
from domain.sla.calendar import BusinessCalendar, business_calendar

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = {d: [["09:00", "12:00"], ["13:00", "15:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def calendar(**extra: object) -> BusinessCalendar:
    return business_calendar({"timezone": "Europe/Berlin", "hours": WEEK, **extra})


def local(slots: list[datetime]) -> list[str]:
    return [s.astimezone(BERLIN).strftime("%a %d %H:%M") for s in slots]


def test_slots_fill_each_interval_and_never_cross_its_end() -> None:
    slots = offered_slots(calendar(), datetime(2026, 3, 2, 5, 0, tzinfo=UTC), days=1, minutes=45)
    assert local(slots) == ["Mon 02 09:00", "Mon 02 09:45", "Mon 02 10:30", "Mon 02 11:15",
                            "Mon 02 13:00", "Mon 02 13:45"]  # 14:30 + 45 min would end after 15:00


def test_slots_keep_wall_clock_times_across_a_dst_change_and_skip_holidays() -> None:
    friday_evening = datetime(2026, 3, 27, 18, 0, tzinfo=UTC)
    slots = offered_slots(calendar(holidays=["2026-03-30"]), friday_evening, days=1, minutes=60)
    assert local(slots) == ["Tue 31 09:00", "Tue 31 10:00", "Tue 31 11:00", "Tue 31 13:00", "Tue 31 14:00"]
    assert slots[0] == datetime(2026, 3, 31, 7, 0, tzinfo=UTC)  # summer time: UTC+2


def test_a_slot_has_one_id_whatever_the_zone_it_is_named_in() -> None:
    utc = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    assert slot_id(utc) == slot_id(utc.astimezone(BERLIN)) != slot_id(datetime(2026, 3, 3, 9, 30, tzinfo=UTC))
