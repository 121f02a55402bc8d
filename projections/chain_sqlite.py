"""The SQLite event recorder with hash chaining in the save's own transaction.

SQLite has no SHA-256 in SQL, so a trigger cannot chain; Python does it in the recorder,
after the events' INSERTs (which took the database's write lock, so the chain's head read
here cannot move before commit). Per event: one indexed look-up of the aggregate's previous
link (skipped for its first event), and one row into ``stored_events_chain``.
``projections.storage`` selects ``ChainedSQLiteRecorder`` with ``APPLICATION_RECORDER_TOPIC``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from projections.chain import chain_hash, chain_table, checkpoints_table, stream_hash
from projections.group_commit import GroupCommitMixin

Row = tuple[int, str, int, str, bytes]  # position, originator id (hex, as stored), version, topic, state
BACKFILL_BATCH = 2000


class ChainSQLiteMixin:
    """Chains every inserted event; a store written before chaining is chained once, at start."""

    events_table_name: str
    datastore: Any

    def construct_create_table_statements(self) -> list[str]:
        statements: list[str] = super().construct_create_table_statements()  # type: ignore[misc]
        chain, checkpoints = chain_table(self.events_table_name), checkpoints_table(self.events_table_name)
        return [
            *statements,
            (f"CREATE TABLE IF NOT EXISTS {chain} (position INTEGER PRIMARY KEY, originator_id TEXT NOT NULL, "
             "originator_version INTEGER NOT NULL, stream_hash BLOB NOT NULL, chain_hash BLOB NOT NULL)"),
            (f"CREATE TABLE IF NOT EXISTS {checkpoints} (position INTEGER PRIMARY KEY, chain_hash BLOB NOT NULL, "
             "signed_at TEXT NOT NULL, key_id TEXT NOT NULL, signature BLOB NOT NULL)"),
        ]

    def create_table(self) -> None:
        super().create_table()  # type: ignore[misc]
        with self.datastore.transaction(commit=True) as c:
            self._backfill(c)

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int]:
        ids: Sequence[int] = super()._insert_events(c, stored_events, **kwargs)  # type: ignore[misc]
        self._chain(c, [(position, e.originator_id.hex if isinstance(e.originator_id, UUID) else e.originator_id,
                         e.originator_version, e.topic, e.state) for position, e in zip(ids, stored_events, strict=True)])
        return ids

    def _chain(self, c: SQLiteCursor, rows: Sequence[Row]) -> None:
        events, chain = self.events_table_name, chain_table(self.events_table_name)
        c.execute(f"SELECT chain_hash FROM {chain} ORDER BY position DESC LIMIT 1")
        head = c.fetchone()
        previous = head[0] if head else None
        streams: dict[str, bytes] = {}  # links made in this batch, by aggregate
        links = []
        for position, originator_id, version, topic, state in rows:
            before = streams.get(originator_id)
            if before is None and version > 1:
                c.execute(f"SELECT c.stream_hash FROM {events} e JOIN {chain} c ON c.position = e.rowid "
                          "WHERE e.originator_id = ? AND e.originator_version < ? "
                          "ORDER BY e.originator_version DESC LIMIT 1", (originator_id, version))
                found = c.fetchone()
                before = found[0] if found else None
            link = streams[originator_id] = stream_hash(before, bytes.fromhex(originator_id), version, topic, state)
            previous = chain_hash(previous, position, link)
            links.append((position, originator_id, version, link, previous))
        c.executemany(f"INSERT INTO {chain} VALUES (?, ?, ?, ?, ?)", links)

    def _backfill(self, c: SQLiteCursor) -> None:
        """Chain the events of a store written before chaining existed (only while the chain is empty)."""
        events, chain = self.events_table_name, chain_table(self.events_table_name)
        c.execute(f"SELECT 1 FROM {chain} LIMIT 1")
        if c.fetchone():
            return
        after = 0
        while True:
            c.execute(f"SELECT rowid, originator_id, originator_version, topic, state FROM {events} "
                      "WHERE rowid > ? ORDER BY rowid LIMIT ?", (after, BACKFILL_BATCH))
            rows = [tuple(r) for r in c.fetchall()]
            if not rows:
                return
            self._chain(c, rows)  # type: ignore[arg-type]
            after = rows[-1][0]


class ChainedSQLiteRecorder(GroupCommitMixin, ChainSQLiteMixin, SQLiteApplicationRecorder):
    """Group commit (``projections.group_commit``) over a chaining SQLite recorder."""
