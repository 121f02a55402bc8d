"""List filters whose choices are names people read: statuses, channels, colleagues, teams."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_admin.contrib.sqla import filters
from flask_admin.model.filters import convert

from domain.deals.model import LOST, WON
from projections.views.directory import pipeline_stages, users
from web.admin.localtime import resolve, viewer_zone
from web.admin.views.display import staff_ref
from web.services import services


class LazyOptions:
    """Choices read when the list is shown, not when the view is built (Flask-Admin reads a
    filter's options once, at start-up, where colleagues may not exist yet)."""

    def __init__(self, load: Callable[[], list[tuple[str, str]]]) -> None:
        self.load = load

    def __bool__(self) -> bool:
        return True

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.load())


# Integers and ``Money`` (whole cents) are stored as BIGINT: a value beyond cannot be compared.
BIGINT = 2**63
MONEY_LIMIT = Decimal(2**63 - 1) / 100


def _checked(cls: type, check: Callable[[Any], Any]) -> type:
    """``cls`` passing each typed value through ``check``: a ValueError there makes the value
    invalid, so Flask-Admin drops the filter with a message instead of the database failing."""

    class Checked(cls):  # type: ignore[valid-type,misc]
        def clean(self, value: str) -> Any:
            cleaned = super().clean(value)
            return [check(v) for v in cleaned] if isinstance(cleaned, list) else check(cleaned)

        def validate(self, value: str) -> bool:
            # Flask-Admin's range filters validate without ``clean``: ask it here too.
            try:
                return bool(super().validate(value)) and self.clean(value) is not None
            except ValueError:
                return False

    Checked.__name__ = cls.__name__
    return Checked


def _instant(value: datetime) -> datetime:
    """The time typed in a filter, read in the viewer's zone as every list shows times, as the
    UTC instant the read models hold (a time the zone skips makes the filter invalid)."""
    return resolve(value, viewer_zone())[0]


def within_bigint(value: int) -> int:
    """``value`` if a BIGINT column can hold it, else ValueError."""
    if not -BIGINT <= value < BIGINT:
        raise ValueError(f"out of range: {value}")
    return value


def _amount(value: float) -> float:
    if not math.isfinite(value) or abs(Decimal(value)) > MONEY_LIMIT:
        raise ValueError(f"not an amount: {value}")
    return value


def _checked_all(filter_classes: tuple[type, ...], check: Callable[[Any], Any]) -> tuple[type, ...]:
    return tuple(c if c is filters.FilterEmpty else _checked(c, check) for c in filter_classes)


class ReadModelFilters(filters.FilterConverter):
    """Filters for the read models' own column types (instants, typed in the viewer's zone; money)
    and integers, each refusing a value its column cannot hold."""

    utc_filters = _checked_all(filters.FilterConverter.datetime_filters, _instant)
    money_filters = _checked_all(filters.FilterConverter.float_filters, _amount)
    int_filters = _checked_all(filters.FilterConverter.int_filters, within_bigint)

    @convert("utcdatetime")
    def conv_utc(self, column: Any, name: str, **kwargs: Any) -> list[Any]:
        return [f(column, name, **kwargs) for f in self.utc_filters]

    @convert("money")
    def conv_money(self, column: Any, name: str, **kwargs: Any) -> list[Any]:
        return [f(column, name, **kwargs) for f in self.money_filters]


def _staff() -> list[tuple[str, str]]:
    with services().views.connect() as conn:
        rows = conn.execute(sa.select(users.c.id, users.c.name).order_by(users.c.name)).all()
    return [(r.id, r.name) for r in rows]


class PersonFilter(filters.FilterEqual):
    """A colleague, however the rows name them: ``user:<id>`` (panel, demo), ``user:<email>``
    (an actor), or the bare id (the Maven import's deal owners)."""

    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        with services().views.connect() as conn:
            email = conn.execute(sa.select(users.c.email).where(users.c.id == value)).scalar()
        refs = [staff_ref(value), str(value)] + ([f"user:{email}"] if email else [])
        return query.filter(self.get_column(alias).in_(refs))


def _teams() -> list[tuple[str, str]]:
    with services().views.connect() as conn:
        teams = conn.execute(sa.select(users.c.team).where(users.c.team.is_not(None)).distinct()
                             .order_by(users.c.team)).scalars().all()
    return [(t, t) for t in teams]


def _stages() -> list[tuple[str, str]]:
    with services().views.connect() as conn:
        return [(s, s) for s in [*pipeline_stages(conn), WON, LOST]]


def stage(column: Any) -> filters.FilterEqual:
    return filters.FilterEqual(column, "Stage", options=LazyOptions(_stages))


def one_of(column: Any, label: str, values: tuple[str, ...]) -> filters.FilterEqual:
    return filters.FilterEqual(column, label, options=[(v, v.replace("_", " ")) for v in values])


def person(column: Any, label: str) -> filters.FilterEqual:
    return PersonFilter(column, label, options=LazyOptions(_staff))


def team(column: Any, label: str = "Team") -> filters.FilterEqual:
    return filters.FilterEqual(column, label, options=LazyOptions(_teams))


def unset(column: Any, label: str) -> filters.FilterEmpty:
    return filters.FilterEmpty(column, label)
