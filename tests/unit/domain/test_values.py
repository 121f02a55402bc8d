"""The value checks every command shares: what they refuse, and that they name the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from domain.application import Touchline
from domain.errors import InvalidValueError
from domain.values import MAX_MONEY, aware, money, text

WHEN = {"occurred_at": datetime(2026, 3, 2, 9, tzinfo=UTC), "actor": "user:admin"}


@pytest.mark.parametrize("instant", [
    datetime(1900, 1, 1, tzinfo=UTC), datetime(2999, 12, 31, 23, 59, tzinfo=UTC),
    datetime(2026, 3, 2, 9, tzinfo=timezone(timedelta(hours=-12))),
])
def test_instants_from_1900_to_2999_are_accepted(instant: datetime) -> None:
    assert aware("due_at", instant) == instant


@pytest.mark.parametrize("instant", [
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),  # before year 1 in UTC: Python cannot even say
    datetime(1899, 12, 31, 23, 59, tzinfo=UTC), datetime(3000, 1, 1, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, tzinfo=UTC),  # in a zone east of UTC this would overflow on every page
])
def test_instants_outside_1900_to_2999_are_refused_naming_the_field(instant: datetime) -> None:
    with pytest.raises(InvalidValueError) as refused:
        aware("due_at", instant)
    assert (refused.value.field, str(refused.value)) == ("due_at", "due_at: must be between the years 1900 and 2999")


@pytest.mark.parametrize("amount", ["1000000000000.01", "1e17", 10**20])
def test_amounts_above_a_trillion_are_refused(amount: object) -> None:
    with pytest.raises(InvalidValueError, match="must be at most 1,000,000,000,000"):
        money("value", amount)  # type: ignore[arg-type]
    assert money("value", MAX_MONEY) == Decimal(10**12)


@pytest.mark.parametrize("value", ["Jos\udce9", "\ud800", "ok \udfff"])
def test_text_with_lone_surrogates_is_refused(value: str) -> None:
    with pytest.raises(InvalidValueError, match="holds characters that are not valid text"):
        text("name", value)


@pytest.mark.parametrize("value", ["Ada\x00Lovelace", "\x00"])
def test_text_with_a_nul_is_refused(value: str) -> None:
    """PostgreSQL's text columns cannot hold one: stored, it would stop the projections there."""
    with pytest.raises(InvalidValueError, match="holds a NUL character"):
        text("name", value)


def test_a_deal_too_large_to_keep_in_cents_writes_nothing(memory_app: Touchline) -> None:
    customer = memory_app.register_customer(name="Ada Lovelace", **WHEN).id
    head = memory_app.recorder.max_notification_id()
    with pytest.raises(InvalidValueError):
        memory_app.open_deal(customer_id=customer, product_id=None, title="Everything", value=Decimal("1e17"),
                             owner="user:ann", **WHEN)
    with pytest.raises(InvalidValueError):
        memory_app.record_touchpoint(customer_id=customer, channel="phone", direction="inbound", kind="inquiry",
                                     subject="From the year 1", occurred_at=datetime(1, 1, 1, tzinfo=UTC),
                                     actor="user:admin")
    assert memory_app.recorder.max_notification_id() == head
