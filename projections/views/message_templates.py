"""Message templates admins stored (purposes without one use the scheduler's built-in text)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domain.messages.templates import MessageTemplate
from projections.projection import Context, Projection, handles
from projections.rows import Rows
from projections.schema import Id, UTCDateTime, metadata

message_templates = sa.Table(
    "message_templates", metadata,
    sa.Column("id", Id(), primary_key=True),
    sa.Column("purpose", sa.String(40), nullable=False, unique=True),
    sa.Column("subject", sa.String(300), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("defined_at", UTCDateTime, nullable=False),
    sa.Column("revised_at", UTCDateTime, nullable=False),
    sa.Column("revised_by", sa.String(200), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)


class MessageTemplatesProjection(Projection):
    name = "message_templates"
    version = 1
    tables = (message_templates,)

    @handles(MessageTemplate.Defined)
    def defined(self, e: Any, ctx: Context, rows: Rows) -> None:
        rows.put(message_templates, {
            "id": str(e.originator_id), "purpose": e.purpose, "subject": e.subject, "body": e.body,
            "defined_at": e.occurred_at, "revised_at": e.occurred_at, "revised_by": e.actor,
            "version": e.originator_version,
        })

    @handles(MessageTemplate.Revised)
    def revised(self, e: Any, ctx: Context, rows: Rows) -> None:
        rows.update(message_templates, str(e.originator_id), subject=e.subject, body=e.body,
                    revised_at=e.occurred_at, revised_by=e.actor, version=e.originator_version)
