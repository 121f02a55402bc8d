"""What the public pages read: a customer by email, and the places taken in callback slots."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from uuid import UUID

import sqlalchemy as sa

from projections.queries.customers import survivor_of
from projections.views.customer360 import customer_emails, customers
from projections.views.promises import promises

IN_BATCH = 500  # addresses per query: well under every database's limit of bound parameters


def find_customer_by_email(conn: sa.Connection, email: str) -> UUID | None:
    """The customer with this email address (any of theirs), the oldest if several (a live one
    before a merged one); a merged customer's survivor, followed through every later merge."""
    return find_customers_by_email(conn, [email]).get(email.strip().lower())


def find_customers_by_email(conn: sa.Connection, emails: Iterable[str]) -> dict[str, UUID]:
    """``find_customer_by_email`` for many addresses at once (an import): {address, lower-case: customer}."""
    wanted = sorted({email.strip().lower() for email in emails})
    found: dict[str, UUID] = {}
    for start in range(0, len(wanted), IN_BATCH):
        rows = conn.execute(
            sa.select(customers.c.id, customers.c.merged_into, customer_emails.c.email)
            .join(customers, customers.c.id == customer_emails.c.customer_id)
            .where(customer_emails.c.email.in_(wanted[start:start + IN_BATCH]))
            .order_by(customer_emails.c.email, customers.c.merged_into.is_not(None), customers.c.registered_at,
                      customers.c.id))
        for row in rows:
            if row.email not in found:  # the first of its address, in the order above
                found[row.email] = UUID(survivor_of(conn, row.id, row.merged_into))
    return found


def _open_callbacks(start: datetime, end: datetime) -> sa.Select[tuple[str, datetime]]:
    return sa.select(promises.c.id, promises.c.due_at).where(
        promises.c.status == "open", promises.c.kind == "callback",
        promises.c.due_at >= start, promises.c.due_at < end)


def taken_places(conn: sa.Connection, starts: Sequence[datetime], minutes: int) -> dict[datetime, int]:
    """Open callback promises per slot (a slot holds the promises due in [start, start + minutes))."""
    if not starts:
        return {}
    length = timedelta(minutes=minutes)
    rows = conn.execute(_open_callbacks(min(starts), max(starts) + length)).all()
    return {start: sum(1 for r in rows if start <= r.due_at < start + length) for start in starts}


def held_places(conn: sa.Connection, starts_at: datetime, minutes: int, booked: Sequence[UUID]) -> int:
    """Places taken in one slot: its open callback promises, plus the promises booked into it
    that the read model has not seen yet (so a lagging read model never frees a place)."""
    due = {r.id for r in conn.execute(_open_callbacks(starts_at, starts_at + timedelta(minutes=minutes)))}
    ids = [str(b) for b in booked]
    seen = {r.id for r in conn.execute(sa.select(promises.c.id).where(promises.c.id.in_(ids)))} if ids else set()
    return len(due) + sum(1 for i in ids if i not in seen)
