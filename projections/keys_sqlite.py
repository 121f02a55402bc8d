"""SQLite: the data-key table, written inside the save's own transaction, and the factory that
wires the sealing mapper (``projections.crypto_mapper``) to it.

In one save's transaction: new data keys are inserted first (a key another process made
first wins: the save fails with ``KeyConflictError`` and is sealed again with that key),
then the events (and their hash chain), then each erasure event destroys its subject's key
(the row stays as a tombstone, so no new key is ever made for an erased subject). So a key
is never deleted without its ``Erased`` event, nor the other way round.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteFactory
from eventsourcing.utils import get_topic

from domain.personal import erasure_classes
from projections.chain_sqlite import ChainSQLiteMixin
from projections.crypto import KeyRing, MasterKey, SealedAsBase64
from projections.crypto_mapper import KeyConflictError, SealedEventStore, SealingMapper
from projections.group_commit import GroupCommitMixin


def keys_table(events_table: str) -> str:
    return f"{events_table}_keys"


@cache
def _erasure_topics(count: int) -> frozenset[str]:
    return frozenset(get_topic(c) for c in erasure_classes())


def erasure_topics() -> frozenset[str]:
    return _erasure_topics(len(erasure_classes()))  # recomputed if a model registers one later


def new_keys(stored_events: Sequence[StoredEvent]) -> dict[UUID, bytes]:
    found: dict[UUID, bytes] = {}
    for e in stored_events:
        for subject, key in getattr(e, "new_keys", ()):
            found.setdefault(subject, key)
    return found


def erased_subjects(stored_events: Sequence[StoredEvent]) -> list[UUID]:
    topics = erasure_topics()
    return [e.originator_id for e in stored_events if e.topic in topics]  # type: ignore[misc]


class KeysSQLiteMixin:
    events_table_name: str
    datastore: Any
    keyring: KeyRing | None = None

    def construct_create_table_statements(self) -> list[str]:
        statements: list[str] = super().construct_create_table_statements()  # type: ignore[misc]
        return [*statements, (
            f"CREATE TABLE IF NOT EXISTS {keys_table(self.events_table_name)} (subject_id TEXT PRIMARY KEY, "
            "data_key BLOB, key_wrap TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL DEFAULT (datetime('now')), "
            "erased_at TEXT)"),
            (f"CREATE INDEX IF NOT EXISTS {keys_table(self.events_table_name)}_erased "
             f"ON {keys_table(self.events_table_name)} (erased_at) WHERE erased_at IS NOT NULL")]

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int]:
        table = keys_table(self.events_table_name)
        keys = new_keys(stored_events)
        if keys:
            wrap = self.keyring.master.key_id if self.keyring else ""
            c.executemany(f"INSERT OR IGNORE INTO {table} (subject_id, data_key, key_wrap) VALUES (?, ?, ?)",
                          [(s.hex, k, wrap) for s, k in keys.items()])
            lost = []
            for subject, key in keys.items():
                c.execute(f"SELECT data_key FROM {table} WHERE subject_id = ?", (subject.hex,))
                if c.fetchone()[0] != key:
                    lost.append(subject)
            if lost:
                raise KeyConflictError(lost)
        ids: Sequence[int] = super()._insert_events(c, stored_events, **kwargs)  # type: ignore[misc]
        erased = erased_subjects(stored_events)
        if erased:
            c.executemany(f"INSERT INTO {table} (subject_id, data_key, erased_at) VALUES (?, NULL, datetime('now')) "
                          "ON CONFLICT (subject_id) DO UPDATE SET data_key = NULL, erased_at = excluded.erased_at",
                          [(s.hex,) for s in erased])
        return ids

    def insert_batches(self, batches: Iterable[Sequence[StoredEvent]]) -> None:
        """Insert batch after batch in one transaction (an import: all or nothing)."""
        with self.datastore.transaction(commit=True) as c:
            for batch in batches:
                if batch:
                    self._insert_events(c, batch)

    def fetch_key(self, subject: UUID) -> tuple[bytes | None, str] | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT data_key, key_wrap FROM {keys_table(self.events_table_name)} WHERE subject_id = ?",
                      (subject.hex,))
            row = c.fetchone()
        return None if row is None else (row[0], row[1])

    def fetch_keys(self, subjects: Sequence[UUID]) -> Iterable[tuple[UUID, bytes | None, str]]:
        marks = ", ".join("?" * len(subjects))
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT subject_id, data_key, key_wrap FROM {keys_table(self.events_table_name)} "
                      f"WHERE subject_id IN ({marks})", [s.hex for s in subjects])
            return [(UUID(r[0]), r[1], r[2]) for r in c.fetchall()]

    def fetch_all_keys(self) -> Iterable[tuple[UUID, bytes | None, str]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT subject_id, data_key, key_wrap FROM {keys_table(self.events_table_name)}")
            return [(UUID(r[0]), r[1], r[2]) for r in c.fetchall()]


    def fetch_erased(self) -> list[UUID]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT subject_id FROM {keys_table(self.events_table_name)} WHERE erased_at IS NOT NULL")
            return [UUID(r[0]) for r in c.fetchall()]


class SealedSQLiteRecorder(GroupCommitMixin, KeysSQLiteMixin, ChainSQLiteMixin, SQLiteApplicationRecorder):
    """Group commit over a recorder that keeps data keys and chains every event by hash."""


class SealingFactoryMixin:
    """Builds the sealing mapper and event store, and hands the recorder to their key ring."""

    env: Any

    @property
    def keyring(self) -> KeyRing:
        ring = self.__dict__.get("_keyring")
        if ring is None:
            ring = self.__dict__["_keyring"] = KeyRing(MasterKey(self.env.get("MASTER_KEY")))
        return ring

    def mapper(self, transcoder: Any = None, mapper_class: Any = None) -> SealingMapper:
        transcoder = transcoder or self.transcoder()  # type: ignore[attr-defined]
        transcoder.register(SealedAsBase64())
        return SealingMapper(transcoder, self.keyring, cipher=self.cipher(),  # type: ignore[attr-defined]
                             compressor=self.compressor())  # type: ignore[attr-defined]

    def application_recorder(self) -> Any:
        recorder = super().application_recorder()  # type: ignore[misc]
        if hasattr(recorder, "fetch_key"):
            recorder.keyring = self.keyring
            self.keyring.table = recorder
        return recorder

    def event_store(self, mapper: Any = None, recorder: Any = None) -> Any:
        return SealedEventStore(mapper=mapper or self.mapper(), recorder=recorder or self.application_recorder())


class SealedSQLiteFactory(SealingFactoryMixin, SQLiteFactory):
    """``PERSISTENCE_MODULE`` for SQLite (``projections.storage``)."""
