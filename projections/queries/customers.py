"""Customer 360 queries: the summary, the timeline, lists and churn candidates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from domain.customers.model import MAX_MERGE_DEPTH
from domain.values import digits_of
from projections.queries.paging import Page, Sorting
from projections.queries.records import DEAL_SORTS, merged_ids, of_customer
from projections.queries.service import PROMISE_SORTS, list_cases
from projections.views.customer360 import (
    NAME_KEY,
    PHONE_DIGITS,
    customer_emails,
    customer_refs,
    customer_timeline,
    customers,
)
from projections.views.deals import deals
from projections.views.directory import pipeline_stages
from projections.views.promises import promises

LIST_LIMIT = 50  # records per list in the 360 view
MAX_MATCHES = 100  # customers one email, phone or external_ref lookup may find
QUIET_SINCE = sa.func.coalesce(customers.c.last_contact_at, customers.c.registered_at).label("quiet_since")
CUSTOMER_SORTS = Sorting("customers", {
    "name": (NAME_KEY, customers.c.id), "registered_at": (customers.c.registered_at, customers.c.id),
    "last_contact_at": (customers.c.last_contact_at, customers.c.id),
    "won_value": (customers.c.won_value, customers.c.id),
}, default="name")
# Sorted in memory: churn candidates are few (past buyers, quiet), so no index per key.
CHURN_SORTS = Sorting("churn-candidates", {
    "quiet_since": (QUIET_SINCE, customers.c.id), "name": (NAME_KEY, customers.c.id),
    "won_value": (customers.c.won_value, customers.c.id),
}, default="quiet_since")
TIMELINE_SORTS = Sorting("timeline", {
    "occurred_at": (customer_timeline.c.occurred_at, customer_timeline.c.position),
    "position": (customer_timeline.c.position,),
}, default="occurred_at")


def _summary(row: dict[str, Any], stages: list[str]) -> dict[str, Any]:
    by_stage = row["deals_by_stage"] or {}
    open_stages = [s for s in stages if by_stage.get(s)]
    return {
        **row,
        "csat_average": round(row["csat_sum"] / row["csat_count"], 2) if row["csat_count"] else None,
        "deals_open": sum(by_stage.get(s, 0) for s in stages),
        "deals_won": by_stage.get("Won", 0),
        "deals_lost": by_stage.get("Lost", 0),
        # The furthest stage any open deal reached; else the outcome of past deals.
        "funnel_stage": open_stages[-1] if open_stages else ("Won" if by_stage.get("Won") else
                                                             "Lost" if by_stage.get("Lost") else None),
    }


def get_customer(conn: sa.Connection, customer_id: str) -> dict[str, Any] | None:
    """The 360 summary of one customer, or None."""
    row = conn.execute(sa.select(customers).where(customers.c.id == customer_id)).mappings().first()
    return _summary(dict(row), pipeline_stages(conn)) if row else None


def get_customer_360(
    conn: sa.Connection, customer_id: str, *, timeline_limit: int = 50, list_limit: int = LIST_LIMIT,
) -> dict[str, Any] | None:
    """Everything an agent taking over needs: summary, the oldest open cases, the next open promises,
    the newest deals and the latest timeline, at most ``list_limit`` of each (the summary counts
    them all; the list endpoints page through the rest), so a big customer costs what a small one does."""
    summary = get_customer(conn, customer_id)
    if summary is None:
        return None
    open_promises = sa.select(promises).where(of_customer(conn, promises.c.customer_id, customer_id),
                                              promises.c.status == "open")
    customer_deals = sa.select(deals).where(of_customer(conn, deals.c.customer_id, customer_id))
    return {
        "customer": summary,
        "open_cases": list_cases(conn, customer_id=customer_id, status="active", limit=list_limit).items,
        "open_promises": PROMISE_SORTS.page(conn, open_promises, sort=None, limit=list_limit, cursor=None).items,
        "deals": DEAL_SORTS.page(conn, customer_deals, sort="-opened_at", limit=list_limit, cursor=None).items,
        "timeline": get_timeline(conn, customer_id, limit=timeline_limit, sort="-occurred_at").items,
    }


def get_timeline(
    conn: sa.Connection, customer_id: str, *, limit: int = 100, cursor: str | None = None, sort: str | None = None,
    since: datetime | None = None, until: datetime | None = None, channel: str | None = None,
    types: Sequence[str] = (), case_id: str | None = None,
) -> Page[dict[str, Any]]:
    """Every event about the customer, by default in business-time order (log position breaks ties);
    only those in [since, until), on ``channel``, of ``types`` (``Case.Opened``...), part of the
    case ``case_id`` (its conversation: the case's events, its touchpoints, promises made on it)
    when given."""
    t = customer_timeline.c
    ids = merged_ids(conn, customer_id)  # a merge leaves each line with the customer it was about
    query, among = sa.select(customer_timeline), None
    if len(ids) == 1:
        query = query.where(t.customer_id == customer_id)
    else:  # one index range per customer, merged in order
        among = (t.customer_id, ids)
    if case_id is not None:
        query = query.where(t.case_id == case_id)
    if since is not None:
        query = query.where(t.occurred_at >= since)
    if until is not None:
        query = query.where(t.occurred_at < until)
    if channel:
        query = query.where(t.channel == channel)
    if types:
        query = query.where(t.event_type.in_(types))
    return TIMELINE_SORTS.page(conn, query, sort=sort, limit=limit, cursor=cursor, among=among)


def survivor_of(conn: sa.Connection, customer_id: str, merged_into: str | None) -> str:
    """The customer a record is now: itself, or the one it was merged into (followed)."""
    for _ in range(MAX_MERGE_DEPTH):
        if merged_into is None:
            break
        customer_id = merged_into
        merged_into = conn.execute(sa.select(customers.c.merged_into).where(customers.c.id == customer_id)).scalar()
    return customer_id


def list_customers(
    conn: sa.Connection, *, search: str | None = None, sector: str | None = None, email: str | None = None,
    phone: str | None = None, external_ref: str | None = None, limit: int = 100, cursor: str | None = None,
    sort: str | None = None,
) -> Page[dict[str, Any]]:
    """Customers, by name unless ``sort`` says otherwise (``CUSTOMER_SORTS``). ``email``, ``phone``
    (its digits) and ``external_ref`` find the customer an integrator knows by them (any of their
    addresses and ids; the summary's phone; each indexed)."""
    query = sa.select(customers)
    lookups = []
    if email:  # any of their addresses, stored lower-case
        lookups.append(customers.c.id.in_(sa.select(customer_emails.c.customer_id)
                                          .where(customer_emails.c.email == email.strip().lower())))
    if phone:
        lookups.append(PHONE_DIGITS == digits_of(phone))
    if external_ref:  # registered with it, or linked to it since
        lookups.append(customers.c.id.in_(sa.select(customer_refs.c.customer_id)
                                          .where(customer_refs.c.external_ref == external_ref)))
    if lookups:  # a record merged away answers as the customer it was merged into
        matched = conn.execute(sa.select(customers.c.id, customers.c.merged_into)
                               .where(*lookups).limit(MAX_MATCHES)).all()
        query = query.where(customers.c.id.in_({survivor_of(conn, r.id, r.merged_into) for r in matched}))
    if search:
        term = search.lower()  # typed text, not a pattern: "_" and "%" match themselves
        query = query.where(sa.or_(sa.func.lower(customers.c.name).contains(term, autoescape=True),
                                   customers.c.email.contains(term, autoescape=True)))
    if sector:
        query = query.where(customers.c.sector == sector)
    page = CUSTOMER_SORTS.page(conn, query, sort=sort, limit=limit, cursor=cursor)
    stages = pipeline_stages(conn)
    page.items = [_summary(r, stages) for r in page.items]
    return page


def list_churn_candidates(
    conn: sa.Connection, *, now: datetime, quiet_days: int = 90, limit: int = 100, cursor: str | None = None,
    sort: str | None = None,
) -> Page[dict[str, Any]]:
    """Customers who bought before (won value > 0) and have not been in contact (touchpoints,
    cases, deals) for ``quiet_days``; the longest quiet first unless ``sort`` says otherwise."""
    cutoff = now - timedelta(days=quiet_days)
    # "Not merged" is spelled so no index serves it: SQLite, without statistics, would otherwise walk
    # every unmerged customer by the merged_into index instead of the few buyers by won_value's.
    query = (sa.select(customers, QUIET_SINCE)
             .where(customers.c.won_value > 0, sa.func.coalesce(customers.c.merged_into, "") == "",
                    QUIET_SINCE < cutoff))
    page = CHURN_SORTS.page(conn, query, sort=sort, limit=limit, cursor=cursor)
    stages = pipeline_stages(conn)
    page.items = [{**_summary(r, stages), "quiet_days": (now - r["quiet_since"]).days} for r in page.items]
    return page
