"""Webhook subscriptions for the panel's list and the scheduler's delivery job.

Never the secret. ``start_position`` is where the Created event sits in the log: deliveries
start after it (a new subscription is not sent the whole history; a replay is asked for).
Delivery progress (position reached, failures, last error) is not derived from events: it is
the scheduler's bookkeeping, ``projections.webhook_state``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domain.webhooks.model import WebhookSubscription as W
from projections.projection import Context, Projection, handles
from projections.rows import Rows
from projections.schema import Id, UTCDateTime, metadata

webhook_subscriptions = sa.Table(
    "webhook_subscriptions", metadata,
    sa.Column("id", Id(), primary_key=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("event_types", sa.String(4000), nullable=False),  # "Case.*, Deal.Won": searchable, readable in CSV
    sa.Column("status", sa.String(10), nullable=False, index=True),
    sa.Column("pause_reason", sa.String(1000)),
    sa.Column("paused_at", UTCDateTime),
    sa.Column("paused_by", sa.String(200)),
    sa.Column("start_position", sa.BigInteger, nullable=False),
    sa.Column("replay_from", sa.BigInteger),
    sa.Column("secret_rotated_at", UTCDateTime),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("changed_at", UTCDateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)


class WebhooksProjection(Projection):
    name = "webhooks"
    version = 1
    tables = (webhook_subscriptions,)

    def _set(self, e: Any, rows: Rows, **changes: Any) -> None:
        rows.update(webhook_subscriptions, str(e.originator_id), version=e.originator_version, changed_at=e.occurred_at,
                    **changes)

    @handles(W.Created)
    def created(self, e: Any, ctx: Context, rows: Rows) -> None:
        rows.put(webhook_subscriptions, {
            "id": str(e.originator_id), "url": e.url, "event_types": ", ".join(e.event_types), "status": "active",
            "pause_reason": None, "paused_at": None, "paused_by": None, "start_position": ctx.position,
            "replay_from": None, "secret_rotated_at": None, "created_at": e.occurred_at, "created_by": e.actor,
            "changed_at": e.occurred_at, "version": e.originator_version})

    @handles(W.Changed)
    def changed(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._set(e, rows, url=e.url, event_types=", ".join(e.event_types))

    @handles(W.Paused)
    def paused(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._set(e, rows, status="paused", pause_reason=e.reason or None, paused_at=e.occurred_at, paused_by=e.actor)

    @handles(W.Resumed)
    def resumed(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._set(e, rows, status="active", pause_reason=None)

    @handles(W.SecretRotated)
    def rotated(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._set(e, rows, secret_rotated_at=e.occurred_at)

    @handles(W.ReplayRequested)
    def replay(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._set(e, rows, replay_from=e.from_position)

    @handles(W.Deleted)
    def deleted(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._set(e, rows, status="deleted")
