"""One person's data, for their rights of access and portability (GDPR articles 15 and 20):
the customer and everyone merged with them, and every record about them (cases, touchpoints,
promises, deals, messages), each with its whole history as auditors read it: personal fields
opened, or ``[erased]``; secrets (password hashes) never.

The records are found in the read models (indexed by customer); the export says up to which
log position they had caught up, so what it holds is exact as of that position.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from projections.audit import describe
from projections.audit_personal import learn_erasures
from projections.queries.records import merged_ids
from projections.runner import projections_position
from projections.views.cases import cases
from projections.views.deals import deals
from projections.views.outbox import outbox
from projections.views.promises import promises
from projections.views.touchpoints import touchpoints

RECORDS = (("cases", cases), ("touchpoints", touchpoints), ("promises", promises), ("deals", deals),
           ("messages", outbox))
FORMAT = "touchline-customer-export/1"


def history(app: Any, record_id: UUID) -> list[dict[str, Any]]:
    """The record's events, oldest first, as the audit reads describe them."""
    return [describe(event, None) for event in app.events.get(record_id)]


def customer_export(app: Any, views: sa.Engine, survivor: UUID, *, now: datetime) -> dict[str, Any]:
    """Everything about the person whose (surviving) customer record is ``survivor`` (times and
    ids as Python values: ``projections.audit.plain`` makes it JSON)."""
    learn_erasures(app)  # an erasure made by another process reads as erased here too
    position = projections_position(views)  # read first: the records found are complete up to it
    with views.connect() as conn:
        people = merged_ids(conn, str(survivor))
        found = {name: list(conn.execute(sa.select(table.c.id).where(table.c.customer_id.in_(people))
                                         .order_by(table.c.id)).scalars())
                 for name, table in RECORDS}
    return {
        "format": FORMAT, "customer_id": survivor, "exported_at": now, "read_models_position": position,
        "customers": [{"id": person, "events": history(app, UUID(person))} for person in people],
        **{name: [{"id": record, "events": history(app, UUID(record))} for record in ids]
           for name, ids in found.items()},
    }
