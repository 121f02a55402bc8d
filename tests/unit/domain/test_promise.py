"""Promise rules: open until kept or cancelled, aware due times, one follow-up per purpose."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.application import Touchline
from domain.errors import InvalidValueError
from domain.promises.model import PromiseStateError

ACTOR = "user:agent-1"


@pytest.fixture
def promise_id(memory_app: Touchline, customer_id: UUID, now: datetime) -> UUID:
    return memory_app.make_promise(
        customer_id=customer_id, what="Call back about the refund", due_at=now + timedelta(days=1),
        owner="user:ann", channel="phone", occurred_at=now, actor=ACTOR,
    ).id


ACTIONS: dict[str, Callable[[Touchline, UUID, datetime], Any]] = {
    "keep": lambda app, p, t: app.keep_promise(p, evidence="Called, refund confirmed", occurred_at=t, actor=ACTOR),
    "reschedule": lambda app, p, t: app.reschedule_promise(p, due_at=t + timedelta(days=3), reason="Customer away",
                                                           occurred_at=t, actor=ACTOR),
    "hand over": lambda app, p, t: app.hand_over_promise(p, to_owner="user:bob", occurred_at=t, actor=ACTOR),
    "cancel": lambda app, p, t: app.cancel_promise(p, reason="Customer withdrew", occurred_at=t, actor=ACTOR),
}


@pytest.mark.parametrize(("first", "then"), [
    ("cancel", "keep"), ("keep", "reschedule"), ("keep", "cancel"), ("cancel", "reschedule"), ("keep", "keep"),
])
def test_a_kept_or_cancelled_promise_cannot_change(
    memory_app: Touchline, promise_id: UUID, now: datetime, first: str, then: str
) -> None:
    ACTIONS[first](memory_app, promise_id, now)
    with pytest.raises(PromiseStateError, match=f"cannot {then}"):
        ACTIONS[then](memory_app, promise_id, now)


def test_keeping_a_promise_records_whether_it_was_on_time(
    memory_app: Touchline, customer_id: UUID, promise_id: UUID, now: datetime
) -> None:
    late = memory_app.make_promise(customer_id=customer_id, what="Send the quote", due_at=now, owner="user:ann",
                                   channel="email", occurred_at=now, actor=ACTOR).id
    memory_app.keep_promise(promise_id, evidence="Called", occurred_at=now + timedelta(hours=2), actor=ACTOR)
    memory_app.keep_promise(late, evidence="Sent", occurred_at=now + timedelta(hours=2), actor=ACTOR)
    on_time = [list(memory_app.events.get(p))[-1].on_time for p in (promise_id, late)]
    assert on_time == [True, False]


@pytest.mark.parametrize("field", ["due_at", "occurred_at"])
def test_a_promise_with_a_naive_time_is_refused_naming_the_field(
    memory_app: Touchline, customer_id: UUID, now: datetime, field: str
) -> None:
    times = {"due_at": now + timedelta(days=1), "occurred_at": now}
    times[field] = times[field].replace(tzinfo=None)
    with pytest.raises(InvalidValueError, match="naive") as caught:
        memory_app.make_promise(customer_id=customer_id, what="Call back", owner="user:ann", channel="phone",
                                actor=ACTOR, **times)
    assert caught.value.field == field


def test_rescheduling_to_a_naive_due_time_is_refused(memory_app: Touchline, promise_id: UUID, now: datetime) -> None:
    with pytest.raises(InvalidValueError) as caught:
        memory_app.reschedule_promise(promise_id, due_at=datetime(2026, 3, 9, 10), reason="Later",
                                      occurred_at=now, actor=ACTOR)
    assert caught.value.field == "due_at"


@pytest.mark.parametrize(("field", "kwargs"), [
    ("channel", {"channel": "telepathy"}),
    ("kind", {"kind": "wish"}),
    ("what", {"what": ""}),
    ("contact_point", {"contact_point": "call me maybe"}),  # a callback needs a number to dial
    ("contact_point", {"channel": "email", "contact_point": "+44 20 7946 0000"}),
])
def test_a_promise_with_an_unknown_or_missing_value_is_refused(
    memory_app: Touchline, customer_id: UUID, now: datetime, field: str, kwargs: dict[str, Any]
) -> None:
    arguments: dict[str, Any] = {"what": "Call back", "channel": "phone", **kwargs}
    with pytest.raises(InvalidValueError) as caught:
        memory_app.make_promise(customer_id=customer_id, due_at=now, owner="user:ann", occurred_at=now,
                                actor=ACTOR, **arguments)
    assert caught.value.field == field


def test_a_follow_up_is_recorded_once_per_purpose(memory_app: Touchline, promise_id: UUID, now: datetime) -> None:
    receipts = [
        memory_app.record_follow_up(promise_id, purpose=purpose, message_id=f"<{i}@touchline>",
                                    occurred_at=now, actor="system:scheduler")
        for i, purpose in enumerate(["owner_reminder", "owner_reminder", "customer_apology"])
    ]
    assert [r.position is not None for r in receipts] == [True, False, True]
    assert memory_app.get_promise(promise_id).follow_ups == {
        "owner_reminder": "<0@touchline>", "customer_apology": "<2@touchline>"}


def test_a_rescheduled_promise_gets_its_follow_ups_again(
    memory_app: Touchline, promise_id: UUID, now: datetime
) -> None:
    memory_app.record_follow_up(promise_id, purpose="owner_reminder", message_id="<a@touchline>",
                                occurred_at=now, actor="system:scheduler")
    ACTIONS["reschedule"](memory_app, promise_id, now)
    again = memory_app.record_follow_up(promise_id, purpose="owner_reminder", message_id="<b@touchline>",
                                        occurred_at=now, actor="system:scheduler")
    assert again.position is not None
    assert list(memory_app.events.get(promise_id))[-1].due_at == now + timedelta(days=3)


def test_an_unknown_follow_up_purpose_is_refused(memory_app: Touchline, promise_id: UUID, now: datetime) -> None:
    with pytest.raises(InvalidValueError) as caught:
        memory_app.record_follow_up(promise_id, purpose="spam", message_id="<x@t>", occurred_at=now, actor=ACTOR)
    assert caught.value.field == "purpose"


def test_rescheduling_to_the_same_due_time_is_refused(memory_app: Touchline, promise_id: UUID, now: datetime) -> None:
    due = memory_app.get_promise(promise_id).due_at
    with pytest.raises(InvalidValueError, match="already"):
        memory_app.reschedule_promise(promise_id, due_at=due, reason="Same", occurred_at=now, actor=ACTOR)


def test_an_open_promise_past_its_due_time_is_overdue(memory_app: Touchline, promise_id: UUID, now: datetime) -> None:
    promise = memory_app.get_promise(promise_id)
    assert [promise.is_overdue(now), promise.is_overdue(now + timedelta(days=2))] == [False, True]
    memory_app.keep_promise(promise_id, evidence="Called", occurred_at=now, actor=ACTOR)
    assert not memory_app.get_promise(promise_id).is_overdue(now + timedelta(days=2))


def test_rescheduling_to_before_the_promise_was_made_is_refused(
    memory_app: Touchline, promise_id: UUID, now: datetime,
) -> None:
    """A new time for what was promised, not a rewrite of when it was: reports would count it due years ago."""
    with pytest.raises(InvalidValueError) as refused:
        memory_app.reschedule_promise(promise_id, due_at=now - timedelta(days=1), reason="typo", occurred_at=now,
                                      actor=ACTOR)
    assert refused.value.field == "due_at" and "before the promise was made" in str(refused.value)
    memory_app.reschedule_promise(promise_id, due_at=now + timedelta(hours=1), reason="soon", occurred_at=now,
                                  actor=ACTOR)  # later than it was made, if earlier than its due time: fine
