"""SLA policies, and the SLA clocks of every case, as stored facts plus what the query-time clock
adds (decision 9).

Policies: ``sla_policies`` holds each policy as it stands (the list integrators and the panel
show, in the order they are tried) and ``sla_policy_versions`` the terms of every version,
which cases name.

Clocks: on each event that can move a case's clocks, only the clocks that event started or
changed are evaluated (``domain.sla.clocks.changed_clocks``), as of the event, and their rows
written; a row is the clock as of ``computed_at``, the last event that changed it. Between
such events only time passes: a row still ``active`` holds its ``due_at``, so a query turns
it into a breach the moment ``now`` passes it, without waiting for any event
(``projections.queries.sla``). Each row is attributed to whoever held the case when it was
decided (``domain.sla.clocks.held_by``); an assignment re-attributes only rows not decided
before it. The projection reads only its own tables: each case's SLA events are kept as
compact JSON (``projections.views.sla_events``).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from domain.cases.model import Case
from domain.sla.clocks import TargetClock, changed_clocks, decided_at, held_by, holders, policy_refs
from domain.sla.model import SlaPolicy
from domain.sla.runs import PolicyRef
from domain.sla.terms import PolicyTerms
from projections.projection import Context, Projection, handles
from projections.rows import Rows
from projections.views.sla_events import case_events, compact
from projections.views.sla_tables import sla_cases, sla_policies, sla_policy_versions, sla_targets

__all__ = ["DROPPED", "SlaProjection", "case_events", "sla_cases", "sla_policies", "sla_policy_versions", "sla_targets",
           "terms_of"]


DROPPED = "dropped"  # a clock whose target a re-target took away (the case's ``sla`` block leaves it out)


def terms_of(row: dict[str, Any]) -> PolicyTerms:
    return PolicyTerms.of(row["targets"], row["calendar"])


def _iso(instant: datetime | None) -> str | None:
    return instant.astimezone(timezone.utc).isoformat() if instant else None


def target_row(clock: TargetClock, case: dict[str, Any], now: datetime, assignee: str | None,
               team: str | None) -> dict[str, Any]:
    decided = clock.stopped_at if clock.status == "achieved" else clock.breached_at
    return {
        "case_id": case["case_id"], "target": clock.target, "cycle": clock.cycle, "status": clock.status,
        "started_at": clock.started_at, "due_at": clock.due_at, "breached_at": clock.breached_at,
        "stopped_at": clock.stopped_at, "decided_at": decided, "paused": clock.status == "paused",
        "computed_at": now, "used": clock.used, "overrun": clock.overrun, "minutes": clock.minutes,
        "business_hours": clock.business_hours, "policy_id": str(clock.policy_id),
        "policy_version": clock.policy_version, "priority": clock.priority, "assignee": assignee, "team": team,
        "channel": case["channel"], "opened_at": case["opened_at"],
    }


class SlaProjection(Projection):
    name = "sla"
    version = 2  # 2: policies table; only changed clocks re-evaluated; targets attributed when decided
    tables = (sla_policies, sla_policy_versions, sla_cases, sla_targets)
    write_mostly = (sla_targets,)  # written (put, patch), never read back by the handlers

    def __init__(self) -> None:
        self._terms: dict[PolicyRef, PolicyTerms] = {}  # a version's terms never change: kept for good

    def prefetch(self, events: list[Any], rows: Rows) -> None:
        rows.prefetch(sla_cases, self.ids([e for e in events if type(e).__qualname__.startswith("Case.")],
                                          "originator_id"))

    # -- policies ------------------------------------------------------------------------

    def _version(self, e: Any, rows: Rows) -> None:
        rows.put(sla_policy_versions, {
            "policy_id": str(e.originator_id), "version": e.originator_version, "name": e.name,
            "position": e.position, "conditions": e.conditions, "targets": e.targets, "calendar": e.calendar,
            "valid_from": e.occurred_at})

    @handles(SlaPolicy.Defined)
    def policy_defined(self, e: Any, ctx: Context, rows: Rows) -> None:
        rows.put(sla_policies, {
            "policy_id": str(e.originator_id), "name": e.name, "version": e.originator_version,
            "position": e.position, "defined_seq": ctx.position, "active": True, "conditions": e.conditions,
            "targets": e.targets, "calendar": e.calendar, "defined_at": e.occurred_at, "changed_at": e.occurred_at,
            "retired_at": None})
        self._version(e, rows)

    @handles(SlaPolicy.Revised)
    def policy_revised(self, e: Any, ctx: Context, rows: Rows) -> None:
        rows.update(sla_policies, str(e.originator_id), name=e.name, version=e.originator_version,
                    position=e.position, conditions=e.conditions, targets=e.targets, calendar=e.calendar,
                    changed_at=e.occurred_at)
        self._version(e, rows)

    @handles(SlaPolicy.Retired)
    def policy_retired(self, e: Any, ctx: Context, rows: Rows) -> None:
        rows.update(sla_policies, str(e.originator_id), version=e.originator_version, active=False,
                    changed_at=e.occurred_at, retired_at=e.occurred_at)

    # -- cases ---------------------------------------------------------------------------

    @handles(Case.Opened)
    def opened(self, e: Any, ctx: Context, rows: Rows) -> None:
        case = rows.put(sla_cases, {
            "case_id": str(e.originator_id), "customer_id": str(e.customer_id), "assignee": None, "team": e.team,
            "priority": e.priority, "channel": e.channel, "opened_at": e.occurred_at,
            "sla_policy_id": str(e.sla_policy_id) if e.sla_policy_id else None,
            "sla_policy_version": e.sla_policy_version, "last_event_at": e.occurred_at, "events": [compact(e)],
            "targets": [],
        })
        self._evaluate_changed(case, rows)

    def _append(self, e: Any, rows: Rows, **changes: Any) -> dict[str, Any] | None:
        """Add the event to the case's own history; None if the case is unknown here."""
        case = rows.get(sla_cases, str(e.originator_id))
        if case is None:
            return None
        at = max(e.occurred_at, case["last_event_at"])  # never before the previous one (``runs``)
        return rows.update(sla_cases, case["case_id"], events=[*case["events"], compact(e)], last_event_at=at,
                           **changes)

    @handles(Case.AgentReplied, Case.CustomerReplied, Case.Pended, Case.Resumed, Case.Resolved, Case.Reopened,
             Case.SlaRetargeted)
    def clock_event(self, e: Any, ctx: Context, rows: Rows) -> None:
        changes: dict[str, Any] = {}
        if isinstance(e, Case.SlaRetargeted):
            changes.update(priority=e.priority, sla_policy_id=str(e.sla_policy_id) if e.sla_policy_id else None,
                           sla_policy_version=e.sla_policy_version)
        case = self._append(e, rows, **changes)
        if case is None or (isinstance(e, Case.AgentReplied) and (not e.public or e.actor.startswith("system:"))):
            return  # notes and automatic replies move no clock
        self._evaluate_changed(case, rows)

    @handles(Case.Assigned, Case.Transferred)
    def assigned(self, e: Any, ctx: Context, rows: Rows) -> None:
        assignee, team = (e.assignee, e.team) if isinstance(e, Case.Assigned) else (e.to_assignee, e.to_team)
        case = self._append(e, rows, assignee=assignee, team=team)
        if case is None:
            return
        at = case["last_event_at"]
        for target, cycle, decided in case["targets"]:
            # Blind update (no read per target): only targets not decided before the hand-over.
            if decided is None or datetime.fromisoformat(decided) > at:
                rows.patch(sla_targets, (case["case_id"], target, cycle), assignee=assignee, team=team)

    def _policies(self, events: list[Any], rows: Rows) -> dict[PolicyRef, PolicyTerms] | None:
        found = {}
        for ref in policy_refs(events):
            if ref not in self._terms:
                row = rows.get(sla_policy_versions, (str(ref[0]), ref[1]))
                if row is None:  # a policy version this projection never saw: no clocks to hold it to
                    return None
                self._terms[ref] = terms_of(row)
            found[ref] = self._terms[ref]
        return found

    def _evaluate_changed(self, case: dict[str, Any], rows: Rows) -> None:
        events = case_events(case["events"])
        policies = self._policies(events, rows)
        if not policies:
            return
        changed = changed_clocks(events, policies)
        if not changed:
            return
        found, now = holders(events), case["last_event_at"]
        decided = {(target, cycle): when for target, cycle, when in case["targets"]}
        for (target, cycle), clock in changed.items():
            if clock is None:  # no target for it any more: kept as dropped, so "as of" before still finds it
                if decided.pop((target, cycle), False) is not False:
                    rows.patch(sla_targets, (case["case_id"], target, cycle), status=DROPPED, due_at=None,
                               breached_at=None, stopped_at=None, decided_at=None, paused=False, computed_at=now)
                continue
            instant = decided_at(clock)
            rows.put(sla_targets, target_row(clock, case, now, *held_by(found, instant)))
            decided[(target, cycle)] = _iso(instant)
        listed = [[target, cycle, when] for (target, cycle), when in decided.items()]
        if listed != case["targets"]:
            rows.update(sla_cases, case["case_id"], targets=listed)
