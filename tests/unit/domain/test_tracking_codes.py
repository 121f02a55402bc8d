"""Tracking codes: CASE-000001 style, unique, found again in any letter case; bad input writes nothing.

A second process claiming its own block is proven on real storage in
``tests/integration/test_concurrency.py``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from uuid import UUID

import pytest

from domain.application import Touchline
from domain.cases.codes import BLOCK_SIZE
from domain.errors import InvalidValueError, NotFoundError

ACTOR = "user:agent-1"


def open_case(app: Touchline, customer_id: UUID, now: datetime, **changes: Any) -> UUID:
    arguments: dict[str, Any] = {"subject": "Where is my order?", "channel": "web_form", **changes}
    return app.open_case(customer_id=customer_id, occurred_at=now, actor=ACTOR, **arguments).id


def test_the_first_code_is_case_000001(memory_app: Touchline, case_id: UUID) -> None:
    assert memory_app.get_case(case_id).tracking_code == "CASE-000001"


def test_codes_are_unique_and_increasing_across_many_cases(
    memory_app: Touchline, customer_id: UUID, now: datetime
) -> None:
    count = 2 * BLOCK_SIZE + 50  # crosses two block boundaries
    codes = [memory_app.get_case(open_case(memory_app, customer_id, now)).tracking_code for _ in range(count)]
    assert all(re.fullmatch(r"CASE-\d{6}", code) for code in codes)
    assert len(set(codes)) == count
    assert codes == sorted(codes)


@pytest.mark.parametrize("typed", ["CASE-000001", "case-000001", " Case-000001 "])
def test_a_case_is_found_by_its_code_in_any_letter_case(memory_app: Touchline, case_id: UUID, typed: str) -> None:
    assert memory_app.find_case_id(typed) == case_id


def test_every_code_finds_its_own_case(memory_app: Touchline, customer_id: UUID, now: datetime) -> None:
    cases = [open_case(memory_app, customer_id, now) for _ in range(5)]
    assert [memory_app.find_case_id(memory_app.get_case(c).tracking_code) for c in cases] == cases


def test_an_unused_code_is_not_found(memory_app: Touchline, case_id: UUID) -> None:
    with pytest.raises(NotFoundError, match="CASE-000002"):
        memory_app.find_case_id("case-000002")


@pytest.mark.parametrize("typed", ["000001", "CASE-1", "CASE-00000A", "TICKET-000001", ""])
def test_a_malformed_code_is_refused(memory_app: Touchline, typed: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        memory_app.find_case_id(typed)
    assert caught.value.field == "tracking_code"


@pytest.mark.parametrize(("field", "when"), [
    ("occurred_at", {"occurred_at": datetime(2026, 3, 2, 9)}),
    ("actor", {"actor": " "}),
])
def test_a_case_refused_for_its_time_or_actor_claims_no_code_block(
    memory_app: Touchline, customer_id: UUID, now: datetime, field: str, when: dict[str, Any]
) -> None:
    before = memory_app.recorder.max_notification_id()
    arguments: dict[str, Any] = {"occurred_at": now, "actor": ACTOR, **when}
    with pytest.raises(InvalidValueError) as caught:
        memory_app.open_case(customer_id=customer_id, subject="Hello", channel="email", **arguments)
    assert caught.value.field == field
    assert memory_app.recorder.max_notification_id() == before


@pytest.mark.parametrize(("field", "bad"), [
    ("channel", {"channel": "pigeon"}),
    ("priority", {"priority": "whenever"}),
    ("subject", {"subject": "  "}),
])
def test_a_case_refused_for_its_fields_uses_up_no_code(
    memory_app: Touchline, customer_id: UUID, now: datetime, field: str, bad: dict[str, Any]
) -> None:
    arguments: dict[str, Any] = {"subject": "Hello", "channel": "email", **bad}
    with pytest.raises(InvalidValueError) as caught:
        memory_app.open_case(customer_id=customer_id, occurred_at=now, actor=ACTOR, **arguments)
    assert caught.value.field == field
    good = memory_app.open_case(customer_id=customer_id, subject="Hello", channel="email", occurred_at=now,
                                actor=ACTOR)
    assert memory_app.get_case(good.id).tracking_code == "CASE-000001"
