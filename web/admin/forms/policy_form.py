"""The SLA policy form: conditions as choices, a targets grid (priority x target, minutes and
business or calendar time per cell), and a calendar typed as people write it down.

The form only turns text into the command's data (``values``); the rules (ordered, disjoint
intervals, real dates and zones, minutes in range) are the domain's (``domain.sla.shape``),
whose errors name the part of the policy that is wrong: ``field_for`` puts each on its field.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import current_app
from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import Optional, ValidationError

from domain.cases.model import PRIORITIES
from domain.sla.calendar import WEEKDAYS
from domain.sla.shape import TARGET_KINDS
from domain.touchpoints.model import CHANNELS
from web.admin.forms.common import RowForm, choices
from web.admin.localtime import zone_names

DAY_NAMES = dict(zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")))
KIND_NAMES = {"first_response": "First response", "next_response": "Next response", "resolution": "Resolution"}
BASES = [("business", "business hours"), ("calendar", "calendar (24x7)")]
_RANGE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-\u2013]\s*(\d{1,2}:\d{2})\s*$")


def _checkboxes(label: str, values: tuple[str, ...], description: str) -> SelectMultipleField:
    return SelectMultipleField(label, choices=choices(values), description=description,
                               widget=widgets.ListWidget(prefix_label=False), option_widget=widgets.CheckboxInput())


def _hhmm(text: str) -> str:
    hours, minutes = text.split(":")
    return f"{int(hours):02d}:{minutes}"


def parse_hours(text: str) -> list[list[str]]:
    """``09:00-12:30, 13:30-17:00`` -> ``[["09:00", "12:30"], ["13:30", "17:00"]]``; blank: closed."""
    intervals = []
    for part in filter(str.strip, (text or "").split(",")):
        match = _RANGE.match(part)
        if not match:
            raise ValidationError(f"{part.strip()!r} is not a range like 09:00-17:00 (ranges separated by commas)")
        intervals.append([_hhmm(match.group(1)), _hhmm(match.group(2))])
    return intervals


def parse_holidays(text: str) -> list[str]:
    """One per line, ``2026-12-25 Christmas``: the date, then any name (for the reader; the policy keeps dates)."""
    days = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        day = line.split()[0]
        try:
            date.fromisoformat(day)
        except ValueError:
            raise ValidationError(f"line {number}: {day!r} is not a date like 2026-12-25") from None
        days.append(day)
    return days


class PolicyForm(RowForm):
    """Define or revise a policy (``values()``: the command's keyword arguments)."""

    name = StringField("Name")
    position = IntegerField("Position", validators=[Optional()],
                            description="Lower is tried first; the first policy that matches a case applies. "
                                        "Empty when defining: after every policy in force.")
    priorities = _checkboxes("Priorities", PRIORITIES, "None ticked: any priority.")
    channels = _checkboxes("Channels", CHANNELS, "None ticked: any channel.")
    segment = StringField("Customer segment", description="attribute=value pairs, comma separated, e.g. "
                                                          "sector=retail, size=large (any one matches); empty: any.")
    targets = HiddenField()  # carries errors about the targets as a whole
    timezone = StringField("Time zone", default=lambda: current_app.config.get("TIMEZONE") or "UTC",
                           description="IANA name, e.g. Europe/Berlin: business hours are local there.")
    hours = HiddenField()  # carries errors about the week as a whole
    holidays = TextAreaField("Holidays", render_kw={"rows": 4, "placeholder": "2026-12-25 Christmas"},
                             description="One per line: the date, then a name for your reference (only the date "
                                         "is kept). Closed all day.")

    def validate_timezone(self, field: Any) -> None:
        if (field.data or "").strip() not in zone_names():
            raise ValidationError(f"{field.data!r} is not an IANA time zone (such as Europe/Berlin)")

    def validate_holidays(self, field: Any) -> None:
        parse_holidays(field.data)

    def values(self) -> dict[str, Any]:
        conditions = {key: values for key, values in (
            ("priority", self.priorities.data or []), ("channel", self.channels.data or []),
            ("segment", [s.strip() for s in (self.segment.data or "").split(",") if s.strip()])) if values}
        targets: dict[str, dict[str, Any]] = {}
        for priority in PRIORITIES:
            for kind in TARGET_KINDS:
                minutes = self[cell(priority, kind)].data
                if minutes is not None:
                    targets.setdefault(priority, {})[kind] = {
                        "minutes": minutes, "business_hours": self[basis(priority, kind)].data != "calendar"}
        calendar = {"timezone": (self.timezone.data or "").strip(),
                    "hours": {d: parse_hours(self[day(d)].data) for d in WEEKDAYS if (self[day(d)].data or "").strip()},
                    "holidays": parse_holidays(self.holidays.data)}
        return {"name": self.name.data, "position": self.position.data, "conditions": conditions,
                "targets": targets, "calendar": calendar}

    def field_for(self, domain_name: str) -> Any:
        """``targets.high.resolution.minutes`` -> that cell; ``calendar.hours.mon`` -> Monday..."""
        parts = domain_name.split(".")
        if parts[0] == "targets" and len(parts) >= 3 and parts[1] in PRIORITIES and parts[2] in TARGET_KINDS:
            name = basis(parts[1], parts[2]) if parts[-1] == "business_hours" else cell(parts[1], parts[2])
        elif parts[0] == "calendar" and len(parts) >= 3 and parts[1] == "hours" and parts[2] in WEEKDAYS:
            name = day(parts[2])
        elif parts[0] == "calendar" and len(parts) >= 2:
            name = {"timezone": "timezone", "hours": "hours", "holidays": "holidays"}.get(parts[1], "hours")
        elif parts[0] == "conditions":
            name = {"priority": "priorities", "channel": "channels", "segment": "segment"}.get(
                parts[1] if len(parts) > 1 else "", "segment")
        else:
            name = parts[0]
        return self._fields.get(name)

    @staticmethod
    def data_of(policy: Any) -> dict[str, Any]:
        """The fields' values for a stored policy (a read-model row or an aggregate)."""
        c, cal = policy.conditions or {}, policy.calendar or {}
        data: dict[str, Any] = {
            "name": policy.name, "position": policy.position, "priorities": c.get("priority", []),
            "channels": c.get("channel", []), "segment": ", ".join(c.get("segment", [])),
            "timezone": cal.get("timezone", "UTC"), "holidays": "\n".join(cal.get("holidays", []))}
        for d in WEEKDAYS:
            data[day(d)] = ", ".join(f"{a}-{b}" for a, b in (cal.get("hours") or {}).get(d, []))
        for priority, per_kind in (policy.targets or {}).items():
            for kind, target in per_kind.items():
                data[cell(priority, kind)] = target["minutes"]
                data[basis(priority, kind)] = "business" if target.get("business_hours", True) else "calendar"
        return data


def cell(priority: str, kind: str) -> str:
    return f"t_{priority}_{kind}"


def basis(priority: str, kind: str) -> str:
    return f"b_{priority}_{kind}"


def day(weekday: str) -> str:
    return f"hours_{weekday}"


class _HoursField(StringField):
    def pre_validate(self, form: Any) -> None:
        parse_hours(self.data)


for _p in PRIORITIES:
    for _k in TARGET_KINDS:
        setattr(PolicyForm, cell(_p, _k), IntegerField(f"{_p} {KIND_NAMES[_k]}", validators=[Optional()],
                                                       render_kw={"placeholder": "minutes"}))
        setattr(PolicyForm, basis(_p, _k), SelectField(f"{_p} {KIND_NAMES[_k]} basis", choices=BASES,
                                                       default="business"))
for _d in WEEKDAYS:
    setattr(PolicyForm, day(_d), _HoursField(DAY_NAMES[_d], default="09:00-17:00" if _d not in ("sat", "sun") else "",
                                             render_kw={"placeholder": "closed"}))
