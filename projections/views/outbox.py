"""The outbox: every outbound message and its delivery state, and the notices already given.

``outbox`` is what the sender scans (``status``, ``due_at``: the next attempt) and what the
panel lists. ``outbox_notices`` holds, per source (promise or case), the notices recorded on
it (``FollowUpSent``, ``Acknowledged``, ``SlaEscalated``), so the scheduler's scans skip what
was done with one index probe instead of loading the aggregate.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domain.cases.model import Case
from domain.customers.model import Customer
from domain.messages.model import Message
from domain.personal import ERASED
from domain.promises.model import Promise
from projections.crypto_scrub import rewrite
from projections.projection import Context, Projection, handles
from projections.rows import Rows
from projections.schema import Id, Position, UTCDateTime, metadata

outbox = sa.Table(
    "outbox", metadata,
    sa.Column("id", Id(), primary_key=True),
    sa.Column("message_id", sa.String(300), nullable=False),
    sa.Column("cause", sa.String(300), nullable=False, unique=True),
    sa.Column("purpose", sa.String(40), nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("audience", sa.String(20), nullable=False),
    sa.Column("recipient", sa.String(500)),
    sa.Column("subject", sa.String(300), nullable=False),
    sa.Column("customer_id", Id()),
    sa.Column("case_id", Id(), index=True),
    sa.Column("promise_id", Id(), index=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("due_at", UTCDateTime),  # next delivery attempt; NULL once sent or given up
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.String(1000)),
    sa.Column("queued_at", UTCDateTime, nullable=False, index=True),
    sa.Column("sent_at", UTCDateTime),
    sa.Column("gave_up_at", UTCDateTime),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Index("ix_outbox_status_due", "status", "due_at"),
    sa.Index("ix_outbox_customer", "customer_id"),  # a customer's messages: erasure, their data export
)

outbox_notices = sa.Table(
    "outbox_notices", metadata,
    sa.Column("position", Position(), primary_key=True, autoincrement=False),
    sa.Column("source_id", Id(), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),  # follow-up purpose, acknowledgement, sla_<level>
    sa.Column("target", sa.String(20)),  # SLA target
    sa.Column("cycle", sa.Integer),  # SLA target cycle
    sa.Column("cause_at", UTCDateTime),  # the promise's due time the follow-up was for
    sa.Index("ix_outbox_notices_source_kind", "source_id", "kind"),
)


class OutboxProjection(Projection):
    name = "outbox"
    version = 1
    tables = (outbox, outbox_notices)
    write_mostly = (outbox_notices,)

    def prefetch(self, events: list[Any], rows: Rows) -> None:
        rows.prefetch(outbox, self.ids([e for e in events if isinstance(e, Message.Event)], "originator_id"))

    def _set(self, e: Any, rows: Rows, **changes: Any) -> None:
        rows.update(outbox, str(e.originator_id), version=e.originator_version, **changes)

    @handles(Message.Queued)
    def queued(self, e: Any, ctx: Context, rows: Rows) -> None:
        rows.put(outbox, {
            "id": str(e.originator_id), "message_id": e.message_id, "cause": e.cause, "purpose": e.purpose,
            "channel": e.channel, "audience": e.audience, "recipient": e.recipient, "subject": e.subject,
            "customer_id": str(e.customer_id) if e.customer_id else None,
            "case_id": str(e.case_id) if e.case_id else None,
            "promise_id": str(e.promise_id) if e.promise_id else None,
            "status": "queued", "due_at": e.occurred_at, "attempts": 0, "queued_at": e.occurred_at,
            "version": e.originator_version,
        })

    @handles(Message.Sent)
    def sent(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._set(e, rows, status="sent", due_at=None, sent_at=e.occurred_at)

    @handles(Message.Failed)
    def failed(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._set(e, rows, status="failed", due_at=e.next_attempt_at, attempts=e.attempt, last_error=e.error)

    @handles(Message.GaveUp)
    def gave_up(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._set(e, rows, status="gave_up", due_at=None, attempts=e.attempt, last_error=e.error,
                  gave_up_at=e.occurred_at)

    @handles(Message.Requeued)
    def requeued(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._set(e, rows, status="queued", due_at=e.occurred_at, attempts=0, gave_up_at=None)

    @handles(Promise.FollowUpSent)
    def followed_up(self, e: Any, ctx: Context, rows: Rows) -> None:
        rows.append(outbox_notices, {"position": ctx.position, "source_id": str(e.originator_id), "kind": e.purpose,
                                     "cause_at": e.due_at})

    @handles(Case.Acknowledged)
    def acknowledged(self, e: Any, ctx: Context, rows: Rows) -> None:
        rows.append(outbox_notices, {"position": ctx.position, "source_id": str(e.originator_id),
                                     "kind": "acknowledgement"})

    @handles(Case.SlaEscalated)
    def escalated(self, e: Any, ctx: Context, rows: Rows) -> None:
        rows.append(outbox_notices, {"position": ctx.position, "source_id": str(e.originator_id),
                                     "kind": f"sla_{e.level}", "target": e.target, "cycle": e.cycle})

    @handles(Customer.Erased)
    def customer_erased(self, e: Any, ctx: Context, rows: Rows) -> None:
        """The customer's personal data, as a rebuild from the now erased events writes it."""
        rewrite(rows, outbox, "customer_id", str(e.originator_id), lambda r: {"recipient": ERASED, "subject": ERASED})
