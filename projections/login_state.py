"""Failed panel logins, for throttling: a small table in the read-model database (shared by
every web process), not events (a failed guess is not a business fact) and no projection
(rebuilds leave it alone).

One row per key (``account:<email>`` or ``ip:<address>``): failures in the current window,
when the window started, and until when the key is locked. Times come from the caller's clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from projections.schema import UTCDateTime

login_metadata = sa.MetaData()

login_failures = sa.Table(
    "login_failures", login_metadata,
    sa.Column("key", sa.String(300), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("window_started_at", UTCDateTime, nullable=False),
    sa.Column("locked_until", UTCDateTime),
)


def create_login_tables(engine: sa.Engine) -> None:
    login_metadata.create_all(engine)


def locked_until(conn: sa.Connection, keys: list[str], now: datetime) -> datetime | None:
    """The latest lock still in force on any of ``keys``, or None."""
    found = conn.execute(sa.select(sa.func.max(login_failures.c.locked_until))
                         .where(login_failures.c.key.in_(keys), login_failures.c.locked_until > now)).scalar()
    return found  # type: ignore[no-any-return]


def record_failure(conn: sa.Connection, key: str, now: datetime, *, limit: int, window: timedelta) -> int:
    """Count a failure for ``key``; at ``limit`` failures within ``window`` the key is locked for
    ``window`` (and its count starts again). Returns the failures counted in this window."""
    row = conn.execute(sa.select(login_failures).where(login_failures.c.key == key)).first()
    if row is None:
        try:
            with conn.begin_nested():
                conn.execute(login_failures.insert().values(key=key, failures=1, window_started_at=now))
            failures = 1
        except sa.exc.IntegrityError:  # another process counted the first failure: count again
            return record_failure(conn, key, now, limit=limit, window=window)
    elif row.window_started_at + window <= now:
        conn.execute(login_failures.update().where(login_failures.c.key == key)
                     .values(failures=1, window_started_at=now))
        failures = 1
    else:
        failures = conn.execute(login_failures.update().where(login_failures.c.key == key)
                                .values(failures=login_failures.c.failures + 1)
                                .returning(login_failures.c.failures)).scalar_one()
    if failures >= limit:
        conn.execute(login_failures.update().where(login_failures.c.key == key)
                     .values(locked_until=now + window, failures=0, window_started_at=now))
    return failures


def clear_failures(conn: sa.Connection, key: str) -> None:
    """A successful login forgets the account's failures (not the address's)."""
    conn.execute(login_failures.delete().where(login_failures.c.key == key))
