"""Service queries: repeat contacts, first-contact resolution, promises, cases, agent workload."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from projections.queries.paging import Page, Sorting
from projections.views.cases import cases
from projections.views.promises import promises
from projections.views.touchpoints import touchpoints

OPEN_CASE = ("new", "open", "pending")
REPEAT_SORTS = Sorting("repeat-contacts", {
    "occurred_at": (touchpoints.c.occurred_at, touchpoints.c.id),
}, default="-occurred_at")
PROMISE_SORTS = Sorting("promises", {
    "due_at": (promises.c.due_at, promises.c.id), "made_at": (promises.c.made_at, promises.c.id),
}, default="due_at")
CASE_SORTS = Sorting("cases", {
    "opened_at": (cases.c.opened_at, cases.c.id), "resolved_at": (cases.c.resolved_at, cases.c.id),
}, default="opened_at")


def _repeats(within_days: int, since: datetime | None) -> sa.Select[Any]:
    query = sa.select(touchpoints).where(touchpoints.c.direction == "inbound", touchpoints.c.retracted.is_(False),
                                         touchpoints.c.repeat_gap_seconds <= within_days * 86400)
    if since:
        query = query.where(touchpoints.c.occurred_at >= since)
    return query


def list_repeat_contacts(
    conn: sa.Connection, *, within_days: int = 7, since: datetime | None = None, limit: int = 100,
    cursor: str | None = None, sort: str | None = None,
) -> Page[dict[str, Any]]:
    """Inbound contacts that repeat an earlier inbound contact of the same customer, about the same
    case or the same topic, within ``within_days``: the "called four times" signal. Newest first
    unless ``sort`` says otherwise."""
    return REPEAT_SORTS.page(conn, _repeats(within_days, since), sort=sort, limit=limit, cursor=cursor)


def get_contact_rates(conn: sa.Connection, *, since: datetime | None = None, within_days: int = 7) -> dict[str, Any]:
    """Repeat-contact rate (repeats / inbound contacts) and first-contact resolution
    (resolved cases the customer contacted us about once and never reopened / resolved cases)."""
    inbound = sa.select(sa.func.count()).select_from(touchpoints).where(touchpoints.c.direction == "inbound",
                                                                         touchpoints.c.retracted.is_(False))
    if since:
        inbound = inbound.where(touchpoints.c.occurred_at >= since)
    total = conn.execute(inbound).scalar() or 0
    counted = sa.select(sa.func.count()).select_from(_repeats(within_days, since).subquery())
    repeats = conn.execute(counted).scalar() or 0
    resolved = sa.select(sa.func.count(), sa.func.sum(sa.case((sa.and_(cases.c.customer_contacts == 1,
                                                                         cases.c.reopened == 0), 1), else_=0))
                         ).where(cases.c.status.in_(("resolved", "closed")))
    if since:
        resolved = resolved.where(cases.c.opened_at >= since)
    resolved_count, first_contact = conn.execute(resolved).one()
    return {
        "inbound_contacts": total, "repeat_contacts": repeats,
        "repeat_contact_rate": round(repeats / total, 4) if total else None,
        "resolved_cases": resolved_count or 0, "resolved_first_contact": first_contact or 0,
        "first_contact_resolution_rate": round((first_contact or 0) / resolved_count, 4) if resolved_count else None,
    }


def list_promises(
    conn: sa.Connection, *, now: datetime, status: str | None = None, owner: str | None = None,
    customer_id: str | None = None, limit: int = 100, cursor: str | None = None, sort: str | None = None,
) -> Page[dict[str, Any]]:
    """Promises, by due time unless ``sort`` says otherwise; ``status`` is open, kept, cancelled,
    or overdue (open and past due at ``now``)."""
    query = sa.select(promises)
    if status == "overdue":
        query = query.where(promises.c.status == "open", promises.c.due_at < now)
    elif status:
        query = query.where(promises.c.status == status)
    if owner:
        query = query.where(promises.c.owner == owner)
    if customer_id:
        query = query.where(promises.c.customer_id == customer_id)
    page = PROMISE_SORTS.page(conn, query, sort=sort, limit=limit, cursor=cursor)
    for item in page.items:
        item["overdue"] = item["status"] == "open" and item["due_at"] < now
    return page


def list_cases(
    conn: sa.Connection, *, status: str | None = None, assignee: str | None = None, team: str | None = None,
    customer_id: str | None = None, unassigned: bool = False, limit: int = 100, cursor: str | None = None,
    sort: str | None = None,
) -> Page[dict[str, Any]]:
    """Cases, by opening time unless ``sort`` says otherwise."""
    query, among = sa.select(cases), None
    if status == "active":  # one index range per status, merged (IN would sort every active case)
        among = (cases.c.status, OPEN_CASE)
    elif status:
        query = query.where(cases.c.status == status)
    if assignee:
        query = query.where(cases.c.assignee == assignee)
    if unassigned:
        query = query.where(cases.c.assignee.is_(None))
    if team:
        query = query.where(cases.c.team == team)
    if customer_id:
        query = query.where(cases.c.customer_id == customer_id)
    return CASE_SORTS.page(conn, query, sort=sort, limit=limit, cursor=cursor, among=among)


def get_case_by_code(conn: sa.Connection, tracking_code: str) -> dict[str, Any] | None:
    code = tracking_code.strip().upper()
    row = conn.execute(sa.select(cases).where(cases.c.tracking_code == code)).mappings().first()
    return dict(row) if row else None


def get_agent_workload(conn: sa.Connection, *, now: datetime) -> list[dict[str, Any]]:
    """Per agent: active cases, open promises, overdue promises, and the promise-keeping rate."""
    work: dict[str, dict[str, Any]] = {}

    def agent(name: str) -> dict[str, Any]:
        return work.setdefault(name, {"agent": name, "active_cases": 0, "open_promises": 0, "overdue_promises": 0,
                                      "promises_due": 0, "kept_on_time": 0})

    for assignee, count in conn.execute(sa.select(cases.c.assignee, sa.func.count())
                                        .where(cases.c.status.in_(OPEN_CASE), cases.c.assignee.is_not(None))
                                        .group_by(cases.c.assignee)):
        agent(assignee)["active_cases"] = count
    overdue = sa.case((sa.and_(promises.c.status == "open", promises.c.due_at < now), 1), else_=0)
    is_open = sa.case((promises.c.status == "open", 1), else_=0)
    due = sa.case((sa.or_(promises.c.status == "kept", promises.c.due_at < now), 1), else_=0)
    on_time = sa.case((promises.c.kept_on_time.is_(True), 1), else_=0)
    for owner, n_open, n_overdue, n_due, n_on_time in conn.execute(
            sa.select(promises.c.owner, sa.func.sum(is_open), sa.func.sum(overdue), sa.func.sum(due),
                      sa.func.sum(on_time)).where(promises.c.status != "cancelled").group_by(promises.c.owner)):
        row = agent(owner)
        row.update(open_promises=n_open or 0, overdue_promises=n_overdue or 0, promises_due=n_due or 0,
                   kept_on_time=n_on_time or 0)
    for row in work.values():
        due = row["promises_due"]
        row["promise_keeping_rate"] = round(row["kept_on_time"] / due, 4) if due else None
    return sorted(work.values(), key=lambda r: (-r["active_cases"], r["agent"]))
