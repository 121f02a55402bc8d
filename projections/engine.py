"""SQLAlchemy engines for the read models: one for the projection writer, one for readers.

On SQLite the writer starts every transaction with ``BEGIN IMMEDIATE``: it takes the
write lock up front, so two runners serialise instead of both reading positions and
then colliding. Readers use plain transactions (WAL lets them run beside the writer).
Views are rebuildable, so SQLite runs them with ``synchronous=NORMAL``: a power cut can
lose the last batches, but rows and position always roll back together.
A SQLite file is created owner-only before SQLite creates it (its -wal and -shm follow):
the live read models, a point-in-time build, a verify scratch database alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from projections.private_files import create_private


def create_views_engine(url: str, *, writer: bool = False, **kwargs: Any) -> sa.Engine:
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:":
            create_private(Path(database))
        engine = sa.create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=OFF")
            # What a row no longer holds is zeroed, not left in the file's free space: an erased
            # customer's name must not be recoverable from the read models (``forget_erased``).
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: sa.Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

        return engine
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


def forget_erased(engine: sa.Engine) -> None:
    """After an erasure reached the read models. SQLite: its write-ahead log still holds the pages
    as they were before; move them into the database (where ``secure_delete`` zeroed the old
    values) and empty the log. PostgreSQL keeps old row versions until VACUUM (README)."""
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    finally:
        raw.close()
