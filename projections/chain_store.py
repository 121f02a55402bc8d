"""Reading the chain, the events and the checkpoints on either backend, in one snapshot.

The verifier streams three ordered row sets (server-side cursors on PostgreSQL, lazily
fetched rows on SQLite: constant memory) inside one read transaction (REPEATABLE READ on
PostgreSQL; a WAL read transaction on SQLite), so saves made meanwhile never look like
tampering. Aggregate ids come back as their 16 bytes on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from psycopg.rows import tuple_row

from projections.chain import chain_table, checkpoints_table

FETCH = 5000


class ChainStore:
    def __init__(self, recorder: Any) -> None:
        self.datastore = recorder.datastore
        self.postgres = hasattr(self.datastore, "schema")
        events = recorder.events_table_name
        if self.postgres:
            schema = self.datastore.schema
            events, chain, checkpoints = (f'"{schema}"."{name}"' for name in
                                          (events, chain_table(events), checkpoints_table(events)))
            position, oid, self.mark = "notification_id", "uuid_send({}.originator_id)", "%s"
        else:
            chain, checkpoints = chain_table(events), checkpoints_table(events)
            position, oid, self.mark = "rowid", "{}.originator_id", "?"
        self.events, self.chain, self.checkpoints = events, chain, checkpoints
        self.chain_rows_sql = (
            f"SELECT c.position, {oid.format('c')}, c.originator_version, c.stream_hash, c.chain_hash, "
            f"{oid.format('e')}, e.originator_version FROM {chain} c LEFT JOIN {events} e ON e.{position} = c.position "
            "ORDER BY c.position")
        self.stream_rows_sql = (
            f"SELECT e.{position}, {oid.format('e')}, e.originator_version, e.topic, e.state, c.stream_hash "
            f"FROM {events} e LEFT JOIN {chain} c ON c.position = e.{position} "
            "ORDER BY e.originator_id, e.originator_version")
        self.checkpoint_rows_sql = (f"SELECT position, chain_hash, signed_at, key_id, signature FROM {checkpoints} "
                                    "ORDER BY position")
        self.count_sql = f"SELECT count(*) FROM {events}"
        self.first_after_sql = (f"SELECT {position}, state FROM {events} WHERE {position} > {self.mark} "
                                f"ORDER BY {position} LIMIT 1")

    def aggregate_id(self, raw: Any) -> bytes:
        """An id as selected above -> its 16 bytes (SQLite keeps the hex text)."""
        return bytes(raw) if self.postgres else bytes.fromhex(raw)

    @contextmanager
    def snapshot(self) -> Iterator[Any]:
        """A read transaction; pass the yielded handle to ``rows``."""
        if self.postgres:
            with self.datastore.get_connection() as conn, conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                yield conn
        else:
            with self.datastore.transaction(commit=False) as cursor:
                yield cursor

    def rows(self, handle: Any, sql: str, name: str) -> Iterator[tuple[Any, ...]]:
        if self.postgres:
            with handle.cursor(name=name, row_factory=tuple_row) as cursor:
                cursor.itersize = FETCH
                cursor.execute(sql)
                yield from cursor
            return
        cursor = handle.sqlite_cursor.connection.cursor()  # its own cursor: several streams at once
        cursor.execute(sql)
        while batch := cursor.fetchmany(FETCH):
            yield from batch

    def count(self, handle: Any) -> int:
        if self.postgres:
            return int(handle.execute(self.count_sql).fetchone()["count"])
        handle.execute(self.count_sql)
        return int(handle.fetchone()[0])

    def first_after(self, handle: Any, position: int) -> tuple[Any, ...] | None:
        """(position, state) of the first event after ``position``, or None."""
        if self.postgres:
            row = handle.execute(self.first_after_sql, (position,)).fetchone()
            return None if row is None else tuple(row.values())
        handle.execute(self.first_after_sql, (position,))
        found = handle.fetchone()
        return None if found is None else tuple(found)

    def query(self, sql: str, params: tuple[Any, ...] = (), *, commit: bool = False) -> list[tuple[Any, ...]]:
        """Rows of one statement in its own transaction (``?`` marks parameters on both)."""
        with self.datastore.transaction(commit=commit) as cursor:
            cursor.execute(sql.replace("?", self.mark), params)
            return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in cursor.fetchall()]
