"""Webhook subscriptions with their delivery progress, for the API (never the secret)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from projections.views.webhooks import webhook_subscriptions as w
from projections.webhook_state import webhook_cursors as c

_COLUMNS = (w.c.id, w.c.url, w.c.event_types, w.c.status, w.c.pause_reason, w.c.paused_at, w.c.start_position,
            w.c.replay_from, w.c.secret_rotated_at, w.c.created_at, w.c.created_by, w.c.version,
            sa.func.coalesce(c.c.position, w.c.start_position).label("delivered_to"),
            sa.func.coalesce(c.c.failures, 0).label("failures"), c.c.last_error, c.c.last_attempt_at,
            c.c.next_attempt_at)
_QUERY = sa.select(*_COLUMNS).select_from(w.outerjoin(c, c.c.subscription_id == w.c.id))


def _shown(row: Any) -> dict[str, Any]:
    found = dict(row._mapping)
    found["event_types"] = [t.strip() for t in found["event_types"].split(",") if t.strip()]
    return found


def list_webhooks(conn: sa.Connection, *, include_deleted: bool = False) -> list[dict[str, Any]]:
    query = _QUERY if include_deleted else _QUERY.where(w.c.status != "deleted")
    return [_shown(r) for r in conn.execute(query.order_by(w.c.created_at, w.c.id))]


def get_webhook_row(conn: sa.Connection, webhook_id: str) -> dict[str, Any] | None:
    row = conn.execute(_QUERY.where(w.c.id == webhook_id)).first()
    return _shown(row) if row else None
