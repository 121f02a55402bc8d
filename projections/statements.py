"""Statements of the read-model tables, compiled once per table and dialect and executed
with converted parameter lists (executemany): per eventsourcing-facts section 6, per-event
SQL and per-row bind processing, not the database, were the cost of catch-up."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from projections.schema import Money, UTCDateTime

Key = tuple[Any, ...]
Row = dict[str, Any]


def _sqlite_instant(v: datetime | None) -> str | None:
    # Exactly SQLAlchemy's SQLite DATETIME text, so ordering and reads agree with ORM writes:
    # the aware ISO text without its "+00:00" (years always have 4 digits), no naive copy made.
    if v is None:
        return None
    if v.tzinfo is not UTC:
        v = v.astimezone(UTC)
    return v.isoformat(" ", "microseconds")[:26]


def _naive_utc(v: datetime | None) -> datetime | None:
    return None if v is None else v.astimezone(UTC).replace(tzinfo=None)


def _converter(column: sa.Column[Any], dialect: str) -> Callable[[Any], Any] | None:
    """Python value -> driver value, done by hand: SQLAlchemy's per-row bind processing
    was the largest cost of catch-up."""
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return _sqlite_instant if dialect == "sqlite" else _naive_utc
    if isinstance(kind, Money):
        return lambda v: None if v is None else int(v * 100)
    if isinstance(kind, sa.JSON):
        return lambda v: None if v is None else json.dumps(v)
    if isinstance(kind, sa.Boolean) and dialect == "sqlite":
        return lambda v: None if v is None else int(v)
    return None


class Compiled:
    """A statement compiled once to driver SQL, executed with lists of rows keyed by column name
    (whole rows as the handlers hold them: no per-row copy keyed by bind name)."""

    def __init__(self, statement: sa.Executable, dialect: sa.Dialect, converters: dict[str, Any]) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.positional = compiled.positiontup
        names = list(self.positional or compiled.binds)
        # Bind names are the column names, or pk_<column> / v_<column> in WHERE and SET: both read
        # the row's column (an UPDATE never changes the key it is matched on).
        self.plan = [(n, n.removeprefix("pk_").removeprefix("v_")) for n in names]
        self.columns = [(c, converters.get(c)) for _, c in self.plan]

    def execute(self, conn: sa.Connection, rows: list[Row]) -> None:
        columns = self.columns
        if self.positional is not None:
            params: list[Any] = [tuple([f(r[c]) if f else r[c] for c, f in columns]) for r in rows]
        else:
            plan = [(n, c, f) for (n, _), (c, f) in zip(self.plan, columns)]
            params = [{n: (f(r[c]) if f else r[c]) for n, c, f in plan} for r in rows]
        conn.exec_driver_sql(self.sql, params)


class Statements:
    """Upsert/delete/select statements of one table for one dialect, built once."""

    def __init__(self, table: sa.Table, dialect_name: str, dialect: sa.Dialect | None = None) -> None:
        dialect = dialect or (postgresql.psycopg.dialect() if dialect_name == "postgresql" else sqlite.dialect())
        self.table = table
        self.pk = [c for c in table.primary_key.columns]
        self.pk_names = [c.name for c in self.pk]
        insert = (postgresql.insert if dialect_name == "postgresql" else sqlite.insert)(table)
        others = [c.name for c in table.columns if c.name not in self.pk_names]
        self.upsert = (
            insert.on_conflict_do_update(index_elements=self.pk_names,
                                         set_={n: insert.excluded[n] for n in others})
            if others else insert.on_conflict_do_nothing(index_elements=self.pk_names)
        )
        self.insert = table.insert()
        # Every row written in one executemany must have the same keys: start from blanks.
        self.blank: Row = {
            c.name: (c.default.arg if c.default is not None and getattr(c.default, "is_scalar", False) else None)
            for c in table.columns
        }
        self.delete = table.delete().where(
            sa.and_(*[c == sa.bindparam(f"pk_{c.name}") for c in self.pk])
        )
        converters = {c.name: f for c in table.columns if (f := _converter(c, dialect_name))}
        self._dialect, self._converters = dialect, converters
        self._updates: dict[frozenset[str], Compiled] = {}
        self._counting: tuple[Compiled, Compiled] | None = None
        self.fast_upsert = Compiled(self.upsert, dialect, converters)
        self.fast_insert = Compiled(self.insert, dialect, converters)
        self.fast_delete = Compiled(self.delete, dialect, converters)

    def key_of(self, row: Row) -> Key:
        return tuple([row[n] for n in self.pk_names]) if len(self.pk_names) > 1 else (row[self.pk_names[0]],)

    def update_of(self, columns: frozenset[str]) -> Compiled:
        """``UPDATE ... SET <columns> WHERE <pk>``, compiled once per set of columns."""
        found = self._updates.get(columns)
        if found is None:
            statement = self.table.update().where(
                sa.and_(*[c == sa.bindparam(f"pk_{c.name}") for c in self.pk])
            ).values({name: sa.bindparam(f"v_{name}") for name in sorted(columns)})
            found = self._updates[columns] = Compiled(statement, self._dialect, self._converters)
        return found

    def counting(self) -> tuple[Compiled, Compiled]:
        """For a table of counts (its key and integer columns, written by ``Rows.add``): an upsert
        that adds a row's values to the stored ones, and a delete of the row when all its counts
        are zero; compiled on first use."""
        if self._counting is None:
            insert = (postgresql.insert if self._dialect.name == "postgresql" else sqlite.insert)(self.table)
            counts = [c for c in self.table.columns if c.name not in self.pk_names]
            add = insert.on_conflict_do_update(index_elements=self.pk_names,
                                               set_={c.name: c + insert.excluded[c.name] for c in counts})
            empty = self.table.delete().where(sa.and_(*[c == sa.bindparam(f"pk_{c.name}") for c in self.pk],
                                                     *[c == sa.literal_column("0") for c in counts]))
            self._counting = (Compiled(add, self._dialect, self._converters),
                              Compiled(empty, self._dialect, self._converters))
        return self._counting
