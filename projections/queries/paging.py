"""Keyset pagination shared by list queries: stable under inserts, cheap at any depth."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

T = TypeVar("T")
MAX_LIMIT = 500


class CursorError(ValueError):
    """The cursor was not produced by this API (or for another ordering)."""


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def encode_cursor(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, columns: list[sa.ColumnElement[Any]]) -> list[Any]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        raise CursorError("cursor is not valid; use the next_cursor of a previous page") from None
    if not isinstance(raw, list) or len(raw) != len(columns):
        raise CursorError("cursor does not fit this listing")
    values = []
    for value, column in zip(raw, columns):
        if value is not None and isinstance(column.type, sa.DateTime | sa.types.TypeDecorator) and isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise CursorError("cursor is not valid") from None
        values.append(value)
    return values


def keyset_page(
    conn: sa.Connection, query: sa.Select[Any], order: list[sa.ColumnElement[Any]], *, limit: int,
    cursor: str | None, descending: bool = False,
) -> Page[dict[str, Any]]:
    """Run ``query`` ordered by ``order`` (unique together), from after ``cursor``, ``limit`` rows."""
    limit = max(1, min(limit, MAX_LIMIT))
    if cursor:
        after = decode_cursor(cursor, order)
        key = sa.tuple_(*order)
        query = query.where(key < sa.tuple_(*after) if descending else key > sa.tuple_(*after))
    query = query.order_by(*[c.desc() if descending else c.asc() for c in order]).limit(limit + 1)
    rows = [dict(r) for r in conn.execute(query).mappings()]
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor([rows[-1][c.key] for c in order]) if more and rows else None
    return Page(rows, next_cursor)
