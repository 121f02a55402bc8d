"""The index of SLA policies in force: one small aggregate, changed with every policy change.

Opening a case must pick the first matching policy without reading every policy. The
index lists the policies in force with their current versions, in order of definition
(the tie-break between equal positions); every define, revise and retire updates it in the
same save as the policy, so its version tells any process whether its cache is stale.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import Entity
from domain.sla.model import SlaPolicy

INDEX_ID = uuid5(NAMESPACE_URL, "/sla/policies/index")


class SlaPolicyIndex(Entity):
    kind = "SLA policy index"

    @classmethod
    def start(cls, *, occurred_at: datetime, actor: str) -> SlaPolicyIndex:
        occurred_at, actor = cls.checked_when(occurred_at, actor)
        return cls(id=INDEX_ID, occurred_at=occurred_at, actor=actor)

    @event("Started")
    def __init__(self, *, id: UUID, occurred_at: datetime, actor: str) -> None:
        self.in_force: dict[UUID, int] = {}  # policy id -> its current version, in order of definition
        self.last_occurred_at = occurred_at

    def record(self, policy: SlaPolicy, *, occurred_at: datetime, actor: str) -> None:
        """Note the policy's new version, or that it is retired."""
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._policy_recorded(policy_id=policy.id, version=policy.version, in_force=not policy.retired,
                              occurred_at=occurred_at, actor=actor)

    @event("PolicyRecorded")
    def _policy_recorded(self, policy_id: UUID, version: int, in_force: bool, occurred_at: datetime,
                         actor: str) -> None:
        if in_force:
            self.in_force[policy_id] = version
        else:
            self.in_force.pop(policy_id, None)
        self.last_occurred_at = occurred_at
