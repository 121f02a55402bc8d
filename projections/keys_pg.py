"""PostgreSQL: the data-key table and the factory that wires the sealing mapper to it.

A save with neither new keys nor erasures is the usual one round trip
(``projections.pg_recorder``). A save that brings a new data key or an ``Erased`` event runs
in one explicit transaction instead: insert the new keys (a key made first by another process
wins: ``KeyConflictError``, and the save is sealed again with that key), call the same save
function (lock, insert, chain), then destroy each erased subject's key. Rare: a subject's
first event, or an erasure. See ``projections.keys_sqlite`` for the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresDatastore, PostgresFactory
from psycopg.rows import scalar_row
from psycopg.sql import SQL, Identifier

from projections.chain_pg import ChainPostgresMixin
from projections.crypto import KeyRing
from projections.crypto_mapper import KeyConflictError
from projections.group_commit import GroupCommitMixin
from projections.keys_sqlite import (
    SealingFactoryMixin,
    erased_subjects,
    keys_table,
    new_keys,
)
from projections.pg_recorder import OneTripPostgresRecorder

_TABLE = ("CREATE TABLE IF NOT EXISTS {schema}.{keys} (subject_id uuid PRIMARY KEY, data_key bytea, "
          "key_wrap text NOT NULL DEFAULT '', created_at timestamptz NOT NULL DEFAULT now(), erased_at timestamptz)")


class KeysPostgresMixin:
    keyring: KeyRing | None = None
    sql_create_statements: list[Any]
    datastore: PostgresDatastore
    insert_one: str
    insert_many: str

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)  # type: ignore[call-arg]
        names = {"schema": Identifier(datastore.schema), "keys": Identifier(keys_table(events_table_name))}
        self.sql_create_statements.append(SQL(_TABLE).format(**names))
        self.sql_create_statements.append(SQL(
            "CREATE INDEX IF NOT EXISTS {index} ON {schema}.{keys} (erased_at) WHERE erased_at IS NOT NULL").format(
            index=Identifier(f"{keys_table(events_table_name)}_erased"), **names))
        self.keys_insert = SQL("INSERT INTO {schema}.{keys} (subject_id, data_key, key_wrap) VALUES (%s, %s, %s) "
                               "ON CONFLICT (subject_id) DO NOTHING").format(**names)
        self.keys_select = SQL("SELECT subject_id, data_key, key_wrap FROM {schema}.{keys}").format(**names)
        self.keys_erase = SQL("INSERT INTO {schema}.{keys} (subject_id, data_key, erased_at) VALUES (%s, NULL, now()) "
                              "ON CONFLICT (subject_id) DO UPDATE SET data_key = NULL, erased_at = now()").format(**names)

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if not new_keys(stored_events) and not erased_subjects(stored_events):
            return super().insert_events(stored_events, **kwargs)  # type: ignore[misc, no-any-return]
        with self.datastore.transaction(commit=True) as curs:
            return self._insert_in(curs, stored_events)

    def insert_batches(self, batches: Iterable[Sequence[StoredEvent]]) -> None:
        """Insert batch after batch in one transaction (an import: all or nothing)."""
        with self.datastore.transaction(commit=True) as curs:
            for batch in batches:
                if batch:
                    self._insert_in(curs, batch)

    def _insert_in(self, curs: Any, stored_events: Sequence[StoredEvent]) -> list[int]:
        keys, erased = new_keys(stored_events), erased_subjects(stored_events)
        if keys:
            wrap = self.keyring.master.key_id if self.keyring else ""
            curs.executemany(self.keys_insert, [(s, k, wrap) for s, k in keys.items()])
            curs.execute(self.keys_select + SQL(" WHERE subject_id = ANY(%s)"), (list(keys),))
            stored = {r["subject_id"]: r["data_key"] for r in curs.fetchall()}
            lost = [s for s, k in keys.items() if stored.get(s) != k]
            if lost:
                raise KeyConflictError(lost)
        events = [(e.originator_id, e.originator_version, e.topic, e.state) for e in stored_events]
        if len(events) == 1:
            statement, params = self.insert_one, events[0]
        else:
            statement, params = self.insert_many, tuple(map(list, zip(*events, strict=True)))
        ids: list[int] = curs.connection.cursor(row_factory=scalar_row).execute(statement, params).fetchall()
        if erased:
            curs.executemany(self.keys_erase, [(s,) for s in erased])
        return ids

    def fetch_key(self, subject: UUID) -> tuple[bytes | None, str] | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self.keys_select + SQL(" WHERE subject_id = %s"), (subject,))
            row = curs.fetchone()
        return None if row is None else (row["data_key"], row["key_wrap"])

    def fetch_keys(self, subjects: Sequence[UUID]) -> Iterable[tuple[UUID, bytes | None, str]]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self.keys_select + SQL(" WHERE subject_id = ANY(%s)"), (list(subjects),))
            return [(r["subject_id"], r["data_key"], r["key_wrap"]) for r in curs.fetchall()]

    def fetch_all_keys(self) -> Iterable[tuple[UUID, bytes | None, str]]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self.keys_select)
            return [(r["subject_id"], r["data_key"], r["key_wrap"]) for r in curs.fetchall()]


    def fetch_erased(self) -> list[UUID]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self.keys_select + SQL(" WHERE erased_at IS NOT NULL"))
            return [r["subject_id"] for r in curs.fetchall()]


class SealedPostgresRecorder(GroupCommitMixin, KeysPostgresMixin, ChainPostgresMixin, OneTripPostgresRecorder):
    """Group commit over the one-round-trip, chaining recorder that also keeps data keys."""


class SealedPostgresFactory(SealingFactoryMixin, PostgresFactory):
    """``PERSISTENCE_MODULE`` for PostgreSQL (``projections.storage``)."""
