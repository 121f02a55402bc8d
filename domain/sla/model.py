"""The SlaPolicy aggregate: which cases it covers, its targets and its calendar.

This holds the policy's data and validates its shape; the meaning of a calendar is in
``domain.sla.calendar``, of targets in ``domain.sla.clocks``. Each definition or revision
is a version; a case records the policy id and version that applied (at opening, and
again when its priority changes), so editing never rewrites history: ``repository.get(id,
version=v)`` gives back the terms a case was held to. A retired policy covers no new case;
cases it covered keep its targets.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.base import Entity
from domain.errors import DomainError
from domain.sla.shape import clean_calendar, clean_conditions, clean_position, clean_targets
from domain.values import text


class SlaPolicyRetiredError(DomainError):
    """The policy was retired: it can no longer be changed."""


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
        self.check_in_force()
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

    def check_in_force(self) -> None:
        if self.retired:
            raise SlaPolicyRetiredError(f"SLA policy {self.name} is retired")

    def retire(self, *, reason: str, occurred_at: datetime, actor: str) -> None:
        """Stop covering new cases (and re-targeted ones); history keeps every version."""
        self.check_in_force()
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._retired(reason=text("reason", reason, max_length=2000), occurred_at=occurred_at, actor=actor)

    @event("Retired")
    def _retired(self, reason: str, occurred_at: datetime, actor: str) -> None:
        self.retired = True
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
