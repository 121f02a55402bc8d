"""The SlaPolicy aggregate: which cases it covers, its targets and its calendar.

This holds the policy's data and validates its shape; computing clocks from it is the
SLA engine's work. Each definition or revision is a version; a case records the
policy id and version that applied when it opened, so editing never rewrites history.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from eventsourcing.domain import event

from domain.base import Entity
from domain.cases.model import PRIORITIES
from domain.errors import InvalidValueError
from domain.touchpoints.model import CHANNELS
from domain.values import one_of, text

TARGET_KINDS = ("first_response", "next_response", "resolution")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
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
            elif "=" not in str(v):
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
            minutes = target.get("minutes") if isinstance(target, dict) else None
            if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
                raise InvalidValueError(f"{field}.minutes", "must be a positive whole number of minutes")
            cleaned[priority][kind] = {"minutes": minutes, "business_hours": bool(target.get("business_hours", True))}
    return cleaned


def clean_calendar(value: dict[str, Any]) -> dict[str, Any]:
    """Calendar: ``{"timezone": "Europe/Berlin", "hours": {"mon": [["09:00","17:00"]], ...},
    "holidays": ["2026-12-25"]}``. Intervals within a day must be ordered and disjoint."""
    if not isinstance(value, dict):
        raise InvalidValueError("calendar", "must be an object")
    tz = text("calendar.timezone", value.get("timezone"), max_length=64)
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValueError("calendar.timezone", f"{tz!r} is not an IANA time zone") from None
    hours: dict[str, list[list[str]]] = {}
    for day, intervals in (value.get("hours") or {}).items():
        one_of("calendar.hours", day, WEEKDAYS)
        if not isinstance(intervals, list):
            raise InvalidValueError(f"calendar.hours.{day}", "must be a list of [start, end] intervals")
        previous_end = -1
        hours[day] = []
        for interval in intervals:
            if not isinstance(interval, (list, tuple)) or len(interval) != 2:
                raise InvalidValueError(f"calendar.hours.{day}", "each interval is [start, end]")
            start = _minutes(f"calendar.hours.{day}", interval[0])
            end = _minutes(f"calendar.hours.{day}", interval[1])
            if start >= end or start < previous_end:
                raise InvalidValueError(f"calendar.hours.{day}", "intervals must be ordered and not overlap")
            previous_end = end
            hours[day].append([str(interval[0]), str(interval[1])])
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
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValueError("position", "must be a whole number")
    return value


class SlaPolicy(Entity):
    kind = "SLA policy"

    @classmethod
    def define(
        cls, *, id: UUID, name: str, position: int, conditions: dict[str, Any] | None,
        targets: dict[str, Any], calendar: dict[str, Any], occurred_at: datetime, actor: str,
    ) -> SlaPolicy:
        occurred_at, actor = cls.checked_when(occurred_at, actor)
        return cls(
            id=id, name=text("name", name, max_length=200), position=clean_position(position),
            conditions=clean_conditions(conditions), targets=clean_targets(targets),
            calendar=clean_calendar(calendar), occurred_at=occurred_at, actor=actor,
        )

    @event("Defined")
    def __init__(
        self, *, id: UUID, name: str, position: int, conditions: dict[str, list[str]],
        targets: dict[str, Any], calendar: dict[str, Any], occurred_at: datetime, actor: str,
    ) -> None:
        self.name = name
        self.position = position
        self.conditions = conditions
        self.targets = targets
        self.calendar = calendar
        self.revision = 1
        self.retired = False
        self.last_occurred_at = occurred_at

    @property
    def label(self) -> str:
        return self.name

    def revise(
        self, *, name: str, position: int, conditions: dict[str, Any] | None,
        targets: dict[str, Any], calendar: dict[str, Any], occurred_at: datetime, actor: str,
    ) -> None:
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._revised(
            name=text("name", name, max_length=200), position=clean_position(position),
            conditions=clean_conditions(conditions), targets=clean_targets(targets),
            calendar=clean_calendar(calendar), occurred_at=occurred_at, actor=actor,
        )

    @event("Revised")
    def _revised(
        self, name: str, position: int, conditions: dict[str, list[str]],
        targets: dict[str, Any], calendar: dict[str, Any], occurred_at: datetime, actor: str,
    ) -> None:
        self.name = name
        self.position = position
        self.conditions = conditions
        self.targets = targets
        self.calendar = calendar
        self.revision += 1
        self.last_occurred_at = occurred_at

    def matches(self, *, priority: str, channel: str, segment: dict[str, str]) -> bool:
        """Whether a case with these attributes falls under this policy."""
        if self.retired:
            return False
        c = self.conditions
        if "priority" in c and priority not in c["priority"]:
            return False
        if "channel" in c and channel not in c["channel"]:
            return False
        if "segment" in c:
            pairs = {f"{k}={v}" for k, v in segment.items()}
            if not pairs & set(c["segment"]):
                return False
        return priority in self.targets
