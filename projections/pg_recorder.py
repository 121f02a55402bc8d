"""PostgreSQL event recorder that saves in one server round trip.

eventsourcing 9.5.6's ``PostgresApplicationRecorder.insert_events`` sends BEGIN,
``SET LOCAL lock_timeout``, ``LOCK TABLE``, ``NOTIFY``, the INSERT and COMMIT through a
pipeline: five round trips per save. Here one server function does the same work in one
statement, run in autocommit, so the statement is its own transaction. It keeps what the
library's own ``POSTGRES_ENABLE_DB_FUNCTIONS`` function leaves out: the EXCLUSIVE table
lock, taken before the sequence hands out ids and held until commit, so positions commit
in order and a reader of "id > last seen" never passes a position that is filled later.
Everything else (conflicts raising ``IntegrityError``, all-or-nothing saves, ``NOTIFY`` for
the library's subscriptions, reads, retries) is as in the library.
``projections.storage`` selects it with ``APPLICATION_RECORDER_TOPIC``.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg.errors import DuplicateObject
from psycopg.rows import scalar_row
from psycopg.sql import SQL, Identifier, Literal

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eventsourcing.persistence import StoredEvent

# Lock before inserting: the sequence hands out ids only to the lock holder.
SAVE_FUNCTION = """
CREATE OR REPLACE FUNCTION {schema}.{name}({params}) RETURNS {returns}
LANGUAGE plpgsql SET lock_timeout = {lock_timeout} AS $$
DECLARE n bigint;
BEGIN
    LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE;
    NOTIFY {channel};
    {body}
END $$"""
INSERT_EVENT = "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state)"
# The usual save is one event: scalar parameters cost less to encode and parse than arrays.
_ONE = INSERT_EVENT + " VALUES (i, v, t, s) RETURNING notification_id INTO STRICT n; RETURN n;"
_MANY = INSERT_EVENT + " SELECT * FROM unnest(i, v, t, s) RETURNING notification_id;"


class OneTripPostgresRecorder(PostgresApplicationRecorder):
    """Lock, notify and insert in one prepared call; ids come back in the order given."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        id_type = datastore.originator_id_type
        names = {
            "schema": Identifier(datastore.schema), "table": Identifier(events_table_name),
            "channel": Identifier(self.channel_name), "lock_timeout": Literal(f"{datastore.lock_timeout}s"),
        }
        one, many = (Identifier(f"{events_table_name}_insert_{n}"[: self.MAX_IDENTIFIER_LEN]) for n in ("one", "many"))
        for name, params, returns, body in (
            (one, f"i {id_type}, v bigint, t text, s bytea", "bigint", _ONE),
            (many, f"i {id_type}[], v bigint[], t text[], s bytea[]", "SETOF bigint", "RETURN QUERY " + _MANY),
        ):
            self.sql_create_statements.append(SQL(SAVE_FUNCTION).format(
                name=name, params=SQL(params), returns=SQL(returns), body=SQL(body).format(**names), **names,
            ))
        # Binary parameters: a UUID travels as 16 bytes, the state without hex escaping.
        # Plain strings, not Composed: psycopg caches their conversion, a Composed is rebuilt per call.
        self.insert_one = SQL("SELECT {0}.{1}(%b, %b, %b, %b)").format(names["schema"], one).as_string()
        self.insert_many = SQL("SELECT * FROM {0}.{1}(%b, %b, %b, %b)").format(names["schema"], many).as_string()
        # Advisory lock key for creating the schema: hashtext('<schema>.<events table>').
        self.schema_lock = SQL("SELECT pg_advisory_xact_lock(hashtext({0}))").format(
            Literal(f"{datastore.schema}.{events_table_name}"))

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if not stored_events:
            return None
        events = [(e.originator_id, e.originator_version, e.topic, e.state) for e in stored_events]
        params: tuple[Any, ...]
        if len(events) == 1:
            statement, params = self.insert_one, events[0]
        else:  # one array per column
            statement, params = self.insert_many, tuple(map(list, zip(*events, strict=True)))
        with self.datastore.get_connection() as conn:
            return conn.cursor(row_factory=scalar_row).execute(statement, params, prepare=True).fetchall()

    def create_table(self) -> None:
        """Create types, table, index and functions in one transaction, under a lock: processes
        starting together on a fresh database otherwise fail on each other's half-made schema
        (duplicate types, "relation already exists", "tuple concurrently updated")."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.schema_lock)
            for statement in self.sql_create_statements:
                if "CREATE TYPE" in statement.as_string():  # no IF NOT EXISTS for types: a savepoint instead
                    with contextlib.suppress(DuplicateObject), curs.connection.transaction():
                        curs.execute(statement, prepare=False)
                else:
                    curs.execute(statement, prepare=False)
        self.datastore.register_type_adapters()
