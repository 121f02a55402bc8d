"""Touchpoint rules: known channels, never edited in place (corrected or retracted), real changes only."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.application import Touchline
from domain.errors import InvalidValueError, NotFoundError
from domain.touchpoints.model import TouchpointRetractedError

ACTOR = "user:agent-1"


def record(app: Touchline, customer_id: UUID, now: datetime, **changes: Any) -> UUID:
    arguments: dict[str, Any] = {"channel": "phone", "direction": "inbound", "kind": "inquiry",
                                 "subject": "Delivery date", "summary": "Asked when the order ships", **changes}
    return app.record_touchpoint(customer_id=customer_id, occurred_at=now, actor=ACTOR, **arguments).id


@pytest.fixture
def touchpoint_id(memory_app: Touchline, customer_id: UUID, now: datetime) -> UUID:
    return record(memory_app, customer_id, now)


@pytest.mark.parametrize(("field", "value"), [
    ("channel", "carrier_pigeon"), ("direction", "sideways"), ("kind", "gossip"), ("subject", ""),
])
def test_a_touchpoint_with_an_unknown_or_missing_value_is_refused(
    memory_app: Touchline, customer_id: UUID, now: datetime, field: str, value: str
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        record(memory_app, customer_id, now, **{field: value})
    assert caught.value.field == field


@pytest.mark.parametrize("channel", ["phone", "email", "sms", "chat", "messenger", "social", "web_form", "visit",
                                     "callback"])
def test_every_channel_of_the_design_is_accepted(
    memory_app: Touchline, customer_id: UUID, now: datetime, channel: str
) -> None:
    assert memory_app.get_touchpoint(record(memory_app, customer_id, now, channel=channel)).channel == channel


@pytest.mark.parametrize(("channel", "value"), [
    ("email", "+44 20 7946 0000"), ("email", "ada at example"), ("phone", "ada@example.com"), ("sms", "call me"),
    ("callback", "12"),
])
def test_a_contact_point_that_cannot_be_used_on_its_channel_is_refused(
    memory_app: Touchline, customer_id: UUID, now: datetime, channel: str, value: str
) -> None:
    """Replies go to an email touchpoint's address, callbacks dial a phone one: a phone number on
    an email is a typing error, not a way to reach the customer."""
    with pytest.raises(InvalidValueError) as caught:
        record(memory_app, customer_id, now, channel=channel, contact_point=value)
    assert caught.value.field == "contact_point"


@pytest.mark.parametrize(("channel", "value", "kept"), [
    ("email", " Ada@Example.COM ", "ada@example.com"), ("phone", "+44 20 7946 0000 ext. 12", None),
    ("social", "@ada_l", None), ("visit", "Front desk, Leeds", None), ("chat", None, None),
])
def test_a_contact_point_is_kept_in_the_form_its_channel_uses(
    memory_app: Touchline, customer_id: UUID, now: datetime, channel: str, value: str | None, kept: str | None
) -> None:
    touchpoint = memory_app.get_touchpoint(record(memory_app, customer_id, now, channel=channel, contact_point=value))
    assert touchpoint.contact_point == (kept or (value.strip() if value else None))


def test_a_touchpoint_needs_a_known_customer(memory_app: Touchline, now: datetime) -> None:
    with pytest.raises(NotFoundError, match="Customer"):
        record(memory_app, uuid4(), now)


def test_a_naive_occurred_at_is_refused_naming_the_field(
    memory_app: Touchline, customer_id: UUID, now: datetime
) -> None:
    with pytest.raises(InvalidValueError, match="naive") as caught:
        record(memory_app, customer_id, now.replace(tzinfo=None))
    assert caught.value.field == "occurred_at"


@pytest.mark.parametrize("changes", [
    {"subject": "Delivery date"}, {"kind": "inquiry", "channel": "phone"}, {"summary": " Asked when the order ships "},
])
def test_a_correction_that_changes_nothing_records_nothing(
    memory_app: Touchline, touchpoint_id: UUID, now: datetime, changes: dict[str, Any]
) -> None:
    receipt = memory_app.correct_touchpoint(touchpoint_id, changes=changes, reason="Typo", occurred_at=now,
                                            actor=ACTOR)
    assert (receipt.version, receipt.position) == (1, None)


def test_a_correction_records_only_the_fields_that_change(
    memory_app: Touchline, touchpoint_id: UUID, now: datetime
) -> None:
    earlier = now - timedelta(hours=1)
    memory_app.correct_touchpoint(
        touchpoint_id, changes={"subject": "Delivery date", "kind": "complaint", "occurred_at": earlier},
        reason="It was a complaint, logged late", occurred_at=now, actor=ACTOR,
    )
    corrected = list(memory_app.events.get(touchpoint_id))[-1]
    assert corrected.changes == {"kind": "complaint", "occurred_at": earlier}
    touchpoint = memory_app.get_touchpoint(touchpoint_id)
    assert (touchpoint.touch_kind, touchpoint.occurred_at, touchpoint.subject) == ("complaint", earlier,
                                                                                   "Delivery date")


@pytest.mark.parametrize(("changes", "field"), [
    ({"customer_id": str(uuid4())}, "customer_id"),
    ({"occurred_at": datetime(2026, 3, 1, 9)}, "occurred_at"),
    ({"channel": "fax"}, "channel"),
])
def test_a_bad_correction_is_refused_naming_the_field(
    memory_app: Touchline, touchpoint_id: UUID, now: datetime, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        memory_app.correct_touchpoint(touchpoint_id, changes=changes, reason="Fix", occurred_at=now, actor=ACTOR)
    assert caught.value.field == field


def test_a_retracted_touchpoint_cannot_be_corrected_or_retracted_again(
    memory_app: Touchline, touchpoint_id: UUID, now: datetime
) -> None:
    memory_app.retract_touchpoint(touchpoint_id, reason="Logged on the wrong customer", occurred_at=now, actor=ACTOR)
    with pytest.raises(TouchpointRetractedError):
        memory_app.correct_touchpoint(touchpoint_id, changes={"kind": "complaint"}, reason="x", occurred_at=now,
                                      actor=ACTOR)
    with pytest.raises(TouchpointRetractedError):
        memory_app.retract_touchpoint(touchpoint_id, reason="Again", occurred_at=now, actor=ACTOR)
    assert [type(e).__name__ for e in memory_app.events.get(touchpoint_id)] == ["Recorded", "Retracted"]


def test_correct_says_false_and_holds_no_event_when_nothing_changes(
    memory_app: Touchline, touchpoint_id: UUID, now: datetime
) -> None:
    touchpoint = memory_app.get_touchpoint(touchpoint_id)
    assert touchpoint.correct(changes={"channel": "phone"}, reason="Check", occurred_at=now, actor=ACTOR) is False
    assert touchpoint.collect_events() == []
