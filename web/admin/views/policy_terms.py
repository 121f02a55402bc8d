"""An SLA policy's terms as people read them: conditions, targets, calendar. Used by the
policies list, its CSV export, its details and the version history, so all say the same."""

from __future__ import annotations

from typing import Any

from domain.sla.calendar import WEEKDAYS
from web.admin.forms.policy_form import DAY_NAMES, KIND_NAMES
from web.admin.views.display import plain


def duration(minutes: int, business: bool = False) -> str:
    """``90`` -> ``1 h 30 min``; ``2880`` -> ``2 d``, or ``48 h`` in business hours (a business day
    is not 24 hours: 3000 business minutes are not "2 d 2 h")."""
    days, rest = divmod(minutes, 1440) if not business else (0, minutes)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{mins} min" if mins else ""]
    return " ".join(p for p in parts if p)


def conditions_text(conditions: dict[str, list[str]] | None) -> str:
    if not conditions:
        return "any case"
    return "; ".join(f"{key}: {', '.join(v.replace('_', ' ') for v in values)}"
                     for key, values in conditions.items())


def target_lines(targets: dict[str, Any] | None) -> list[str]:
    """One line per priority: ``urgent: first response 30 min, resolution 4 h (24x7)``."""
    lines = []
    for priority, per_kind in (targets or {}).items():
        terms = [f"{KIND_NAMES[k].lower()} {duration(t['minutes'], t['business_hours'])}"
                 f"{'' if t['business_hours'] else ' (24x7)'}"
                 for k, t in per_kind.items()]
        lines.append(f"{priority}: {', '.join(terms)}")
    return lines


def calendar_lines(calendar: dict[str, Any] | None) -> list[str]:
    """The zone, each open day's hours, the holidays."""
    calendar = calendar or {}
    lines = [f"time zone {calendar.get('timezone', '')}"]
    hours = calendar.get("hours") or {}
    runs: list[tuple[list[str], str]] = []  # consecutive days with the same hours: "Mon-Fri 09:00-17:00"
    for day in WEEKDAYS:
        text = ", ".join(f"{a}-{b}" for a, b in hours.get(day) or [])
        if runs and runs[-1][1] == text and WEEKDAYS.index(runs[-1][0][-1]) == WEEKDAYS.index(day) - 1:
            runs[-1][0].append(day)
        else:
            runs.append(([day], text))
    for days, text in runs:
        if text:
            name = DAY_NAMES[days[0]][:3] + (f"-{DAY_NAMES[days[-1]][:3]}" if len(days) > 1 else "")
            lines.append(f"{name} {text}")
    if calendar.get("holidays"):
        lines.append(f"holidays {', '.join(calendar['holidays'])}")
    return lines


@plain
def fmt_conditions(view: Any, context: Any, model: Any, name: str) -> str:
    return conditions_text(model.conditions)


@plain
def fmt_targets(view: Any, context: Any, model: Any, name: str) -> str:
    return "; ".join(target_lines(model.targets))


@plain
def fmt_calendar(view: Any, context: Any, model: Any, name: str) -> str:
    return "; ".join(calendar_lines(model.calendar))
