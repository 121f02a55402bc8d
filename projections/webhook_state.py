"""The webhook sender's bookkeeping in the read-model database: how far each subscription's
deliveries have got, and every attempt (status, response code, first 1 kB of the body, time).

Not events (an attempt is not a business fact, and webhooks told about their own attempts
would never stop) and no projection (rebuilds leave it alone). A delivery and the cursor move
past it commit in one transaction, and the move only applies from the position the sender
started from (compare-and-set), so a delivery is recorded once even with two senders.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from projections.schema import Id, Position, UTCDateTime

webhook_metadata = sa.MetaData()
BODY_LIMIT = 1024  # characters of a response body kept with its attempt

webhook_cursors = sa.Table(
    "webhook_cursors", webhook_metadata,
    sa.Column("subscription_id", Id(), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),  # every matching event up to here is delivered
    sa.Column("replays", sa.Integer, nullable=False),  # replay requests applied (the aggregate counts them)
    sa.Column("failures", sa.Integer, nullable=False),  # consecutive failures of the next event
    sa.Column("next_attempt_at", UTCDateTime),  # NULL: now
    sa.Column("last_error", sa.String(1000)),
    sa.Column("last_attempt_at", UTCDateTime),
    sa.Column("delivered", sa.Integer, nullable=False),
)

webhook_attempts = sa.Table(
    "webhook_attempts", webhook_metadata,
    sa.Column("id", Position(), primary_key=True, autoincrement=True),
    sa.Column("subscription_id", Id(), nullable=False),
    sa.Column("delivery_id", Id(), nullable=False),
    sa.Column("event_id", Id(), nullable=False),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("event_type", sa.String(200), nullable=False),
    sa.Column("attempted_at", UTCDateTime, nullable=False),
    sa.Column("outcome", sa.String(10), nullable=False),  # delivered | failed
    sa.Column("response_code", sa.Integer),
    sa.Column("response_body", sa.String(BODY_LIMIT)),
    sa.Column("duration_ms", sa.Integer, nullable=False),
    sa.Column("error", sa.String(1000)),
    sa.Index("ix_webhook_attempts_subscription", "subscription_id", "id"),
)


def create_webhook_tables(engine: sa.Engine) -> None:
    webhook_metadata.create_all(engine)


def get_cursor(conn: sa.Connection, subscription_id: str, start: int) -> dict[str, Any]:
    """The subscription's cursor, created at ``start`` (its Created event's position) the first time."""
    c = webhook_cursors.c
    row = conn.execute(sa.select(webhook_cursors).where(c.subscription_id == subscription_id)).mappings().first()
    if row is not None:
        return dict(row)
    try:
        with conn.begin_nested():
            conn.execute(webhook_cursors.insert().values(subscription_id=subscription_id, position=start, replays=0,
                                                         failures=0, delivered=0))
    except sa.exc.IntegrityError:  # another sender created it first
        pass
    return dict(conn.execute(sa.select(webhook_cursors).where(c.subscription_id == subscription_id)).mappings().one())


def move_cursor(conn: sa.Connection, subscription_id: str, expected: int, position: int, *,
                delivered: int = 0, **changes: Any) -> bool:
    """Move the cursor from ``expected`` to ``position``; False when it was not at ``expected``."""
    c = webhook_cursors.c
    moved = conn.execute(webhook_cursors.update().where(c.subscription_id == subscription_id, c.position == expected)
                         .values(position=position, delivered=c.delivered + delivered, **changes))
    return moved.rowcount == 1


def set_cursor(conn: sa.Connection, subscription_id: str, **changes: Any) -> None:
    conn.execute(webhook_cursors.update().where(webhook_cursors.c.subscription_id == subscription_id)
                 .values(**changes))


def record_attempt(conn: sa.Connection, **attempt: Any) -> None:
    body = attempt.get("response_body")
    attempt["response_body"] = body[:BODY_LIMIT] if body else body
    attempt["error"] = (attempt.get("error") or "")[:1000] or None
    conn.execute(webhook_attempts.insert().values(**attempt))


def attempts_of(conn: sa.Connection, subscription_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """The latest attempts for one subscription, newest first."""
    a = webhook_attempts.c
    query = sa.select(webhook_attempts).where(a.subscription_id == subscription_id).order_by(a.id.desc()).limit(limit)
    return [dict(r) for r in conn.execute(query).mappings()]


def cursors(conn: sa.Connection) -> dict[str, dict[str, Any]]:
    return {r["subscription_id"]: dict(r) for r in conn.execute(sa.select(webhook_cursors)).mappings()}
