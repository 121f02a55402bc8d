"""SLA commands and queries of the Application: policies, which one covers a case, its clocks.

Selection: the policies in force are tried in ``position`` order (equal positions: in order of
definition) and the first whose conditions match the case's priority, channel and customer
segment, and which has targets for that priority, applies. The policies in force are cached
per process by (id, version); the index aggregate's version, read with one indexed query of
its last event, tells whether the cache is stale, so opening a case costs one small read
(plus the customer, only while some policy in force has a segment condition).

Re-targeting: a priority change is saved together with ``SlaRetargeted`` (policy id, version
and the new priority, selected again with the customer's segment at that time; None when no
policy covers the case any more). A separate event rather than new fields on
``PriorityChanged``: that event keeps its stored shape (no upcaster that would have to invent
which policy applied to old changes), it says what the SLA engine decided apart from what the
agent did, and later causes of re-targeting (team or segment changes, re-applying policies)
can record the same event.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from domain.cases.model import Case
from domain.customers.model import Customer
from domain.errors import AlreadyExistsError, ConflictError, InvalidValueError, NotFoundError
from domain.service import Receipt, Service
from domain.sla.clocks import TargetClock, case_clocks, policy_refs
from domain.sla.index import INDEX_ID, SlaPolicyIndex
from domain.sla.model import SlaPolicy
from domain.sla.terms import PolicyTerms

POSITION_STEP = 10  # gaps between positions, so a policy can be slotted in between


class SlaCommands(Service):
    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env)
        self._in_force: tuple[int, tuple[SlaPolicy, ...]] = (0, ())  # (index version, policies by position)
        self._versions: dict[tuple[UUID, int], SlaPolicy] = {}
        self._terms: dict[tuple[UUID, int], PolicyTerms] = {}

    def define_sla_policy(
        self, *, name: str, position: int | None = None, conditions: dict[str, Any] | None, targets: dict[str, Any],
        calendar: dict[str, Any], id: UUID | None = None, occurred_at: datetime, actor: str,
    ) -> Receipt:
        """Define a policy; without ``position`` it is tried after every policy in force."""
        if position is None:
            position = max((p.position for p in self.sla_policies_in_force()), default=0) + POSITION_STEP
        policy = SlaPolicy.define(id=id or uuid4(), name=name, position=position, conditions=conditions,
                                  targets=targets, calendar=calendar, occurred_at=occurred_at, actor=actor)
        return self._save_policy(policy, occurred_at, actor)

    def reorder_sla_policies(self, policy_ids: list[UUID], *, occurred_at: datetime, actor: str) -> Receipt:
        """Put the policies in force in this order (positions 10, 20, ...), all in one transaction.
        ``policy_ids`` must name each policy in force once, so an order decided on a stale list
        (a policy defined or retired meanwhile) is refused rather than half applied."""
        in_force = self.sla_policies_in_force()
        wanted, known = [str(i) for i in policy_ids], {str(p.id): p for p in in_force}
        if not wanted or len(set(wanted)) != len(wanted) or set(wanted) != set(known):
            raise InvalidValueError("policy_ids", "must list every policy in force exactly once: "
                                                  + ", ".join(sorted(known)))
        index = self._get(SlaPolicyIndex, INDEX_ID)
        moved = []
        for rank, policy_id in enumerate(wanted, start=1):
            policy = self._get(SlaPolicy, UUID(policy_id))
            if policy.position != rank * POSITION_STEP:
                policy.revise(name=policy.name, position=rank * POSITION_STEP, conditions=policy.conditions,
                              targets=policy.targets, calendar=policy.calendar, occurred_at=occurred_at, actor=actor)
                index.record(policy, occurred_at=occurred_at, actor=actor)
                moved.append(policy)
        # A concurrent policy change moves the index on: the save is a conflict, nothing half applied.
        return self._save(index, *moved) if moved else self._unchanged(index)

    def revise_sla_policy(
        self, policy_id: UUID, *, name: str, position: int, conditions: dict[str, Any] | None,
        targets: dict[str, Any], calendar: dict[str, Any], expected_version: int | None = None,
        occurred_at: datetime, actor: str,
    ) -> Receipt:
        policy = self._get(SlaPolicy, policy_id, expected_version)
        policy.revise(name=name, position=position, conditions=conditions, targets=targets, calendar=calendar,
                      occurred_at=occurred_at, actor=actor)
        return self._save_policy(policy, occurred_at, actor)

    def retire_sla_policy(self, policy_id: UUID, *, reason: str, expected_version: int | None = None,
                          occurred_at: datetime, actor: str) -> Receipt:
        policy = self._get(SlaPolicy, policy_id, expected_version)
        policy.retire(reason=reason, occurred_at=occurred_at, actor=actor)
        return self._save_policy(policy, occurred_at, actor)

    def get_sla_policy(self, policy_id: UUID, *, version: int | None = None) -> SlaPolicy:
        return self._get(SlaPolicy, policy_id, version=version)

    def _save_policy(self, policy: SlaPolicy, occurred_at: datetime, actor: str) -> Receipt:
        """Save the policy and the index in one transaction: any other policy change saved
        meanwhile makes this one a conflict (reload and retry), so the index loses nothing."""
        try:
            index = self._get(SlaPolicyIndex, INDEX_ID)
        except NotFoundError:
            index = SlaPolicyIndex.start(occurred_at=occurred_at, actor=actor)
        index.record(policy, occurred_at=occurred_at, actor=actor)
        try:
            return self._save(policy, index)
        except AlreadyExistsError:  # the policy's id, or only the index's first event, was taken
            if self._exists(policy.id):
                raise
            raise ConflictError(policy.kind, policy.label, policy.id) from None

    def sla_policies_in_force(self) -> tuple[SlaPolicy, ...]:
        """The policies that can cover a case, in the order they are tried (treat as read-only)."""
        head = self.recorder.select_events(INDEX_ID, desc=True, limit=1)
        version = head[0].originator_version if head else 0
        cached_version, policies = self._in_force
        if version != cached_version:
            index = self._get(SlaPolicyIndex, INDEX_ID, version=version)
            found = [self._policy_version(policy_id, v) for policy_id, v in index.in_force.items()]
            policies = tuple(sorted(found, key=lambda p: p.position))  # stable: definition order breaks ties
            self._in_force = (version, policies)
        return policies

    def _policy_version(self, policy_id: UUID, version: int) -> SlaPolicy:
        key = (policy_id, version)
        if key not in self._versions:
            self._versions[key] = self._get(SlaPolicy, policy_id, version=version)
        return self._versions[key]

    def select_sla_policy(self, *, priority: str, channel: str, customer_id: UUID,
                          segment: Mapping[str, str] | None = None) -> SlaPolicy | None:
        """The policy that covers a case with these attributes now (None if none does);
        ``segment``: the customer's, when they are not saved yet."""
        policies = self.sla_policies_in_force()
        if segment is None:
            segment = self._get(Customer, customer_id).segment if any("segment" in p.conditions for p in policies) else {}
        return next((p for p in policies if p.matches(priority=priority, channel=channel, segment=dict(segment))), None)

    def sla_terms(self, policy_id: UUID, version: int) -> PolicyTerms:
        """The targets and calendar of one policy version (cached: versions never change)."""
        key = (policy_id, version)
        if key not in self._terms:
            policy = self._policy_version(policy_id, version)
            self._terms[key] = PolicyTerms.of(policy.targets, policy.calendar)
        return self._terms[key]

    def case_zone(self, case: Case) -> str | None:
        """The time zone of the calendar of the case's SLA policy (None without one): the zone the
        customer is told times in, in mail and on the public pages alike."""
        if case.sla_policy_id is None or case.sla_policy_version is None:
            return None
        return str(self.sla_terms(case.sla_policy_id, case.sla_policy_version).calendar.zone.key)

    def callback_calendar(self) -> dict[str, Any] | None:
        """The calendar of the SLA policy a callback case would fall under (the first in force
        matching a normal-priority callback), None without one: the public booking page offers its
        hours, and the customer is told a booked call's time in its zone."""
        for policy in self.sla_policies_in_force():
            if policy.matches(priority="normal", channel="callback", segment={}):
                return dict(policy.calendar)
        return None

    def get_case_sla(self, case_id: UUID, *, at: datetime) -> list[TargetClock]:
        """The case's SLA clocks as of ``at`` (see ``domain.sla.clocks``)."""
        events = list(self.events.get(case_id))
        if not events or not isinstance(events[0], Case.Opened):
            raise NotFoundError(Case.kind, case_id)
        return case_clocks(events, {ref: self.sla_terms(*ref) for ref in policy_refs(events)}, at)
