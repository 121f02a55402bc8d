"""The REST API's own bookkeeping in the read-model database: when each token was last
used, the stored responses of idempotent writes, and each token's rate-limit bucket (shared
by every process serving the API).

Neither is derived from events (so no projection, and rebuilds leave them alone), and
neither belongs in the event log: "last used" would be one event per request, and a
stored response is a cache of an answer, not a fact about the business.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from projections.schema import Id, UTCDateTime, projection_tracking

api_metadata = sa.MetaData()

api_token_uses = sa.Table(
    "api_token_uses", api_metadata,
    sa.Column("token_id", Id(), primary_key=True),
    sa.Column("last_used_at", UTCDateTime, nullable=False),
)

api_idempotency = sa.Table(
    "api_idempotency", api_metadata,
    sa.Column("token_id", Id(), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    # SHA-256 of method, path, If-Match and body: the same key with another request is refused.
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False, index=True),
    # NULL while the first request is running.
    sa.Column("status", sa.Integer),
    sa.Column("response", sa.JSON),
)


# One row per token: GCRA's "theoretical arrival time" (Unix seconds). A bucket of ``burst``
# requests refilled at one per ``interval`` is full while ``tat`` is at or before now, and
# refuses while ``tat`` is more than ``(burst - 1) * interval`` ahead of now.
api_rate_limits = sa.Table(
    "api_rate_limits", api_metadata,
    sa.Column("token_id", Id(), primary_key=True),
    sa.Column("tat", sa.Float, nullable=False),
)


def create_api_tables(engine: sa.Engine) -> None:
    api_metadata.create_all(engine)


def record_token_use(conn: sa.Connection, token_id: str, at: datetime) -> None:
    updated = conn.execute(api_token_uses.update().where(api_token_uses.c.token_id == token_id)
                           .values(last_used_at=at))
    if updated.rowcount == 0:
        try:
            with conn.begin_nested():
                conn.execute(api_token_uses.insert().values(token_id=token_id, last_used_at=at))
        except sa.exc.IntegrityError:  # another process recorded it first: as good
            pass


def token_last_uses(conn: sa.Connection) -> dict[str, datetime]:
    return {r.token_id: r.last_used_at for r in conn.execute(sa.select(api_token_uses))}


# Built once: statements executed on every idempotent write (building one per call, and its
# cache key, cost more than the database did). The claim is an INSERT that does nothing on a
# duplicate key, so a retry needs no savepoint and leaves the transaction usable.
_I = api_idempotency.c
_KEY_IS = sa.and_(_I.token_id == sa.bindparam("t"), _I.key == sa.bindparam("k"))
_CLAIM = {name: dialect.insert(api_idempotency).on_conflict_do_nothing(index_elements=[_I.token_id, _I.key])
          .returning(_I.token_id) for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))}
_EARLIER = sa.select(api_idempotency).where(_KEY_IS)
_COMPLETE = api_idempotency.update().where(_KEY_IS).values(status=sa.bindparam("status"),
                                                           response=sa.bindparam("response"))
_RELEASE = api_idempotency.delete().where(_KEY_IS, _I.status.is_(None))


def claim_idempotency_key(
    conn: sa.Connection, token_id: str, key: str, fingerprint: str, now: datetime
) -> dict[str, Any] | None:
    """Claim ``key`` for a new request (returns None), or return the row of the earlier one."""
    claimed = conn.execute(_CLAIM[conn.dialect.name], {"token_id": token_id, "key": key, "fingerprint": fingerprint,
                                                       "created_at": now, "status": None, "response": None})
    if claimed.first() is not None:  # RETURNING: a row only when this INSERT made it
        return None
    row = conn.execute(_EARLIER, {"t": token_id, "k": key}).mappings().first()
    return dict(row) if row else None


def complete_idempotency_key(conn: sa.Connection, token_id: str, key: str, status: int, response: Any) -> None:
    conn.execute(_COMPLETE, {"t": token_id, "k": key, "status": status, "response": response})


def release_idempotency_key(conn: sa.Connection, token_id: str, key: str) -> None:
    conn.execute(_RELEASE, {"t": token_id, "k": key})


def purge_idempotency_keys(conn: sa.Connection, older_than: datetime) -> int:
    return conn.execute(api_idempotency.delete().where(api_idempotency.c.created_at < older_than)).rowcount


def take_from_bucket(tat: float | None, *, now: float, interval: float, burst: int,
                     wanted: int) -> tuple[int, float]:
    """GCRA on one bucket (``burst`` requests at once, one more per ``interval`` seconds) whose
    theoretical arrival time is ``tat`` (None: never used, full): ``(granted, new tat)`` when it
    gives at least one of the ``wanted`` requests, else ``(0, seconds until it gives one)``."""
    base = now if tat is None or tat < now else tat
    granted = min(wanted, int((now + burst * interval - base) / interval + 1e-9))  # what it holds now
    if granted < 1:
        return 0, base - (burst - 1) * interval - now
    return granted, base + granted * interval


def lease_requests(conn: sa.Connection, token_id: str, *, now: float, interval: float, burst: int,
                   wanted: int) -> tuple[int, float]:
    """Take up to ``wanted`` requests from the token's bucket: how many it gave, and, when it
    gave none, the seconds until it gives one. Compare-and-set on ``tat``: two processes taking
    at once never take the same request."""
    t = api_rate_limits.c
    for _ in range(100):
        tat = conn.execute(sa.select(t.tat).where(t.token_id == token_id)).scalar()
        granted, after = take_from_bucket(tat, now=now, interval=interval, burst=burst, wanted=wanted)
        if granted < 1:
            return 0, after
        if tat is None:
            try:
                with conn.begin_nested():
                    conn.execute(api_rate_limits.insert().values(token_id=token_id, tat=after))
                return granted, 0.0
            except sa.exc.IntegrityError:  # another process made the row first: take from it
                continue
        if conn.execute(api_rate_limits.update().where(t.token_id == token_id, t.tat == tat)
                        .values(tat=after)).rowcount == 1:
            return granted, 0.0
    raise RuntimeError(f"the rate-limit bucket of token {token_id} kept changing under this process")


def caught_up_position(conn: sa.Connection) -> int:
    """The log position every projection has reached (read-your-writes waits for it)."""
    return int(conn.execute(sa.select(sa.func.min(projection_tracking.c.position))).scalar() or 0)
