"""Times on the public pages: the business calendar they follow and how an instant is shown.

The calendar is that of the SLA policy a callback case would fall under (the first policy in
force matching a normal-priority callback); with no such policy, Monday to Friday 09:00-17:00
in the installation's time zone (``TOUCHLINE_TIMEZONE``). Every time shown names its zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.cases.model import Case
from domain.sla.calendar import BusinessCalendar, business_calendar
from web.admin.localtime import default_zone
from web.services import services

WORKING_WEEK = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def calendar_data() -> dict[str, Any]:
    found = services().app.callback_calendar()
    return found if found is not None else {"timezone": default_zone().key, "hours": WORKING_WEEK, "holidays": []}


def public_calendar() -> BusinessCalendar:
    return business_calendar(calendar_data())


def chosen_zone(name: str | None) -> ZoneInfo:
    """The zone a customer chose to read times in (a callback records the one its page showed),
    else the public calendar's (also for a name since erased)."""
    try:
        return ZoneInfo(name) if name else public_calendar().zone
    except (ZoneInfoNotFoundError, ValueError):
        return public_calendar().zone


def zone_of_case(case: Case) -> ZoneInfo:
    """The zone of the calendar of the case's SLA policy, else the installation's."""
    zone = services().app.case_zone(case)
    return ZoneInfo(zone) if zone else default_zone()


def local_text(instant: datetime, zone: ZoneInfo) -> str:
    """``Tuesday 1 December 2026, 10:30 (Europe/Berlin time)``."""
    local = instant.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} ({zone.key} time)"
