"""What an SLA policy's data may look like: conditions, targets, calendar, position.

Every mistake names its field; the cleaned value is the normal form stored in events.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.cases.model import PRIORITIES
from domain.errors import InvalidValueError
from domain.sla.calendar import WEEKDAYS
from domain.touchpoints.model import CHANNELS
from domain.values import one_of, text

TARGET_KINDS = ("first_response", "next_response", "resolution")
MAX_MINUTES = 366 * 24 * 60  # a target longer than a year is a mistake
MAX_POSITION = 1_000_000
CALENDAR_FIELDS = ("timezone", "hours", "holidays")
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _minutes(field: str, hhmm: str) -> int:
    match = _HHMM.match(str(hhmm))
    if not match or (match.group(1) == "24" and match.group(2) != "00"):
        raise InvalidValueError(field, f"{hhmm!r} is not a time like 09:30")
    return int(match.group(1)) * 60 + int(match.group(2))


def clean_conditions(value: dict[str, Any] | None) -> dict[str, list[str]]:
    """Conditions: ``{"priority": [...], "channel": [...], "segment": ["sector=retail", ...]}``;
    an absent key matches anything."""
    cleaned: dict[str, list[str]] = {}
    for key, values in (value or {}).items():
        one_of("conditions", key, ("priority", "channel", "segment"))
        if not isinstance(values, list) or not values:
            raise InvalidValueError(f"conditions.{key}", "must be a non-empty list")
        allowed = {"priority": PRIORITIES, "channel": CHANNELS}.get(key)
        for v in values:
            if allowed:
                one_of(f"conditions.{key}", v, allowed)
            elif "=" not in str(v) or len(str(v)) > 200:
                raise InvalidValueError("conditions.segment", f"{v!r} is not attribute=value")
        cleaned[key] = [str(v) for v in values]
    return cleaned


def clean_targets(value: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Targets: ``{priority: {target_kind: {"minutes": int, "business_hours": bool}}}``."""
    if not isinstance(value, dict) or not value:
        raise InvalidValueError("targets", "needs at least one priority with targets")
    cleaned: dict[str, dict[str, dict[str, Any]]] = {}
    for priority, per_kind in value.items():
        one_of("targets", priority, PRIORITIES)
        if not isinstance(per_kind, dict) or not per_kind:
            raise InvalidValueError(f"targets.{priority}", "needs at least one target")
        cleaned[priority] = {}
        for kind, target in per_kind.items():
            field = f"targets.{priority}.{kind}"
            one_of(field, kind, TARGET_KINDS)
            if not isinstance(target, dict):
                raise InvalidValueError(field, "must be an object with minutes (and business_hours)")
            for key in target:
                if key not in ("minutes", "business_hours"):
                    raise InvalidValueError(f"{field}.{key}", "unknown field")
            minutes = target.get("minutes")
            if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 < minutes <= MAX_MINUTES:
                raise InvalidValueError(f"{field}.minutes", f"must be whole minutes from 1 to {MAX_MINUTES}")
            business_hours = target.get("business_hours", True)
            if not isinstance(business_hours, bool):
                raise InvalidValueError(f"{field}.business_hours", "must be true or false")
            cleaned[priority][kind] = {"minutes": minutes, "business_hours": business_hours}
    return cleaned


def clean_calendar(value: dict[str, Any]) -> dict[str, Any]:
    """Calendar: ``{"timezone": "Europe/Berlin", "hours": {"mon": [["09:00","17:00"]], ...},
    "holidays": ["2026-12-25"]}``. Intervals within a day must be ordered and disjoint; the
    last may run overnight (``["22:00", "06:00"]``) into the next day's first hours but not
    over them. The meaning of all this is in ``domain.sla.calendar``."""
    if not isinstance(value, dict):
        raise InvalidValueError("calendar", "must be an object")
    for key in value:
        if key not in CALENDAR_FIELDS:
            raise InvalidValueError(f"calendar.{key}", "unknown field")
    tz = text("calendar.timezone", value.get("timezone"), max_length=64)
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValueError("calendar.timezone", f"{tz!r} is not an IANA time zone") from None
    hours: dict[str, list[list[str]]] = {}
    spill: dict[str, int] = {}  # day -> minutes its overnight interval runs into the next day
    for day, intervals in (value.get("hours") or {}).items():
        field = f"calendar.hours.{day}"
        one_of("calendar.hours", day, WEEKDAYS)
        if not isinstance(intervals, list):
            raise InvalidValueError(field, "must be a list of [start, end] intervals")
        previous_end = -1
        hours[day] = []
        for interval in intervals:
            if not isinstance(interval, (list, tuple)) or len(interval) != 2:
                raise InvalidValueError(field, "each interval is [start, end]")
            start, end = _minutes(field, interval[0]), _minutes(field, interval[1])
            if start == end or start >= 24 * 60 or start < previous_end:
                raise InvalidValueError(field, "intervals must be ordered, not overlap, and only the last "
                                               "may run overnight")
            previous_end = end if start < end else 24 * 60  # an overnight interval fills the day
            if start > end:
                spill[day] = end
            hours[day].append([str(interval[0]), str(interval[1])])
    for day, until in spill.items():
        following = hours.get(WEEKDAYS[(WEEKDAYS.index(day) + 1) % 7]) or []
        if following and _minutes("", following[0][0]) < until:
            raise InvalidValueError(f"calendar.hours.{day}", "the overnight interval overlaps the next day's hours")
    if not any(hours.values()):
        raise InvalidValueError("calendar.hours", "needs at least one interval of business hours in the week")
    holidays = []
    for day in value.get("holidays") or []:
        try:  # the shape, then the calendar (2026-02-30 has the shape)
            valid = bool(_DATE.match(str(day))) and bool(date.fromisoformat(str(day)))
        except ValueError:
            valid = False
        if not valid:
            raise InvalidValueError("calendar.holidays", f"{day!r} is not a date like 2026-12-25")
        holidays.append(str(day))
    return {"timezone": tz, "hours": hours, "holidays": sorted(set(holidays))}


def clean_position(value: int) -> int:
    """Where the policy sits in the first-match order (lower is tried first)."""
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_POSITION:
        raise InvalidValueError("position", f"must be a whole number from -{MAX_POSITION} to {MAX_POSITION}")
    return value
