"""Single records by id, and the deal list (other lists live in ``customers``/``service``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from domain.customers.model import MAX_MERGE_DEPTH
from domain.deals.model import LOST, WON
from domain.users.model import as_user_ref
from projections.queries.paging import Page, Sorting
from projections.views.cases import cases
from projections.views.customer360 import customers
from projections.views.deals import deals
from projections.views.promises import promises
from projections.views.touchpoints import touchpoints

DEAL_SORTS = Sorting("deals", {
    "opened_at": (deals.c.opened_at, deals.c.id), "value": (deals.c.value, deals.c.id),
    "closed_at": (deals.c.closed_at, deals.c.id),
}, default="opened_at")


def merged_ids(conn: sa.Connection, customer_id: str) -> list[str]:
    """``customer_id`` and every customer merged into it, directly or through other merges: a merge
    leaves each record with the customer it was about, and the survivor's reads gather them."""
    found, frontier = [customer_id], [customer_id]
    for _ in range(MAX_MERGE_DEPTH):
        frontier = list(conn.execute(sa.select(customers.c.id).where(customers.c.merged_into.in_(frontier))
                                     .order_by(customers.c.id)).scalars())
        if not frontier:
            break
        found += frontier
    return found


def of_customer(conn: sa.Connection, column: sa.ColumnElement[Any], customer_id: str) -> sa.ColumnElement[bool]:
    """Rows of the customer ``customer_id`` and of everyone merged into them."""
    ids = merged_ids(conn, customer_id)
    return column == ids[0] if len(ids) == 1 else column.in_(ids)


def _row(conn: sa.Connection, table: sa.Table, record_id: str) -> dict[str, Any] | None:
    row = conn.execute(sa.select(table).where(table.c.id == record_id)).mappings().first()
    return dict(row) if row else None


def get_case(conn: sa.Connection, case_id: str) -> dict[str, Any] | None:
    return _row(conn, cases, case_id)


def get_touchpoint(conn: sa.Connection, touchpoint_id: str) -> dict[str, Any] | None:
    return _row(conn, touchpoints, touchpoint_id)


def is_overdue(promise: Mapping[str, Any], now: datetime) -> bool:
    """Open and past its due time at ``now``: the ``overdue`` of every promise read."""
    return bool(promise["status"] == "open" and promise["due_at"] < now)


def get_promise(conn: sa.Connection, promise_id: str, *, now: datetime) -> dict[str, Any] | None:
    found = _row(conn, promises, promise_id)
    if found is not None:
        found["overdue"] = is_overdue(found, now)
    return found


def get_deal(conn: sa.Connection, deal_id: str) -> dict[str, Any] | None:
    return _row(conn, deals, deal_id)


def list_deals(
    conn: sa.Connection, *, stage: str | None = None, status: str | None = None, owner: str | None = None,
    customer_id: str | None = None, limit: int = 100, cursor: str | None = None, sort: str | None = None,
) -> Page[dict[str, Any]]:
    """Deals, by opening time unless ``sort`` says otherwise; ``status`` is open (any pipeline stage), won or lost."""
    query = sa.select(deals)
    if stage:
        query = query.where(deals.c.stage == stage)
    if status == "open":
        query = query.where(deals.c.stage.not_in((WON, LOST)))
    elif status in ("won", "lost"):
        query = query.where(deals.c.stage == (WON if status == "won" else LOST))
    if owner:
        query = query.where(deals.c.owner == as_user_ref(owner))
    if customer_id:
        query = query.where(of_customer(conn, deals.c.customer_id, customer_id))
    return DEAL_SORTS.page(conn, query, sort=sort, limit=limit, cursor=cursor)
