"""Cheap questions to the event store that the library answers only by reading events.

``has_events_after`` asks whether an aggregate has anything newer than a version it was
read at: one indexed look-up returning no row while it is unchanged. The library's
``select_events`` would open a transaction around it (BEGIN, SELECT, ROLLBACK: on
PostgreSQL three round trips) and build the events; the API asks this on every request
to see a token's revocation at once.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier


def has_events_after(recorder: Any, originator_id: UUID, version: int) -> bool:
    """True when ``originator_id`` has an event with a version above ``version``."""
    if isinstance(recorder, SQLiteApplicationRecorder):
        with recorder.datastore.get_connection(commit=False) as conn:  # autocommit: the SELECT alone
            cursor = conn.cursor()
            cursor.execute(f"SELECT 1 FROM {recorder.events_table_name} "  # noqa: S608 - our own table name
                           "WHERE originator_id=? AND originator_version>? LIMIT 1", (originator_id.hex, version))
            return cursor.fetchone() is not None
    if isinstance(recorder, PostgresApplicationRecorder):
        statement = _pg_statement(recorder)
        with recorder.datastore.get_connection() as conn:  # pooled connections run in autocommit
            return conn.execute(statement, (originator_id, version), prepare=True).fetchone() is not None
    return bool(recorder.select_events(originator_id, gt=version, limit=1))


def _pg_statement(recorder: PostgresApplicationRecorder) -> str:
    found: str | None = getattr(recorder, "_has_events_after", None)
    if found is None:
        table = SQL("{0}.{1}").format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
        found = SQL("SELECT 1 FROM {0} WHERE originator_id = %s AND originator_version > %s LIMIT 1").format(
            table).as_string()
        recorder._has_events_after = found  # type: ignore[attr-defined]  # built once per recorder
    return found
