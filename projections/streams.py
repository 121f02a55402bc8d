"""Cheap questions to the event store that the library answers only by reading events.

``has_events_after`` asks whether an aggregate has anything newer than a version it was
read at: one indexed look-up returning no row while it is unchanged. The library's
``select_events`` would open a transaction around it (BEGIN, SELECT, ROLLBACK: on
PostgreSQL three round trips) and build the events; the API asks this on every request
to see a token's revocation at once.

Each thread asks through a connection of its own, kept for the purpose: taking one from the
library's pool and giving it back cost more than the look-up (on SQLite the pool serves
readers and writers from one set, under a lock). On PostgreSQL the question is a statement
prepared on that connection and sent through libpq directly: psycopg's conversion of the
query and its parameters cost four times the round trip's own work. A connection that fails
is dropped, and the question is asked again through the pool.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg import pq
from psycopg.sql import SQL, Identifier


def has_events_after(recorder: Any, originator_id: UUID, version: int) -> bool:
    """True when ``originator_id`` has an event with a version above ``version``."""
    if isinstance(recorder, SQLiteApplicationRecorder) and not recorder.datastore.pool.is_sqlite_memory_mode:
        row = _sqlite_probe(recorder).execute(
            f"SELECT 1 FROM {recorder.events_table_name} "  # our own table name
            "WHERE originator_id=? AND originator_version>? LIMIT 1", (originator_id.hex, version)).fetchone()
        return row is not None
    if isinstance(recorder, PostgresApplicationRecorder):
        found = _pg_probe(recorder, originator_id, version)
        if found is not None:
            return found
        statement = _pg_statement(recorder)
        with recorder.datastore.get_connection() as conn:  # pooled connections run in autocommit
            return conn.execute(statement, (originator_id, version), prepare=True).fetchone() is not None
    return bool(recorder.select_events(originator_id, gt=version, limit=1))


def _local(recorder: Any) -> threading.local:
    local: threading.local | None = getattr(recorder, "_probe_connections", None)
    if local is None:
        local = recorder._probe_connections = threading.local()
    return local


def _sqlite_probe(recorder: SQLiteApplicationRecorder) -> sqlite3.Connection:
    """This thread's read-only connection to the recorder's database (autocommit: each SELECT
    sees every commit made before it)."""
    local = _local(recorder)
    conn: sqlite3.Connection | None = getattr(local, "conn", None)
    if conn is None:
        conn = local.conn = sqlite3.connect(recorder.datastore.pool.db_name, uri=True, isolation_level=None,
                                            timeout=10)
    return conn


_PROBE = b"touchline_has_events_after"


def _pg_probe(recorder: PostgresApplicationRecorder, originator_id: UUID, version: int) -> bool | None:
    """The answer through this thread's own connection, or None when it could not be had."""
    local = _local(recorder)
    conn: psycopg.Connection[Any] | None = getattr(local, "pg", None)
    try:
        if conn is None:
            kwargs = {k: v for k, v in (recorder.datastore.pool.kwargs or {}).items() if k != "row_factory"}
            conn = psycopg.Connection.connect(autocommit=True, **kwargs)
            text = _pg_statement(recorder).replace("%s", "$1", 1).replace("%s", "$2", 1)
            done = conn.pgconn.prepare(_PROBE, text.encode())
            if done.status != pq.ExecStatus.COMMAND_OK:
                conn.close()
                return None
            local.pg = conn
        result = conn.pgconn.exec_prepared(_PROBE, [str(originator_id).encode(), str(version).encode()])
        if result.status == pq.ExecStatus.TUPLES_OK:
            return result.ntuples > 0
    except psycopg.Error:
        pass
    local.pg = None  # a connection that failed is not asked again
    if conn is not None:
        with contextlib.suppress(psycopg.Error):
            conn.close()
    return None


def _pg_statement(recorder: PostgresApplicationRecorder) -> str:
    found: str | None = getattr(recorder, "_has_events_after", None)
    if found is None:
        table = SQL("{0}.{1}").format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
        found = SQL("SELECT 1 FROM {0} WHERE originator_id = %s AND originator_version > %s LIMIT 1").format(
            table).as_string()
        recorder._has_events_after = found  # type: ignore[attr-defined]  # built once per recorder
    return found
