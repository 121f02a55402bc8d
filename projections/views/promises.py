"""Promises with their due time, and when they lapse (indexed: the scheduler's scan is
``lapses_at <= now``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domain.customers.model import Customer
from domain.personal import ERASED
from domain.promises.model import Promise
from projections.crypto_scrub import rewrite
from projections.projection import Context, Projection, handles
from projections.rows import Counted, Rows
from projections.schema import Id, UTCDateTime, metadata

promises = sa.Table(
    "promises", metadata,
    sa.Column("id", Id(), primary_key=True),
    sa.Column("customer_id", Id(), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("what", sa.String(2000), nullable=False),
    sa.Column("owner", sa.String(200), nullable=False, index=True),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("contact_point", sa.String(500)),  # where to follow up (the scheduler reads the view, not the log)
    sa.Column("timezone", sa.String(64)),  # the zone the customer reads times in (None: the business's)
    sa.Column("reply_to", sa.String(254)),  # the address they asked from (None: their first)
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("due_at", UTCDateTime, nullable=False),
    # When the promise fell (or falls) overdue: its due time, or the moment it was made or
    # rescheduled when that was already past it. The scheduler's lookback counts from this, so
    # a promise recorded today as due last week is followed up, and imported history is not.
    sa.Column("lapses_at", UTCDateTime, nullable=False),
    sa.Column("case_id", Id(), index=True),
    sa.Column("deal_id", Id()),
    sa.Column("made_at", UTCDateTime, nullable=False),
    sa.Column("kept_at", UTCDateTime),
    sa.Column("kept_on_time", sa.Boolean),
    sa.Column("cancelled_at", UTCDateTime),
    sa.Column("reschedules", sa.Integer, nullable=False, default=0),
    sa.Column("follow_ups", sa.Integer, nullable=False, default=0),
    sa.Column("version", sa.Integer, nullable=False),
    # The workload's count of open promises not yet due per owner.
    sa.Index("ix_promises_status_due_owner", "status", "due_at", "owner"),
    sa.Index("ix_promises_status_lapses", "status", "lapses_at", "id"),  # the scheduler's scan, in pages
    # The API's sort keys (projections/queries/service.py): pages read in index order.
    sa.Index("ix_promises_due", "due_at", "id"),
    sa.Index("ix_promises_made", "made_at", "id"),
    sa.Index("ix_promises_customer_status_due", "customer_id", "status", "due_at", "id"),  # a customer's open ones
)

# Promises not cancelled, counted per owner with the rows (``counted``): the workload reads these
# and counts only the open promises not yet due (``ix_promises_status_due_owner``), not every promise.
owner_promises = sa.Table(
    "owner_promises", metadata,
    sa.Column("owner", sa.String(200), primary_key=True),
    sa.Column("open", sa.Integer, nullable=False),
    sa.Column("kept", sa.Integer, nullable=False),
    sa.Column("kept_on_time", sa.Integer, nullable=False),
)


def counted(row: dict[str, Any]) -> Counted:
    """What a promise row counts for in ``owner_promises``."""
    if row["status"] == "cancelled":
        return ()
    return ((owner_promises, row["owner"], {"open": int(row["status"] == "open"), "kept": int(row["status"] == "kept"),
                                            "kept_on_time": int(row["kept_on_time"] is True)}),)


def lapses_at(e: Any) -> Any:
    """When the promise a ``Made`` or ``Rescheduled`` event sets falls overdue."""
    return max(e.due_at, e.occurred_at)


class PromisesProjection(Projection):
    name = "promises"
    version = 6  # 2: contact_point; 3: owner_promises; 4: lapses_at; 5: timezone; 6: reply_to
    tables = (promises, owner_promises)

    def prefetch(self, events: list[Any], rows: Rows) -> None:
        rows.prefetch(promises, self.ids(events, "originator_id"))

    def _set(self, e: Any, rows: Rows, **changes: Any) -> None:
        rows.update_counted(promises, str(e.originator_id), counted, version=e.originator_version, **changes)

    @handles(Promise.Made)
    def made(self, e: Any, ctx: Context, rows: Rows) -> None:
        row = rows.put(promises, {
            "id": str(e.originator_id), "customer_id": str(e.customer_id), "kind": e.promise_kind,
            "what": e.what, "owner": e.owner, "channel": e.channel, "contact_point": e.contact_point,
            "timezone": None if e.timezone == ERASED else e.timezone, "reply_to": e.reply_to,
            "status": "open", "due_at": e.due_at, "lapses_at": lapses_at(e),
            "case_id": str(e.case_id) if e.case_id else None, "deal_id": str(e.deal_id) if e.deal_id else None,
            "made_at": e.occurred_at, "reschedules": 0, "follow_ups": 0, "version": e.originator_version,
        })
        rows.recount((), counted(row))

    @handles(Promise.Kept)
    def kept(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._set(e, rows, status="kept", kept_at=e.occurred_at, kept_on_time=e.on_time)

    @handles(Promise.Rescheduled)
    def rescheduled(self, e: Any, ctx: Context, rows: Rows) -> None:
        row = rows.get(promises, str(e.originator_id))
        if row:
            self._set(e, rows, due_at=e.due_at, lapses_at=lapses_at(e), reschedules=row["reschedules"] + 1)

    @handles(Promise.Cancelled)
    def cancelled(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._set(e, rows, status="cancelled", cancelled_at=e.occurred_at)

    @handles(Promise.HandedOver)
    def handed_over(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._set(e, rows, owner=e.owner)  # its count moves to the new owner (``counted``)

    @handles(Promise.FollowUpSent)
    def followed_up(self, e: Any, ctx: Context, rows: Rows) -> None:
        row = rows.get(promises, str(e.originator_id))
        if row:
            self._set(e, rows, follow_ups=row["follow_ups"] + 1)

    @handles(Customer.Erased)
    def customer_erased(self, e: Any, ctx: Context, rows: Rows) -> None:
        """The customer's personal data, as a rebuild from the now erased events writes it."""
        rewrite(rows, promises, "customer_id", str(e.originator_id),
                lambda r: {"what": ERASED, "contact_point": ERASED, "timezone": None, "reply_to": ERASED})
