"""Column types and the metadata every read-model table belongs to.

Types are chosen so SQLite and PostgreSQL give identical rows (``verify`` diffs them):
ids as 36-character strings, instants as UTC (``UTCDateTime``), money as whole cents
(``Money``: exact sums on both databases, Decimal in Python).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

metadata = sa.MetaData()


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime, stored as naive UTC on every database, read back aware."""

    impl = sa.DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime written to a read model")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Money(TypeDecorator[Decimal]):
    """A Decimal amount stored as whole cents."""

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | int | None, dialect: Any) -> int | None:
        return None if value is None else int(Decimal(value) * 100)

    def process_result_value(self, value: int | None, dialect: Any) -> Decimal | None:
        return None if value is None else (Decimal(value) / 100).quantize(Decimal("0.01"))


def Id(**kwargs: Any) -> sa.String:
    return sa.String(36, **kwargs)


def Position() -> sa.types.TypeEngine[int]:
    """A log position as the primary key of an append-only table: ``INTEGER`` on SQLite, so it is
    the rowid itself and each insert writes one B-tree instead of a table plus its key index."""
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


projection_tracking = sa.Table(
    "projection_tracking",
    metadata,
    sa.Column("name", sa.String(60), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    # Last notification id applied; rows and position commit in one transaction.
    sa.Column("position", sa.BigInteger, nullable=False),
    # Recorded time of the last applied event (for lag in seconds).
    sa.Column("event_recorded_at", UTCDateTime, nullable=True),
)
