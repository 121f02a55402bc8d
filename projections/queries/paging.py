"""Keyset pagination and sorting shared by list queries: stable under inserts, cheap at any depth.

A listing offers named sort keys (``Sorting``): ``sort=<key>`` is ascending, ``sort=-<key>``
descending. Each key is a column (or labelled expression) followed by columns that make the
rows unique, so rows tying on the key keep one order (the tie-breakers go the same direction)
and pages never skip or repeat them. A NULL sorts after every value ascending and before
every value descending, on both databases (PostgreSQL's own rule); its values and its NULLs
are read as two index ranges. Every offered key has an index that starts with it and ends
with the tie-breakers, so a page costs the same at any depth and any table size. A cursor
names the listing and sort it was made for: used with another, it is refused.
"""

from __future__ import annotations

import base64
import bisect
import heapq
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from projections.schema import Money, UTCDateTime

T = TypeVar("T")
MAX_LIMIT = 500


class CursorError(ValueError):
    """The cursor was not produced by this API (or for another listing or ordering)."""


class SortError(ValueError):
    """A sort key the listing does not offer."""


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else str(value) if isinstance(value, Decimal) else value


def encode_cursor(tag: str, values: list[Any]) -> str:
    raw = json.dumps({"sort": tag, "after": [_plain(v) for v in values]})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _load(value: Any, column: sa.ColumnElement[Any]) -> Any:
    """A cursor value back in the column's Python type, as this API could have written it (an
    aware instant, a finite amount, a 64-bit integer); anything else is a bad cursor."""
    kind = column.type
    if value is None:
        return None
    try:
        if isinstance(kind, UTCDateTime | sa.DateTime):
            instant = datetime.fromisoformat(value)
            if instant.tzinfo is None:
                raise ValueError("no offset")
            return instant
        if isinstance(kind, Money):
            amount = Decimal(value)
            if not amount.is_finite() or isinstance(value, bool) or abs(amount) >= 2**63 / 100:  # stored in cents
                raise ValueError("not an amount")
            return amount
    except (TypeError, ValueError, InvalidOperation):
        raise CursorError("cursor is not valid") from None
    expected = int if isinstance(kind, sa.Integer) else str if isinstance(kind, sa.String) else None
    if expected and (type(value) is not expected or (expected is int and not -2**63 <= value < 2**63)):
        raise CursorError("cursor is not valid")
    if isinstance(value, str) and not value.isascii():
        try:
            value.encode()  # a lone surrogate (JSON allows "\ud800") fails in the driver, not as a DB error
        except UnicodeEncodeError:
            raise CursorError("cursor is not valid") from None
    return value


def decode_cursor(cursor: str, tag: str, columns: Sequence[sa.ColumnElement[Any]]) -> list[Any]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        raise CursorError("cursor is not valid; use the next_cursor of a previous page") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("after"), list) or len(raw["after"]) != len(columns):
        raise CursorError("cursor does not fit this listing")
    if raw.get("sort") != tag:
        raise CursorError("cursor was made for another sort order or listing; start again without it")
    return [_load(value, column) for value, column in zip(raw["after"], columns, strict=True)]


def after_key(columns: Sequence[sa.ColumnElement[Any]], start: list[Any], *,
              descending: bool = False) -> sa.ColumnElement[bool]:
    """Rows strictly after ``start`` in the order of ``columns`` (NOT NULL here, unique together):
    one row-value comparison, an index range on SQLite and PostgreSQL. ``keyset_page`` uses it,
    and so do listings that merge several queries of their own."""
    key, bound = sa.tuple_(*columns), sa.tuple_(*[sa.literal(v, c.type) for v, c in zip(start, columns, strict=True)])
    if len(columns) == 1:
        return key < bound if descending else key > bound
    # The first key's bound as well, redundant: SQLite seeks an expression index (names by
    # ``lower(name)``) only by a plain comparison of it, never by the row value.
    first = sa.literal(start[0], columns[0].type)
    if descending:
        return sa.and_(columns[0] <= first, key < bound)
    return sa.and_(columns[0] >= first, key > bound)


def _segments(order: Sequence[sa.ColumnElement[Any]], descending: bool) -> list[tuple[Any, list[Any]]]:
    """(condition, columns ordered by) for each part of the order, in turn. A nullable key is two
    index ranges, never one OR: its values, then its NULLs (ordered by the tie-breakers alone)."""
    first = order[0]
    if not getattr(first, "nullable", False):
        return [(None, list(order))]
    valued, nulls = (first.is_not(None), list(order)), (first.is_(None), list(order[1:]))
    return [nulls, valued] if descending else [valued, nulls]


def _rows(conn: sa.Connection, query: sa.Select[Any], order: Sequence[sa.ColumnElement[Any]], after: list[Any] | None,
          wanted: int, descending: bool) -> list[dict[str, Any]]:
    """Up to ``wanted`` rows of ``query`` after ``after`` in the order, segment by segment."""
    segments = _segments(order, descending)
    if after is not None and len(segments) > 1:  # start in the cursor's segment: the NULLs or the values
        in_nulls = after[0] is None
        segments = segments[next(i for i, (_, cols) in enumerate(segments) if (len(cols) < len(order)) == in_nulls):]
    rows: list[dict[str, Any]] = []
    for i, (condition, columns) in enumerate(segments):
        part = query if condition is None else query.where(condition)
        if i == 0 and after is not None:
            part = part.where(after_key(columns, after[len(order) - len(columns):], descending=descending))
        part = part.order_by(*[c.desc() if descending else c.asc() for c in columns]).limit(wanted - len(rows))
        rows += [dict(r) for r in conn.execute(part).mappings()]
        if len(rows) >= wanted:
            break
    return rows


def _python_key(order: Sequence[sa.ColumnElement[Any]]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """The order of rows in Python: NULLs of the first key after its values (reversed: before)."""
    first, rest = order[0].key, [c.key for c in order[1:]]
    return lambda row: (row[first] is None, 0 if row[first] is None else row[first], *[row[k] for k in rest])


def keyset_page(
    conn: sa.Connection, query: sa.Select[Any], order: Sequence[sa.ColumnElement[Any]], *, limit: int,
    cursor: str | None, descending: bool = False, tag: str = "",
    among: tuple[sa.ColumnElement[Any], Sequence[Any]] | None = None,
) -> Page[dict[str, Any]]:
    """Run ``query`` ordered by ``order`` (unique together), from after ``cursor``, ``limit`` rows.

    ``among=(column, values)`` filters ``column IN values`` as one query per value, merged: each
    reads an index on (column, order...) in order, where ``IN`` would sort every match. Only for
    orders Python compares as the database does (times, numbers, ids; not collated text)."""
    limit = max(1, min(limit, MAX_LIMIT))
    added = [c for c in order if c.key not in query.selected_columns]  # an expression key: select it too
    if added:
        query = query.add_columns(*added)
    after = decode_cursor(cursor, tag, order) if cursor else None
    if among is None:
        rows = _rows(conn, query, order, after, limit + 1, descending)
    else:
        column, values = among
        parts = [_rows(conn, query.where(column == value), order, after, limit + 1, descending) for value in values]
        rows = list(heapq.merge(*parts, key=_python_key(order), reverse=descending))[:limit + 1]
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(tag, [rows[-1][c.key] for c in order]) if more and rows else None
    for row in rows:
        for column in added:
            del row[column.key]
    return Page(rows, next_cursor)


@dataclass(frozen=True)
class Sorting:
    """The orders a listing offers: key name -> the key column, then columns that make rows unique."""

    listing: str
    keys: Mapping[str, Sequence[sa.ColumnElement[Any]]]
    default: str

    @property
    def options(self) -> list[str]:
        """Every accepted ``sort`` value: each key, ascending and (``-key``) descending."""
        return [option for key in self.keys for option in (key, f"-{key}")]

    def page(self, conn: sa.Connection, query: sa.Select[Any], *, sort: str | None, limit: int,
             cursor: str | None, among: tuple[sa.ColumnElement[Any], Sequence[Any]] | None = None,
             ) -> Page[dict[str, Any]]:
        sort = sort or self.default
        if sort.removeprefix("-") not in self.keys:
            raise SortError(f"sort must be one of {', '.join(self.options)}")
        return keyset_page(conn, query, self.keys[sort.removeprefix("-")], limit=limit, cursor=cursor,
                           descending=sort.startswith("-"), tag=f"{self.listing}:{sort}", among=among)


def decode_key(cursor: str, tag: str, columns: Sequence[sa.ColumnElement[Any]]) -> list[Any]:
    """``decode_cursor`` for a key with no NULL in it: a cursor holding a NULL is not valid."""
    after = decode_cursor(cursor, tag, columns)
    if any(value is None for value in after):
        raise CursorError("cursor is not valid")
    return after


def sorted_page(items: Sequence[T], key: Callable[[T], tuple[Any, ...]], columns: Sequence[sa.ColumnElement[Any]],
                *, limit: int, cursor: str | None, tag: str) -> Page[T]:
    """A page of ``items`` computed in Python and sorted ascending by ``key`` (unique per item,
    no NULLs; its parts typed like ``columns``), from after ``cursor``: the cursor holds the last
    item's key, so a page starts after it even if items were added or removed since."""
    limit = max(1, min(limit, MAX_LIMIT))
    start = bisect.bisect_right(items, tuple(decode_key(cursor, tag, columns)), key=key) if cursor else 0
    chosen = list(items[start:start + limit])
    more = start + limit < len(items)
    return Page(chosen, encode_cursor(tag, list(key(chosen[-1]))) if more and chosen else None)
