"""Read-model rows about an erased customer, found by a column and overwritten in place.

When ``Customer.Erased`` reaches a projection, its rows still hold what the events said
before (plaintext). Each projection's erasure handler overwrites them with exactly what a
rebuild from zero computes now that those events decode as ``ERASED``, so live and rebuilt
read models stay equal (``touchline projections verify``).

``Rows`` is keyed by primary key; these helpers also find rows by another column: the stored
ones (one indexed query) and the ones this batch holds in memory and has not flushed yet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from projections.rows import Rows

Row = dict[str, Any]


def _connection(rows: Rows) -> sa.Connection:
    return rows._conn


def keys_where(rows: Rows, table: sa.Table, condition: sa.ColumnElement[bool],
               matches: Callable[[Row], bool]) -> set[tuple[Any, ...]]:
    """Primary keys of the rows meeting ``condition`` (stored) or ``matches`` (in memory)."""
    pk = list(table.primary_key.columns)
    found = {tuple(r) for r in _connection(rows).execute(sa.select(*pk).where(condition))}
    cached = rows._cache.get(table, {})
    found |= {k for k, row in cached.items() if row is not None and matches(row)}
    return {k for k in found if not (k in cached and cached[k] is None)}  # deleted in this batch


def rewrite(rows: Rows, table: sa.Table, column: str, value: Any, change: Callable[[Row], Row | None]) -> None:
    """Apply ``change(row)`` (the columns to overwrite, or None) to every row whose ``column``
    equals ``value``, including rows appended in this batch."""
    keys = keys_where(rows, table, table.c[column] == value, lambda r: r.get(column) == value)
    if len(table.primary_key.columns) == 1:
        rows.prefetch(table, [k[0] for k in keys])
    for key in keys:
        row = rows.get(table, key)
        changes = change(row) if row is not None else None
        if changes:
            rows.update(table, key, **changes)
    for row in rows._appends.get(table, ()):
        if row.get(column) == value:
            row.update(change(row) or {})


def delete_where(rows: Rows, table: sa.Table, condition: sa.ColumnElement[bool],
                 matches: Callable[[Row], bool]) -> None:
    for key in keys_where(rows, table, condition, matches):
        rows.delete(table, key)
