"""Service queries: repeat contacts, first-contact resolution, promises, cases, agent workload."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from projections.queries.paging import Page, Sorting
from projections.queries.records import is_overdue, of_customer
from projections.views.cases import (
    ACTIVE,
    RESOLVED,
    assignee_cases,
    cases,
    resolved_days,
)
from projections.views.periods import DAY_SECONDS, day_of, spans_from
from projections.views.promises import owner_promises, promises
from projections.views.touchpoints import (
    MAX_GAP_DAYS,
    inbound_days,
    touchpoints,
    within_nodes,
)

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


def _period(since: datetime | None) -> tuple[int | None, tuple[datetime, datetime] | None]:
    """``since`` as whole UTC days from the counts (the first one; None: all days) and the part
    of its own day from ``since`` on, read from the rows (None when ``since`` is a midnight)."""
    if since is None:
        return None, None
    if since.tzinfo is None:
        raise ValueError("since must be an aware datetime")
    first = day_of(since)
    midnight = datetime.fromtimestamp(first * DAY_SECONDS, UTC)
    if since == midnight:
        return first, None
    return first + 1, (since, midnight + timedelta(days=1))


def _counts(conn: sa.Connection, query: sa.Select[Any]) -> tuple[int, ...]:
    return tuple(int(n or 0) for n in conn.execute(query).one())


def _summed(conn: sa.Connection, table: sa.Table, sums: list[sa.ColumnElement[Any]], first_day: int | None,
            *where: sa.ColumnElement[bool]) -> tuple[int, ...]:
    """``sums`` over the count rows of ``table`` covering every day from ``first_day`` on: one
    index range per unit (``spans_from``), added up in one statement."""
    c, parts = table.c, []
    for unit, start, end in spans_from(first_day):
        bounds = [c.day >= start] if start is not None else []
        if end is not None:
            bounds.append(c.day < end)
        parts.append(sa.select(*(total.label(f"n{i}") for i, total in enumerate(sums))).where(
            *where, c.unit == unit, *bounds))
    union = sa.union_all(*parts).subquery()
    return _counts(conn, sa.select(*(sa.func.sum(column) for column in union.c)))


def get_contact_rates(conn: sa.Connection, *, since: datetime | None = None, within_days: int = 7) -> dict[str, Any]:
    """Repeat-contact rate (repeats / inbound contacts) and first-contact resolution
    (resolved cases the customer contacted us about once and never reopened / resolved cases),
    of the contacts and cases since ``since``: from the counts the projections keep per day,
    month and year, and the rows of ``since``'s own day after it (one day's rows at most, read
    from an index alone), whatever the history."""
    if not 1 <= within_days < MAX_GAP_DAYS:
        raise ValueError(f"within_days must be 1..{MAX_GAP_DAYS - 1}")
    first_day, partial = _period(since)
    d, r = inbound_days.c, resolved_days.c
    total, repeats = _summed(conn, inbound_days, [sa.func.sum(sa.case((d.node == 0, d.contacts), else_=0)),
                                                  sa.func.sum(sa.case((d.node != 0, d.contacts), else_=0))],
                             first_day, d.node.in_([0, *within_nodes(within_days)]))
    resolved_count, first_contact = _summed(conn, resolved_days, [sa.func.sum(r.resolved), sa.func.sum(r.first_contact)],
                                            first_day)
    if partial:
        t, c = touchpoints.c, cases.c
        total_part, repeats_part = _counts(conn, sa.select(
            sa.func.count(), sa.func.sum(sa.case((t.repeat_gap_seconds <= within_days * DAY_SECONDS, 1), else_=0))
        ).where(t.occurred_at >= partial[0], t.occurred_at < partial[1], t.direction == "inbound",
                t.retracted.is_(False)))
        resolved_part, first_part = _counts(conn, sa.select(
            sa.func.count(), sa.func.sum(sa.case((sa.and_(c.customer_contacts == 1, c.reopened == 0), 1), else_=0))
        ).where(c.opened_at >= partial[0], c.opened_at < partial[1], c.status.in_(RESOLVED)))
        total, repeats = total + total_part, repeats + repeats_part
        resolved_count, first_contact = resolved_count + resolved_part, first_contact + first_part
    return {
        "inbound_contacts": total, "repeat_contacts": repeats,
        "repeat_contact_rate": round(repeats / total, 4) if total else None,
        "resolved_cases": resolved_count, "resolved_first_contact": first_contact,
        "first_contact_resolution_rate": round(first_contact / resolved_count, 4) if resolved_count else None,
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
        query = query.where(of_customer(conn, promises.c.customer_id, customer_id))
    page = PROMISE_SORTS.page(conn, query, sort=sort, limit=limit, cursor=cursor)
    for item in page.items:
        item["overdue"] = is_overdue(item, now)
    return page


def list_cases(
    conn: sa.Connection, *, status: str | None = None, assignee: str | None = None, team: str | None = None,
    customer_id: str | None = None, unassigned: bool = False, limit: int = 100, cursor: str | None = None,
    sort: str | None = None,
) -> Page[dict[str, Any]]:
    """Cases, by opening time unless ``sort`` says otherwise."""
    query, among = sa.select(cases), None
    if status == "active":  # one index range per status, merged (IN would sort every active case)
        among = (cases.c.status, ACTIVE)
    elif status:
        query = query.where(cases.c.status == status)
    if assignee:
        query = query.where(cases.c.assignee == assignee)
    if unassigned:
        query = query.where(cases.c.assignee.is_(None))
    if team:
        query = query.where(cases.c.team == team)
    if customer_id:
        query = query.where(of_customer(conn, cases.c.customer_id, customer_id))
    return CASE_SORTS.page(conn, query, sort=sort, limit=limit, cursor=cursor, among=among)


def get_case_by_code(conn: sa.Connection, tracking_code: str) -> dict[str, Any] | None:
    code = tracking_code.strip().upper()
    row = conn.execute(sa.select(cases).where(cases.c.tracking_code == code)).mappings().first()
    return dict(row) if row else None


def get_agent_workload(conn: sa.Connection, *, now: datetime) -> list[dict[str, Any]]:
    """Per agent: active cases, open promises, overdue promises, and the promise-keeping rate
    (kept on time / due: kept, or open past due). From the counts the projections keep per agent,
    and the open promises not yet due at ``now`` (overdue = open - those): an index range over
    the window ahead of now, where the overdue ones are a backlog that can pile up."""
    work: dict[str, dict[str, Any]] = {}

    def agent(name: str) -> dict[str, Any]:
        return work.setdefault(name, {"agent": name, "active_cases": 0, "open_promises": 0, "overdue_promises": 0,
                                      "promises_due": 0, "kept_on_time": 0})

    for assignee, active in conn.execute(sa.select(assignee_cases.c.assignee, assignee_cases.c.active)):
        agent(assignee)["active_cases"] = active
    p, o = promises.c, owner_promises.c
    ahead: dict[str, int] = {owner: n for owner, n in conn.execute(
        sa.select(p.owner, sa.func.count()).where(p.status == "open", p.due_at >= now).group_by(p.owner))}
    for owner, n_open, n_kept, n_on_time in conn.execute(sa.select(o.owner, o.open, o.kept, o.kept_on_time)):
        overdue = n_open - ahead.get(owner, 0)
        agent(owner).update(open_promises=n_open, overdue_promises=overdue, promises_due=n_kept + overdue,
                            kept_on_time=n_on_time)
    for row in work.values():
        due = row["promises_due"]
        row["promise_keeping_rate"] = round(row["kept_on_time"] / due, 4) if due else None
    return sorted(work.values(), key=lambda r: (-r["active_cases"], r["agent"]))
