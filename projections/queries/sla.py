"""SLA reads: breaches, targets at risk, compliance and one case's clocks, evaluated at ``now``.

Stored rows are each clock as of the last event that changed it (``projections.views.sla``).
Between events nothing happens but time: an ``active`` row whose ``due_at`` has passed is a
breach (at ``due_at``) the moment it passes. Breaches are facts and never undone, so
"breached by T" is "breached with ``breached_at`` <= T, or still active with ``due_at`` <= T",
found through the (status, due_at) and (status, breached_at) indexes: the cost follows the
open targets and breaches asked for, not every case stored. Figures that keep moving (overrun
of a clock still counting) or rows as of an instant before a case's last event are
recomputed exactly with ``case_clocks`` from the projection's own copy of the events.

Breaches are read a page at a time, each query an index range from the cursor's key on; targets
at risk are measured in full (business-hour clocks) and a page is cut out of the sorted list.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain.sla.calendar import ELAPSED, TimeBasis
from domain.sla.clocks import TargetClock, case_clocks, held_by, holders, policy_refs
from domain.sla.terms import PolicyTerms
from projections.queries.paging import Page, after_key, decode_key, encode_cursor, sorted_page
from projections.views.sla import DROPPED, case_events, sla_cases, sla_policy_versions, sla_targets, terms_of

GROUPS = {"target": "target", "agent": "assignee", "team": "team", "priority": "priority", "channel": "channel"}
PERIODS = ("day", "week", "month")  # compliance per period of the decision instant (UTC); a week starts on Monday
t = sla_targets.c


@dataclass(frozen=True)
class SlaFilter:
    target: str | None = None
    assignee: str | None = None
    team: str | None = None
    priority: str | None = None
    channel: str | None = None

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        found = [(t.target, self.target), (t.assignee, self.assignee), (t.team, self.team),
                 (t.priority, self.priority), (t.channel, self.channel)]
        return [column == value for column, value in found if value is not None]

    def accepts(self, item: dict[str, Any]) -> bool:
        """Whether a computed item passes the filters that can change over a case's life."""
        return all(value is None or item[key] == value for key, value in
                   (("assignee", self.assignee), ("team", self.team), ("priority", self.priority)))


class _Terms:
    """Policy versions' terms, read once per query."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.found: dict[tuple[str, int], PolicyTerms] = {}

    def __call__(self, policy_id: str, version: int) -> PolicyTerms:
        key = (str(policy_id), version)
        if key not in self.found:
            row = self.conn.execute(sa.select(sla_policy_versions).where(
                sla_policy_versions.c.policy_id == key[0], sla_policy_versions.c.version == version)).mappings().one()
            self.found[key] = terms_of(dict(row))
        return self.found[key]

    def basis(self, row: Any) -> TimeBasis:
        return self(row["policy_id"], row["policy_version"]).calendar if row["business_hours"] else ELAPSED


TargetKey = tuple[str, str, int]  # case id, target kind, cycle
Holders = dict[str, tuple[str | None, str | None]]  # case id -> (assignee, team) holding it at the instant


def _clocks_at(conn: sa.Connection, case_ids: set[str], at: datetime, terms: _Terms,
               held: Holders | None = None) -> dict[TargetKey, TargetClock]:
    """Every clock of these cases as of ``at``, recomputed from their events (and, into
    ``held``, who held each case at ``at``)."""
    found: dict[TargetKey, TargetClock] = {}
    for row in conn.execute(sa.select(sla_cases.c.case_id, sla_cases.c.events).where(
            sla_cases.c.case_id.in_(sorted(case_ids)))).mappings():
        events = case_events(row["events"])
        policies = {ref: terms(str(ref[0]), ref[1]) for ref in policy_refs(events)}
        for clock in case_clocks(events, policies, at):
            found[(row["case_id"], clock.target, clock.cycle)] = clock
        if held is not None:
            held[row["case_id"]] = held_by([h for h in holders(events) if h[0] <= at], None)
    return found


def _settled(row: Any, at: datetime) -> bool:
    """Whether the stored row is exactly the clock as of ``at`` (stopped, and unchanged since before ``at``)."""
    return row["stopped_at"] is not None and row["computed_at"] <= at


def _breach(row: Any, clock: TargetClock | None) -> dict[str, Any]:
    due_at, breached_at, overrun = (clock.due_at, clock.breached_at, clock.overrun) if clock else (
        row["due_at"], row["breached_at"], row["overrun"])
    return {"case_id": row["case_id"], "target": row["target"], "cycle": row["cycle"], "due_at": due_at,
            "breached_at": breached_at, "overrun_minutes": round(overrun or 0.0, 2),
            "stopped_at": row["stopped_at"] if clock is None else clock.stopped_at, "assignee": row["assignee"],
            "team": row["team"], "priority": row["priority"], "channel": row["channel"],
            "policy_id": row["policy_id"], "policy_version": row["policy_version"]}


BREACHES, AT_RISK = "sla-breaches", "sla-at-risk"  # the listings' cursor tags
KEY = (t.due_at, t.case_id, t.target, t.cycle)  # a cursor's key: an instant, then the target's identity


def _breach_key(row: Any) -> tuple[Any, ...]:
    """Where a scanned row sorts: by when it breached (stored), or is due (still counting)."""
    return (row["breached_at"] if row["status"] == "breached" else row["due_at"], row["case_id"], row["target"],
            row["cycle"])


def page_breaches(conn: sa.Connection, now: datetime, where: SlaFilter = SlaFilter(), *,
                  as_of: datetime | None = None, limit: int = 100, cursor: str | None = None) -> Page[dict[str, Any]]:
    """Targets breached by ``as_of`` (default ``now``), latest breach first (then by case id,
    target and cycle, descending), each attributed to whoever held the case when it breached.

    ``limit`` rows are scanned, from after ``cursor``: stored breaches and targets still active
    past due, each query an index range from the cursor's key, merged. A row whose clock as of
    the instant is not breached (measured exactly) is left out, so a page can hold fewer items
    than ``limit``; ``next_cursor`` (after the last row scanned) is None once nothing is left."""
    at = min(as_of or now, now)
    after = decode_key(cursor, BREACHES, KEY) if cursor else None

    def scan(status: str, instant: sa.ColumnElement[Any]) -> list[Any]:
        order = (instant, t.case_id, t.target, t.cycle)
        query = sa.select(sla_targets).where(t.status == status, instant <= at, *where.conditions())
        if after is not None:  # the instant's bound too: the (status, instant) index's range on both databases
            query = query.where(instant <= after[0], after_key(order, after, descending=True))
        return list(conn.execute(query.order_by(*[c.desc() for c in order]).limit(limit + 1)).mappings())

    rows = list(heapq.merge(scan("breached", t.breached_at), scan("active", t.due_at), key=_breach_key,
                            reverse=True))
    chosen = rows[:limit]
    next_cursor = encode_cursor(BREACHES, list(_breach_key(chosen[-1]))) if len(rows) > limit else None
    live = _clocks_at(conn, {r["case_id"] for r in chosen if not _settled(r, at)}, at, _Terms(conn))
    found = []
    for row in chosen:
        if _settled(row, at):
            found.append(_breach(row, None))
        elif (clock := live.get((row["case_id"], row["target"], row["cycle"]))) and clock.status == "breached":
            found.append(_breach(row, clock))
    return Page(found, next_cursor)


def list_breaches(conn: sa.Connection, now: datetime, where: SlaFilter = SlaFilter(), *,
                  as_of: datetime | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """The first page of ``page_breaches``: the latest ``limit`` targets breached by ``as_of``
    (default ``now``), less any whose clock as of the instant is not breached."""
    return page_breaches(conn, now, where, as_of=as_of, limit=limit).items


def _risk(item: dict[str, Any], remaining: float, minutes: int) -> dict[str, Any]:
    return {**item, "remaining_minutes": round(remaining, 2), "used_share": round(1 - remaining / minutes, 4)}


def _counting_at(conn: sa.Connection, at: datetime, where: SlaFilter) -> list[dict[str, Any]]:
    """Targets that could be counting at the past instant ``at``: started by then, not stopped
    or breached by then (an index range each: what was open then, or stopped since)."""
    stable = SlaFilter(target=where.target, channel=where.channel).conditions()
    joined = sla_targets.join(sla_cases, sla_cases.c.case_id == t.case_id)
    columns = [sla_targets, sla_cases.c.last_event_at]
    open_then = sa.or_(t.stopped_at.is_(None), t.stopped_at > at)
    query = sa.select(*columns).select_from(joined).where(
        open_then, t.started_at <= at, sa.or_(t.breached_at.is_(None), t.breached_at > at), *stable)
    return [dict(r) for r in conn.execute(query).mappings()]


def _at_risk_then(conn: sa.Connection, at: datetime, where: SlaFilter) -> list[tuple[dict[str, Any], float, int]]:
    """(item, remaining, minutes) of each target counting at ``at`` and not yet due then."""
    terms, candidates, found = _Terms(conn), _counting_at(conn, at, where), []
    exact = [r for r in candidates if r["last_event_at"] <= at]  # nothing happened to the case since
    held: Holders = {}
    live = _clocks_at(conn, {r["case_id"] for r in candidates if r["last_event_at"] > at}, at, terms, held)
    for row in exact:
        if row["status"] == "active" and row["due_at"] > at:
            found.append((row, terms.basis(row).minutes_between(at, row["due_at"]), row["minutes"]))
    rows = {(r["case_id"], r["target"], r["cycle"]): r for r in candidates}
    for key, clock in live.items():
        row = rows.get(key)
        if row is not None and clock.status == "active" and clock.due_at and clock.due_at > at:
            assignee, team = held[key[0]]
            item = {**row, "due_at": clock.due_at, "priority": clock.priority, "assignee": assignee, "team": team,
                    "policy_id": str(clock.policy_id), "policy_version": clock.policy_version}
            found.append((item, clock.minutes - clock.used, clock.minutes))
    return found


_KIND = (t.policy_id, t.policy_version, t.business_hours, t.minutes)  # targets measured alike
MAX_KINDS = 500  # more kinds than this in one query: read every open target instead of one condition each
_RISK_COLUMNS = (t.case_id, t.target, t.cycle, t.due_at, t.assignee, t.team, t.priority, t.channel, t.policy_id,
                 t.policy_version, t.minutes, t.business_hours)


def _at_risk_now(conn: sa.Connection, at: datetime, where: SlaFilter, share: float | None,
                 minutes_left: float | None) -> list[tuple[dict[str, Any], float, int]]:
    """(item, remaining, minutes) of each target counting now that may be past the threshold.
    Per policy version and target length (a kind), a target due after the instant its allowance
    (plus a minute) runs out cannot be. The kinds of the open targets are read first, and then
    only the targets due before their kind's instant (in SQL): the cost follows the targets
    near their threshold, not every open one. Those are measured exactly."""
    terms, found = _Terms(conn), []
    counting = (t.status == "active", t.due_at > at, *where.conditions())
    kinds = sa.select(*_KIND).where(*counting).distinct()
    bases, near = {}, []
    for kind in conn.execute(kinds).mappings():
        basis = bases[tuple(kind.values())] = terms.basis(kind)
        allowance = minutes_left if minutes_left is not None else (1 - (share or 0)) * kind["minutes"]
        same = sa.and_(*(column == kind[column.name] for column in _KIND))
        try:
            near.append(sa.and_(same, t.due_at < basis.add(at, allowance + 1)))
        except (ValueError, OverflowError):  # beyond what the calendar (or a date) can reach: measure each
            near.append(same)
    if not near:
        return []
    query = sa.select(*_RISK_COLUMNS).where(*counting, sa.or_(*near) if len(near) <= MAX_KINDS else sa.true())
    for row in conn.execute(query).mappings():
        basis = bases.get(tuple(row[column.name] for column in _KIND)) or terms.basis(row)  # new since the kinds
        found.append((dict(row), basis.minutes_between(at, row["due_at"]), row["minutes"]))  # exact
    return found


def list_at_risk(conn: sa.Connection, now: datetime, where: SlaFilter = SlaFilter(), *, share: float | None = None,
                 minutes_left: float | None = None, as_of: datetime | None = None) -> list[dict[str, Any]]:
    """Targets counting at ``as_of`` (default ``now``) and not yet due with at least ``share`` of
    their time used, or at most ``minutes_left`` left (in the target's own minutes: business or
    calendar); soonest due first. Now, the cost follows the open targets; as of a past instant,
    the targets open then (cases that changed since are recomputed as of it)."""
    if (share is None) == (minutes_left is None):
        raise ValueError("give one of share or minutes_left")
    at = min(as_of or now, now)
    if at < now:
        counting = [(item, remaining, minutes) for item, remaining, minutes in _at_risk_then(conn, at, where)
                    if where.accepts(item)]
    else:
        counting = _at_risk_now(conn, at, where, share, minutes_left)
    found = []
    for item, remaining, minutes in counting:
        if (share is not None and 1 - remaining / minutes >= share) or (
                minutes_left is not None and remaining <= minutes_left):
            found.append(_risk({key: item[key] for key in (
                "case_id", "target", "cycle", "due_at", "assignee", "team", "priority", "channel", "policy_id",
                "policy_version")}, remaining, minutes))
    return sorted(found, key=_risk_key)


def _risk_key(item: dict[str, Any]) -> tuple[Any, ...]:
    return item["due_at"], item["case_id"], item["target"], item["cycle"]


def page_at_risk(conn: sa.Connection, now: datetime, where: SlaFilter = SlaFilter(), *, share: float | None = None,
                 minutes_left: float | None = None, as_of: datetime | None = None, limit: int = 100,
                 cursor: str | None = None) -> Page[dict[str, Any]]:
    """``list_at_risk`` a page at a time: ``limit`` items after ``cursor`` (the last item's due
    instant, case id, target and cycle). Every page computes the whole list (business-hour
    clocks are measured in Python) and cuts the page out of it."""
    if cursor:
        decode_key(cursor, AT_RISK, KEY)  # a bad cursor is refused before any clock is measured
    found = list_at_risk(conn, now, where, share=share, minutes_left=minutes_left, as_of=as_of)
    return sorted_page(found, _risk_key, KEY, limit=limit, cursor=cursor, tag=AT_RISK)


def _period(conn: sa.Connection, end: sa.ColumnElement[Any], unit: str) -> sa.ColumnElement[str]:
    """The UTC day (YYYY-MM-DD), week (its Monday) or month (YYYY-MM) of an instant, as text."""
    if conn.dialect.name == "postgresql":
        if unit == "week":
            return sa.func.to_char(sa.func.date_trunc("week", end), "YYYY-MM-DD")
        return sa.func.to_char(end, "YYYY-MM-DD" if unit == "day" else "YYYY-MM")
    if unit == "week":
        return sa.func.date(end, "weekday 0", "-6 days")
    return sa.func.strftime("%Y-%m-%d" if unit == "day" else "%Y-%m", end)


def get_compliance(conn: sa.Connection, since: datetime, until: datetime, group_by: str, now: datetime,
                   where: SlaFilter = SlaFilter(), *, as_of: datetime | None = None) -> list[dict[str, Any]]:
    """Per group: targets decided in [since, until) by ``as_of`` (default ``now``), how many were
    met and the share met. Decided: achieved when it stopped, breached when it breached (an
    active target at its due instant); per agent and team, by whoever held the case then.
    Groups: ``GROUPS``, or the ``PERIODS`` of the decision. A resolution reopened after
    ``as_of`` counts by its latest decision."""
    at = min(as_of or now, now)
    end = sa.case((t.status == "active", t.due_at), else_=t.decided_at)
    column = _period(conn, end, group_by) if group_by in PERIODS else sla_targets.c[GROUPS[group_by]]
    query = sa.select(column.label("group"), t.status, sa.func.count().label("n")).where(
        sa.or_(sa.and_(t.decided_at.is_not(None), t.status.in_(("achieved", "breached"))),
               sa.and_(t.status == "active", t.due_at.is_not(None))),
        end >= since, end < until, end <= at, *where.conditions(),
    ).group_by(column, t.status)
    groups: dict[Any, dict[str, int]] = {}
    for row in conn.execute(query):
        counts = groups.setdefault(row.group, {"met": 0, "breached": 0})
        counts["met" if row.status == "achieved" else "breached"] += row.n
    return [{"group": group, "met": c["met"], "breached": c["breached"], "decided": c["met"] + c["breached"],
             "share_met": round(c["met"] / (c["met"] + c["breached"]), 4)}
            for group, c in sorted(groups.items(), key=lambda item: (item[0] is None, str(item[0])))]


def get_case_sla(conn: sa.Connection, case_id: str | UUID, now: datetime) -> list[dict[str, Any]]:
    """The case's targets as of ``now``: an active one past due shows as breached (at its due instant)."""
    query = sa.select(sla_targets).where(t.case_id == str(case_id), t.status != DROPPED) \
        .order_by(t.started_at, t.target, t.cycle)
    found = []
    for row in conn.execute(query).mappings():
        overdue = row["status"] == "active" and row["due_at"] <= now
        found.append({"target": row["target"], "cycle": row["cycle"],
                      "status": "breached" if overdue else row["status"], "due_at": row["due_at"],
                      "breached_at": row["due_at"] if overdue else row["breached_at"]})
    return found
