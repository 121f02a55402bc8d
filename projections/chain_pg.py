"""The PostgreSQL event recorder with hash chaining inside its one-round-trip function.

``projections.pg_recorder`` saves through one PL/pgSQL function that locks the events table,
notifies and inserts. Here the same functions (re-created under the same names) also call
``<events table>_link`` for each inserted event, which computes the stream and global links
with the server's ``sha256()`` (``projections.chain`` defines them; the Python verifier
recomputes them byte for byte) and inserts the chain row. The table lock already held makes
the chain's head stable until commit. Still one round trip per save.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.postgres import PostgresDatastore
from psycopg.sql import SQL, Identifier, Literal

from projections.chain import chain_table, checkpoints_table
from projections.group_commit import GroupCommitMixin
from projections.pg_recorder import INSERT_EVENT, SAVE_FUNCTION, OneTripPostgresRecorder

_TABLES = """
CREATE TABLE IF NOT EXISTS {schema}.{chain} (position bigint PRIMARY KEY, originator_id uuid NOT NULL,
    originator_version bigint NOT NULL, stream_hash bytea NOT NULL, chain_hash bytea NOT NULL);
CREATE TABLE IF NOT EXISTS {schema}.{checkpoints} (position bigint PRIMARY KEY, chain_hash bytea NOT NULL,
    signed_at text NOT NULL, key_id text NOT NULL, signature bytea NOT NULL)"""

_LINK = """
CREATE OR REPLACE FUNCTION {schema}.{link}(n bigint, i uuid, v bigint, t text, s bytea) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE zero bytea := decode(repeat('00', 32), 'hex'); ps bytea; pc bytea; sh bytea; tb bytea := convert_to(t, 'UTF8');
BEGIN
    IF v > 1 THEN
        SELECT c.stream_hash INTO ps FROM {schema}.{table} e JOIN {schema}.{chain} c ON c.position = e.notification_id
        WHERE e.originator_id = i AND e.originator_version < v ORDER BY e.originator_version DESC LIMIT 1;
    END IF;
    SELECT c.chain_hash INTO pc FROM {schema}.{chain} c ORDER BY c.position DESC LIMIT 1;
    sh := sha256(coalesce(ps, zero) || uuid_send(i) || int8send(v) || int4send(octet_length(tb)) || tb || s);
    INSERT INTO {schema}.{chain} VALUES (n, i, v, sh, sha256(coalesce(pc, zero) || int8send(n) || sh));
END $$"""

_ONE = INSERT_EVENT + " VALUES (i, v, t, s) RETURNING notification_id INTO STRICT n; PERFORM {schema}.{link}(n, i, v, t, s); RETURN n;"
_MANY = ("FOR k IN 1 .. coalesce(array_length(i, 1), 0) LOOP " + INSERT_EVENT +
         " VALUES (i[k], v[k], t[k], s[k]) RETURNING notification_id INTO STRICT n;"
         " PERFORM {schema}.{link}(n, i[k], v[k], t[k], s[k]); RETURN NEXT n; END LOOP;")

# A store written before chaining: chain its events once, in log order, while the chain is empty.
_BACKFILL = """
DO $$ DECLARE r record; BEGIN
    LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE;
    IF NOT EXISTS (SELECT 1 FROM {schema}.{chain}) THEN
        FOR r IN SELECT * FROM {schema}.{table} ORDER BY notification_id LOOP
            PERFORM {schema}.{link}(r.notification_id, r.originator_id, r.originator_version, r.topic, r.state);
        END LOOP;
    END IF;
END $$"""


class ChainPostgresMixin:
    """Adds the chain and checkpoint tables and re-creates the save functions to chain."""

    sql_create_statements: list[Any]
    MAX_IDENTIFIER_LEN: int

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)  # type: ignore[call-arg]
        short = self.MAX_IDENTIFIER_LEN
        names = {
            "schema": Identifier(datastore.schema), "table": Identifier(events_table_name),
            "chain": Identifier(chain_table(events_table_name)[:short]),
            "checkpoints": Identifier(checkpoints_table(events_table_name)[:short]),
            "link": Identifier(f"{events_table_name}_link"[:short]),
            "channel": Identifier(self.channel_name),  # type: ignore[attr-defined]
            "lock_timeout": Literal(f"{datastore.lock_timeout}s"),
        }
        one, many = (Identifier(f"{events_table_name}_insert_{n}"[:short]) for n in ("one", "many"))
        self.sql_create_statements.append(SQL(_TABLES).format(**names))
        self.sql_create_statements.append(SQL(_LINK).format(**names))
        for name, params, returns, body in (
            (one, "i uuid, v bigint, t text, s bytea", "bigint", _ONE),
            (many, "i uuid[], v bigint[], t text[], s bytea[]", "SETOF bigint", _MANY),
        ):
            self.sql_create_statements.append(SQL(SAVE_FUNCTION).format(
                name=name, params=SQL(params), returns=SQL(returns), body=SQL(body).format(**names), **names))
        self.backfill_statement = SQL(_BACKFILL).format(**names)

    def create_table(self) -> None:
        super().create_table()  # type: ignore[misc]
        with self.datastore.transaction(commit=True) as curs:  # type: ignore[attr-defined]
            curs.execute(self.backfill_statement, prepare=False)


class ChainedPostgresRecorder(GroupCommitMixin, ChainPostgresMixin, OneTripPostgresRecorder):
    """Group commit (``projections.group_commit``) over the chaining one-round-trip recorder."""
