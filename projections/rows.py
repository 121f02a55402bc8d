"""A per-batch write buffer: projections read and change rows in memory, the runner flushes.

Statements are built once per table and executed with parameter lists (executemany):
per eventsourcing-facts section 6 that, not per-event SQL, is what makes catch-up fast.
Within a batch, ``get`` sees earlier changes of the same batch, so handlers can do
read-modify-write on counters without touching the database more than once per key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa

from projections.statements import Key, Row, Statements

_CHUNK = 500


def _key(key: Any) -> Key:
    return key if isinstance(key, tuple) else (key,)


Cache = dict[sa.Table, dict[Key, "Row | None"]]
# What one row of a projection counts for: (table of counts, key, {count column: amount}) each.
Counted = tuple[tuple[sa.Table, Any, dict[str, int]], ...]


def new_cache() -> Cache:
    return defaultdict(dict)


class Rows:
    """Rows of several tables as this batch sees them; ``flush`` writes the changes.

    ``cache`` may outlive the batch: the runner keeps it while it is the only writer
    (positions unchanged since its last commit) and drops it on any failure or race,
    so hot rows (a busy customer) are read once per catch-up, not once per batch."""

    def __init__(self, connection: sa.Connection, statements: dict[sa.Table, Statements],
                 cache: Cache | None = None) -> None:
        self._conn = connection
        self._statements = statements
        self._cache: Cache = cache if cache is not None else new_cache()
        # Per dirty key: None means write the whole row (new or replaced), else the changed columns.
        self._dirty: dict[sa.Table, dict[Key, set[str] | None]] = defaultdict(dict)
        self._appends: dict[sa.Table, list[Row]] = defaultdict(list)
        # Blind changes to rows not in memory (``patch``), applied on load or written at flush.
        self._patches: dict[sa.Table, dict[Key, Row]] = defaultdict(dict)
        # Changes to tables of counts (``add``), summed per key; written as increments at flush.
        self._counts: dict[sa.Table, dict[Key, dict[str, int]]] = defaultdict(dict)

    def prefetch(self, table: sa.Table, keys: Iterable[Any]) -> None:
        """Load many rows at once (single-column keys); later ``get`` calls hit memory."""
        cache = self._cache[table]
        wanted = {k for k in keys if k is not None and (k,) not in cache}
        if not wanted:
            return
        st = self._statements[table]
        column = st.pk[0]
        listed = sorted(wanted)
        for i in range(0, len(listed), _CHUNK):
            chunk = listed[i:i + _CHUNK]
            for row in self._conn.execute(sa.select(table).where(column.in_(chunk))).mappings():
                cache[(row[column.name],)] = dict(row)
            for k in chunk:
                cache.setdefault((k,), None)
        patches = self._patches[table]
        for k in [k for k in patches if k in cache]:
            pending = patches.pop(k)
            if cache[k] is not None:
                self.update(table, k, **pending)

    def get(self, table: sa.Table, key: Any) -> Row | None:
        """The row with primary key ``key`` as this batch sees it, or None. Mutate it only
        through ``update``/``put`` so the change is written."""
        k = _key(key)
        cache = self._cache[table]
        if k not in cache:
            st = self._statements[table]
            cond = sa.and_(*[c == v for c, v in zip(st.pk, k)])
            found = self._conn.execute(sa.select(table).where(cond)).mappings().first()
            cache[k] = dict(found) if found else None
            pending = self._patches[table].pop(k, None)
            if pending and cache[k] is not None:
                self.update(table, k, **pending)
        return cache[k]

    def put(self, table: sa.Table, row: Row) -> Row:
        """Insert or replace a whole row (columns not given are blank or their default)."""
        st = self._statements[table]
        row = {**st.blank, **row}
        k = st.key_of(row)
        self._cache[table][k] = row
        self._dirty[table][k] = None
        self._patches[table].pop(k, None)  # the whole row supersedes earlier blind changes
        return row

    def update(self, table: sa.Table, key: Any, **changes: Any) -> Row | None:
        """Change some columns of an existing row; returns None (and writes nothing) if absent."""
        k = key if isinstance(key, tuple) else (key,)
        cache = self._cache[table]
        row = cache[k] if k in cache else self.get(table, k)  # the common case without a call: a hot row
        if row is None:
            return None
        row.update(changes)
        dirty = self._dirty[table]
        if k not in dirty:
            dirty[k] = set(changes)
        elif dirty[k] is not None:
            dirty[k] |= changes.keys()  # type: ignore[operator]
        return row

    def patch(self, table: sa.Table, key: Any, **changes: Any) -> None:
        """Change columns of a row known to exist without reading it (an UPDATE at flush)."""
        k = _key(key)
        if k in self._cache[table]:
            self.update(table, k, **changes)
        else:
            patches = self._patches[table]
            patches[k] = {**patches.get(k, {}), **changes}

    def delete(self, table: sa.Table, key: Any) -> None:
        k = _key(key)
        self._cache[table][k] = None
        self._dirty[table][k] = None

    def append(self, table: sa.Table, row: Row) -> None:
        """Insert a row known to be new (append-only tables keyed by log position)."""
        self._appends[table].append({**self._statements[table].blank, **row})

    def add(self, table: sa.Table, key: Any, **amounts: int) -> None:
        """Add ``amounts`` to count columns of row ``key`` of a table of counts (its key and
        integer columns, written only this way and never read through ``get``). A row appears
        with its first count and goes when all its counts are back to zero, so the table holds
        the same rows however the events were cut into batches. Written at flush as one upsert
        per table that adds to the stored counts: nothing is read."""
        self._add(table, key, amounts, 1)

    def _add(self, table: sa.Table, key: Any, amounts: dict[str, int], sign: int) -> None:
        deltas = self._counts[table].setdefault(key if isinstance(key, tuple) else (key,), {})
        for column, amount in amounts.items():
            deltas[column] = deltas.get(column, 0) + sign * amount

    def recount(self, before: Counted, after: Counted) -> None:
        """A counted row changed: take back what it counted for ``before`` and add ``after``."""
        if before == after:
            return
        for table, key, amounts in before:
            self._add(table, key, amounts, -1)
        for table, key, amounts in after:
            self._add(table, key, amounts, 1)

    def update_counted(self, table: sa.Table, key: Any, counted: Callable[[Row], Counted], **changes: Any) -> None:
        """``update``, keeping the counts the row counts for (``counted(row)``) in step."""
        row = self.get(table, key)
        if row is not None:
            before = counted(row)
            self.update(table, key, **changes)
            self.recount(before, counted(row))

    def _flush_counts(self, conn: sa.Connection) -> int:
        written = 0
        for table, deltas in self._counts.items():
            st = self._statements[table]
            columns = [c.name for c in table.columns if c.name not in st.pk_names]
            changed, lowered = [], []
            for k, amounts in deltas.items():
                if any(amounts.values()):
                    key = dict(zip(st.pk_names, k))
                    changed.append({**key, **{c: amounts.get(c, 0) for c in columns}})
                    if any(v < 0 for v in amounts.values()):
                        lowered.append(key)  # only a lowered count can leave a row of zeros
            add, empty = st.counting()
            if changed:
                add.execute(conn, changed)
            if lowered:
                empty.execute(conn, lowered)
            written += len(changed)
        self._counts.clear()
        return written

    def flush(self, writer: sa.Connection | None = None) -> int:
        """Write every change of the batch (through ``writer``, default: the reading connection);
        returns the number of rows written."""
        conn = writer if writer is not None else self._conn
        written = 0
        for table, keys in self._dirty.items():
            st = self._statements[table]
            cache = self._cache[table]
            gone, whole = [], []
            partial: dict[frozenset[str], list[Row]] = defaultdict(list)
            for k, cols in keys.items():
                row = cache.get(k)
                if row is None:
                    gone.append(k)
                elif cols is None:
                    whole.append(row)
                else:
                    # Only the changed columns: wide rows with small changes were the main cost.
                    partial[frozenset(cols)].append(row)
            if gone:
                st.fast_delete.execute(conn, [dict(zip(st.pk_names, k)) for k in gone])
            if whole:
                st.fast_upsert.execute(conn, whole)
            for columns, changed in partial.items():
                st.update_of(columns).execute(conn, changed)
            written += len(gone) + len(whole) + sum(len(v) for v in partial.values())
        for table, patches in self._patches.items():
            st = self._statements[table]
            grouped: dict[frozenset[str], list[Row]] = defaultdict(list)
            for k, changes in patches.items():
                grouped[frozenset(changes)].append({**changes, **dict(zip(st.pk_names, k))})
            for columns, changed in grouped.items():
                st.update_of(columns).execute(conn, changed)
                written += len(changed)
        for table, rows in self._appends.items():
            if rows:
                self._statements[table].fast_insert.execute(conn, rows)
                written += len(rows)
        written += self._flush_counts(conn)
        self._dirty.clear()
        self._appends.clear()
        self._patches.clear()
        return written
