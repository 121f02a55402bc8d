"""The admin dashboard's figures in one read: the funnel as of a date, and the service figures
of a period that ends at that date, plus what is due now.

Every figure reuses the query that defines it (funnel, SLA, contact rates, workload); only the
counts no other query gives (breaches, overdue promises, CSAT) are defined here, each next to
the query it counts for.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from projections.queries.forecast import get_forecast
from projections.queries.funnel import DealFilter, get_funnel
from projections.queries.service import get_agent_workload, get_contact_rates
from projections.queries.sla import list_at_risk
from projections.queries.staff import staff_names
from projections.views.cases import cases
from projections.views.directory import users
from projections.views.promises import promises
from projections.views.sla import sla_targets

AT_RISK_SHARE = 0.75  # the API's default: a target with three quarters of its time used


def count_breaches(conn: sa.Connection, *, since: datetime | None, until: datetime) -> int:
    """Targets that breached in [since, until]: the rows ``list_breaches`` lists (a stored
    breach, or a target still counting past its due instant), counted instead of listed."""
    t = sla_targets.c
    stored = sa.and_(t.status == "breached", t.breached_at <= until)
    overdue = sa.and_(t.status == "active", t.due_at <= until)
    if since is not None:
        stored = sa.and_(stored, t.breached_at >= since)
        overdue = sa.and_(overdue, t.due_at >= since)
    return conn.execute(sa.select(sa.func.count()).select_from(sla_targets).where(sa.or_(stored, overdue))).scalar() or 0


def count_overdue_promises(conn: sa.Connection, *, now: datetime) -> int:
    """Open promises past their due time (``list_promises(status="overdue")``, counted)."""
    query = sa.select(sa.func.count()).select_from(promises).where(promises.c.status == "open", promises.c.due_at < now)
    return conn.execute(query).scalar() or 0


def get_csat(conn: sa.Connection, *, since: datetime | None, until: datetime) -> dict[str, Any]:
    """Average satisfaction (1-5) of the rated cases opened in [since, until]."""
    query = sa.select(sa.func.count(cases.c.satisfaction), sa.func.sum(cases.c.satisfaction)).where(
        cases.c.satisfaction.is_not(None), cases.c.opened_at <= until)
    if since is not None:
        query = query.where(cases.c.opened_at >= since)
    ratings, total = conn.execute(query).one()
    return {"ratings": ratings or 0, "average": round(int(total) / ratings, 2) if ratings else None}


def owner_teams(conn: sa.Connection, refs: Iterable[str]) -> dict[str, str | None]:
    """The team of each owner reference (``user:<id>`` or ``user:<email>``) found in the users read model."""
    keys = {ref: ref.removeprefix("user:") for ref in refs}
    found = conn.execute(sa.select(users.c.id, users.c.email, users.c.team).where(
        sa.or_(users.c.id.in_(sorted(set(keys.values()))), users.c.email.in_(sorted(set(keys.values()))))))
    teams = {key: row.team for row in found for key in (row.id, row.email)}
    return {ref: teams.get(key) for ref, key in keys.items()}


def _rate(kept: int, due: int) -> float | None:
    return round(kept / due, 4) if due else None


def get_promise_keeping(conn: sa.Connection, *, since: datetime | None, until: datetime) -> dict[str, Any]:
    """Promises kept on time / promises due, in all, per owner and per team (the owner's team now),
    over [since, until]. A promise (not cancelled) counts when it came due: when kept, if kept
    before its due time, else at its due time (kept late or not at all: due, not kept on time).
    Over everything up to now this is the workload's ``promise_keeping_rate`` per agent."""
    p = promises.c
    came_due = sa.case((sa.and_(p.kept_at.is_not(None), p.kept_at < p.due_at), p.kept_at), else_=p.due_at)
    on_time = sa.case((p.kept_on_time.is_(True), 1), else_=0)
    # The owner spelled so no index serves the grouping: SQLite would walk all promises by the owner
    # index instead of the period's by due_at's.
    owner = sa.func.coalesce(p.owner, "")
    query = sa.select(owner, sa.func.count(), sa.func.sum(on_time)).where(
        p.status != "cancelled", sa.or_(p.due_at <= until, p.kept_at <= until), came_due <= until)
    if since is not None:  # came_due <= due_at, so due_at >= since too: the (due_at, id) index bounds the scan
        query = query.where(came_due >= since, p.due_at >= since)
    owners = {owner: (int(due), int(kept or 0)) for owner, due, kept in conn.execute(query.group_by(owner))}
    teams: dict[str | None, list[int]] = {}
    team_of = owner_teams(conn, owners)
    for owner, (due, kept) in owners.items():
        counts = teams.setdefault(team_of.get(owner), [0, 0])
        counts[0] += due
        counts[1] += kept
    due_all, kept_all = sum(d for d, _ in owners.values()), sum(k for _, k in owners.values())
    return {
        "due": due_all, "kept_on_time": kept_all, "rate": _rate(kept_all, due_all),
        "agents": sorted(({"agent": o, "due": d, "kept_on_time": k, "rate": _rate(k, d)} for o, (d, k) in owners.items()),
                         key=lambda r: (-r["due"], r["agent"])),
        "teams": sorted(({"team": t, "due": d, "kept_on_time": k, "rate": _rate(k, d)} for t, (d, k) in teams.items()),
                        key=lambda r: (-r["due"], r["team"] or "")),
    }


def get_contact_rates_between(conn: sa.Connection, *, since: datetime | None, until: datetime) -> dict[str, Any]:
    """``get_contact_rates`` over [since, until): its counts are additive over time, so the
    counts from ``until`` on are taken away (one definition of the rates, in ``service``)."""
    upto = get_contact_rates(conn, since=since)
    after = get_contact_rates(conn, since=until)
    counts = {k: upto[k] - after[k] for k in ("inbound_contacts", "repeat_contacts", "resolved_cases",
                                              "resolved_first_contact")}
    return {
        **counts,
        "repeat_contact_rate": round(counts["repeat_contacts"] / counts["inbound_contacts"], 4)
        if counts["inbound_contacts"] else None,
        "first_contact_resolution_rate": round(counts["resolved_first_contact"] / counts["resolved_cases"], 4)
        if counts["resolved_cases"] else None,
    }


def get_dashboard(conn: sa.Connection, *, now: datetime, as_of: datetime | None = None,
                  since: datetime | None = None, day: date | None = None) -> dict[str, Any]:
    """The dashboard: the funnel of deals opened since ``since`` and the weighted forecast of every
    open deal, as of ``as_of`` (default now);
    breaches, contact rates and CSAT of the period [since, as_of]; at-risk targets, overdue
    promises and agent workload now (they describe work to do, which only exists now)."""
    at = min(as_of or now, now)
    funnel = get_funnel(conn, as_of=at, where=DealFilter(opened_since=since))
    workload = get_agent_workload(conn, now=now)
    keeping = get_promise_keeping(conn, since=since, until=at)
    return {
        "now": now, "as_of": at, "since": since,
        "funnel": funnel,
        "forecast": get_forecast(conn, as_of=at, day=day),  # day: the viewer's, for the slipped close dates
        "win_rate": funnel["win_rate"],
        "won_value": funnel["won_value"],
        "sla_breaches": count_breaches(conn, since=since, until=at),
        "sla_at_risk": len(list_at_risk(conn, now, share=AT_RISK_SHARE)),
        "overdue_promises": count_overdue_promises(conn, now=now),
        "contacts": get_contact_rates_between(conn, since=since, until=at),
        "csat": get_csat(conn, since=since, until=at),
        "promise_keeping": keeping,
        "workload": workload,
        "agent_names": staff_names(conn, [row["agent"] for row in [*workload, *keeping["agents"]]]),
    }
