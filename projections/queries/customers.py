"""Customer 360 queries: the summary, the timeline, lists and churn candidates."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from projections.queries.paging import Page, keyset_page
from projections.views.cases import cases
from projections.views.customer360 import customer_timeline, customers
from projections.views.deals import deals
from projections.views.directory import pipeline_stages
from projections.views.promises import promises


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


def get_customer_360(conn: sa.Connection, customer_id: str, *, timeline_limit: int = 50) -> dict[str, Any] | None:
    """Everything an agent taking over needs: summary, open cases, open promises, deals, latest timeline."""
    summary = get_customer(conn, customer_id)
    if summary is None:
        return None
    open_cases = conn.execute(sa.select(cases).where(cases.c.customer_id == customer_id,
                                                     cases.c.status.in_(("new", "open", "pending")))
                              .order_by(cases.c.opened_at)).mappings().all()
    open_promises = conn.execute(sa.select(promises).where(promises.c.customer_id == customer_id,
                                                           promises.c.status == "open")
                                 .order_by(promises.c.due_at)).mappings().all()
    customer_deals = conn.execute(sa.select(deals).where(deals.c.customer_id == customer_id)
                                  .order_by(deals.c.opened_at.desc())).mappings().all()
    return {
        "customer": summary,
        "open_cases": [dict(r) for r in open_cases],
        "open_promises": [dict(r) for r in open_promises],
        "deals": [dict(r) for r in customer_deals],
        "timeline": get_timeline(conn, customer_id, limit=timeline_limit, newest_first=True).items,
    }


def get_timeline(
    conn: sa.Connection, customer_id: str, *, limit: int = 100, cursor: str | None = None, newest_first: bool = False,
) -> Page[dict[str, Any]]:
    """Every event about the customer in business-time order (log position breaks ties)."""
    query = sa.select(customer_timeline).where(customer_timeline.c.customer_id == customer_id)
    order = [customer_timeline.c.occurred_at, customer_timeline.c.position]
    return keyset_page(conn, query, order, limit=limit, cursor=cursor, descending=newest_first)


def list_customers(
    conn: sa.Connection, *, search: str | None = None, sector: str | None = None, limit: int = 100,
    cursor: str | None = None,
) -> Page[dict[str, Any]]:
    query = sa.select(customers)
    if search:
        like = f"%{search.lower()}%"
        query = query.where(sa.or_(sa.func.lower(customers.c.name).like(like), customers.c.email.like(like)))
    if sector:
        query = query.where(customers.c.sector == sector)
    page = keyset_page(conn, query, [customers.c.name, customers.c.id], limit=limit, cursor=cursor)
    stages = pipeline_stages(conn)
    page.items = [_summary(r, stages) for r in page.items]
    return page


def list_churn_candidates(
    conn: sa.Connection, *, now: datetime, quiet_days: int = 90, limit: int = 100, cursor: str | None = None,
) -> Page[dict[str, Any]]:
    """Customers who bought before (won value > 0) and have not been in contact (touchpoints,
    cases, deals) for ``quiet_days``."""
    cutoff = now - timedelta(days=quiet_days)
    last = sa.func.coalesce(customers.c.last_contact_at, customers.c.registered_at)
    query = (sa.select(customers, last.label("quiet_since"))
             .where(customers.c.won_value > 0, customers.c.merged_into.is_(None), last < cutoff))
    page = keyset_page(conn, query, [customers.c.id], limit=limit, cursor=cursor)
    stages = pipeline_stages(conn)
    page.items = [{**_summary(r, stages), "quiet_days": (now - r["quiet_since"]).days} for r in page.items]
    return page
