"""The terms of one policy version, ready for clocks: targets per priority and their time basis."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.sla.calendar import ELAPSED, BusinessCalendar, TimeBasis, business_calendar


@dataclass(frozen=True)
class Target:
    minutes: int
    business_hours: bool
    basis: TimeBasis  # the policy's calendar for business minutes, ELAPSED for calendar minutes


@dataclass(frozen=True)
class PolicyTerms:
    """What a policy version promises: ``targets[priority][kind]``, measured on ``calendar``."""

    targets: dict[str, dict[str, Target]]
    calendar: BusinessCalendar

    @classmethod
    def of(cls, targets: dict[str, dict[str, dict[str, Any]]], calendar: dict[str, Any]) -> PolicyTerms:
        """From a policy's (validated) ``targets`` and ``calendar`` data."""
        compiled = business_calendar(calendar)
        return cls(
            {priority: {kind: Target(t["minutes"], t["business_hours"],
                                     compiled if t["business_hours"] else ELAPSED)
                        for kind, t in per_kind.items()}
             for priority, per_kind in targets.items()},
            compiled,
        )

    def target(self, priority: str, kind: str) -> Target | None:
        return self.targets.get(priority, {}).get(kind)
