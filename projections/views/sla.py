"""SLA clocks of every case, as stored facts plus what the query-time clock adds (decision 9).

On each event that can move a case's clocks, the case's clocks are recomputed with the pure
``domain.sla.clocks.case_clocks`` as of that event, and one row per target and cycle is
written. What is settled (achieved, breached) follows from events alone; a row still
``active`` holds its ``due_at``, so a query turns it into a breach the moment ``now``
passes it, without waiting for any event (``projections.queries.sla``).

The projection reads only its own tables: it keeps every policy version's terms and each
case's clock-relevant events (a compact JSON list), from which events are rebuilt for
``case_clocks`` (``case_events``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain.cases.model import Case
from domain.sla.clocks import TargetClock, case_clocks, policy_refs
from domain.sla.model import SlaPolicy
from domain.sla.terms import PolicyTerms
from projections.projection import Context, Projection, handles
from projections.rows import Rows
from projections.schema import Id, UTCDateTime, metadata

sla_policy_versions = sa.Table(
    "sla_policy_versions", metadata,
    sa.Column("policy_id", Id(), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("targets", sa.JSON, nullable=False),
    sa.Column("calendar", sa.JSON, nullable=False),
)

sla_cases = sa.Table(
    "sla_cases", metadata,
    sa.Column("case_id", Id(), primary_key=True),
    sa.Column("customer_id", Id(), nullable=False),
    sa.Column("assignee", sa.String(200)),
    sa.Column("team", sa.String(100)),
    sa.Column("priority", sa.String(10), nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("opened_at", UTCDateTime, nullable=False),
    sa.Column("sla_policy_id", Id()),
    sa.Column("sla_policy_version", sa.Integer),
    sa.Column("events", sa.JSON, nullable=False),  # the clock-relevant events, in stream order
    sa.Column("targets", sa.JSON, nullable=False),  # [[target, cycle], ...] rows in sla_targets
)

sla_targets = sa.Table(
    "sla_targets", metadata,
    sa.Column("case_id", Id(), primary_key=True),
    sa.Column("target", sa.String(20), primary_key=True),
    sa.Column("cycle", sa.Integer, primary_key=True),
    sa.Column("status", sa.String(10), nullable=False),  # as of the case's last event
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("due_at", UTCDateTime),
    sa.Column("breached_at", UTCDateTime),
    sa.Column("stopped_at", UTCDateTime),
    sa.Column("decided_at", UTCDateTime),  # achieved: stopped_at; breached: breached_at
    sa.Column("paused", sa.Boolean, nullable=False),
    sa.Column("computed_at", UTCDateTime, nullable=False),  # the case's last event: the row is as of then
    sa.Column("used", sa.Float, nullable=False),
    sa.Column("overrun", sa.Float),
    sa.Column("minutes", sa.Integer, nullable=False),
    sa.Column("business_hours", sa.Boolean, nullable=False),
    sa.Column("policy_id", Id(), nullable=False),
    sa.Column("policy_version", sa.Integer, nullable=False),
    sa.Column("priority", sa.String(10), nullable=False),
    sa.Column("assignee", sa.String(200)),
    sa.Column("team", sa.String(100)),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("opened_at", UTCDateTime, nullable=False),
    sa.Index("ix_sla_targets_status_due", "status", "due_at"),
    sa.Index("ix_sla_targets_status_breached", "status", "breached_at"),
    sa.Index("ix_sla_targets_decided", "decided_at"),
)

_KINDS = {cls.__name__: cls for cls in (Case.Opened, Case.SlaRetargeted, Case.AgentReplied, Case.CustomerReplied,
                                        Case.Pended, Case.Resumed, Case.Resolved, Case.Reopened)}


def _compact(e: Any) -> dict[str, Any]:
    """What ``domain.sla.runs.measure`` reads of an event, as JSON."""
    data: dict[str, Any] = {"kind": type(e).__name__, "at": e.occurred_at.isoformat()}
    if isinstance(e, (Case.Opened, Case.SlaRetargeted)):
        data.update(policy=str(e.sla_policy_id) if e.sla_policy_id else None, version=e.sla_policy_version,
                    priority=e.priority)
    elif isinstance(e, Case.AgentReplied):
        data.update(public=e.public, actor=e.actor)
    return data


def case_events(stored: list[dict[str, Any]]) -> list[Any]:
    """Events rebuilt from ``_compact`` data, carrying only what the clocks read. Built without
    their constructors (which want every field, bodies included): ``measure`` reads attributes
    and checks classes, nothing else."""
    found = []
    for data in stored:
        event = object.__new__(_KINDS[data["kind"]])
        attributes: dict[str, Any] = {"occurred_at": datetime.fromisoformat(data["at"])}
        if "priority" in data:
            attributes.update(sla_policy_id=UUID(data["policy"]) if data["policy"] else None,
                              sla_policy_version=data["version"], priority=data["priority"])
        if "public" in data:
            attributes.update(public=data["public"], actor=data["actor"])
        event.__dict__.update(attributes)
        found.append(event)
    return found


def terms_of(row: dict[str, Any]) -> PolicyTerms:
    return PolicyTerms.of(row["targets"], row["calendar"])


def target_row(clock: TargetClock, case: dict[str, Any], now: datetime) -> dict[str, Any]:
    decided = clock.stopped_at if clock.status == "achieved" else clock.breached_at
    return {
        "case_id": case["case_id"], "target": clock.target, "cycle": clock.cycle, "status": clock.status,
        "started_at": clock.started_at, "due_at": clock.due_at, "breached_at": clock.breached_at,
        "stopped_at": clock.stopped_at, "decided_at": decided, "paused": clock.status == "paused",
        "computed_at": now, "used": clock.used, "overrun": clock.overrun, "minutes": clock.minutes,
        "business_hours": clock.business_hours, "policy_id": str(clock.policy_id),
        "policy_version": clock.policy_version, "priority": clock.priority, "assignee": case["assignee"],
        "team": case["team"], "channel": case["channel"], "opened_at": case["opened_at"],
    }


class SlaProjection(Projection):
    name = "sla"
    tables = (sla_policy_versions, sla_cases, sla_targets)

    def prefetch(self, events: list[Any], rows: Rows) -> None:
        rows.prefetch(sla_cases, self.ids([e for e in events if type(e).__qualname__.startswith("Case.")],
                                          "originator_id"))

    @handles(SlaPolicy.Defined, SlaPolicy.Revised)
    def policy_version(self, e: Any, ctx: Context, rows: Rows) -> None:
        rows.put(sla_policy_versions, {"policy_id": str(e.originator_id), "version": e.originator_version,
                                       "targets": e.targets, "calendar": e.calendar})

    @handles(Case.Opened)
    def opened(self, e: Any, ctx: Context, rows: Rows) -> None:
        case = rows.put(sla_cases, {
            "case_id": str(e.originator_id), "customer_id": str(e.customer_id), "assignee": None, "team": e.team,
            "priority": e.priority, "channel": e.channel, "opened_at": e.occurred_at,
            "sla_policy_id": str(e.sla_policy_id) if e.sla_policy_id else None,
            "sla_policy_version": e.sla_policy_version, "events": [_compact(e)], "targets": [],
        })
        self._recompute(case, rows)

    @handles(Case.AgentReplied, Case.CustomerReplied, Case.Pended, Case.Resumed, Case.Resolved, Case.Reopened,
             Case.SlaRetargeted)
    def clock_event(self, e: Any, ctx: Context, rows: Rows) -> None:
        case = rows.get(sla_cases, str(e.originator_id))
        if case is None:
            return
        changes: dict[str, Any] = {"events": [*case["events"], _compact(e)]}
        if isinstance(e, Case.SlaRetargeted):
            changes.update(priority=e.priority, sla_policy_id=str(e.sla_policy_id) if e.sla_policy_id else None,
                           sla_policy_version=e.sla_policy_version)
        self._recompute(rows.update(sla_cases, case["case_id"], **changes) or case, rows)

    @handles(Case.Assigned, Case.Transferred)
    def assigned(self, e: Any, ctx: Context, rows: Rows) -> None:
        assignee, team = (e.assignee, e.team) if isinstance(e, Case.Assigned) else (e.to_assignee, e.to_team)
        case = rows.update(sla_cases, str(e.originator_id), assignee=assignee, team=team)
        for target, cycle in case["targets"] if case else ():
            # Blind update: the targets need not be read (a read per target was the cost at scale).
            rows.patch(sla_targets, (case["case_id"], target, cycle), assignee=assignee, team=team)

    def _recompute(self, case: dict[str, Any], rows: Rows) -> None:
        events = case_events(case["events"])
        now = max(e.occurred_at for e in events)  # as of the latest event, even one recorded out of order
        policies = {}
        for policy_id, version in policy_refs(events):
            found = rows.get(sla_policy_versions, (str(policy_id), version))
            if found is None:  # a policy version this projection never saw: no clocks to hold it to
                return
            policies[(policy_id, version)] = terms_of(found)
        clocks = case_clocks(events, policies, now) if policies else []
        keys = [[c.target, c.cycle] for c in clocks]
        for target, cycle in case["targets"]:
            if [target, cycle] not in keys:
                rows.delete(sla_targets, (case["case_id"], target, cycle))
        for clock in clocks:
            rows.put(sla_targets, target_row(clock, case, now))
        if keys != case["targets"]:
            rows.update(sla_cases, case["case_id"], targets=keys)
