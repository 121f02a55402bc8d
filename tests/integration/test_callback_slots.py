"""Booking callback slots on a real event store: two requests (two processes' Applications)
racing for the last place in a slot -> exactly one gets it, the other is told the slot is full."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.application import Touchline
from domain.customers.model import email_customer_id
from domain.promises.slots import SlotFullError

STARTS = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ACTOR = "system:test"


def request(app: Touchline, customer: UUID, held: Callable[[Sequence[UUID]], int], capacity: int = 2,
            register: dict[str, Any] | None = None) -> UUID:
    promise_id = uuid4()
    app.request_callback(id=promise_id, customer_id=customer, register=register, starts_at=STARTS, capacity=capacity,
                         held=held, what="Call back", owner="team:callbacks", contact_point="+44 20 7946 0001",
                         touchpoint={"id": uuid4(), "channel": "web_form", "direction": "inbound", "kind": "request",
                                     "subject": "Callback requested"},
                         occurred_at=NOW, actor=ACTOR)
    return promise_id


def every_booking_holds(booked: Sequence[UUID]) -> int:
    return len(booked)


@pytest.mark.parametrize("capacity", [1, 2])  # 1: both would create the slot's stream; 2: both extend it
def test_two_requests_for_the_last_place_one_gets_it(new_instance: Callable[[], Touchline], capacity: int) -> None:
    first, second = new_instance(), new_instance()
    customer = first.register_customer(name="Alan", occurred_at=NOW, actor=ACTOR).id
    for _ in range(capacity - 1):
        request(first, customer, every_booking_holds, capacity)  # all places but the last taken
    both_counted = threading.Barrier(2, timeout=20)
    waited: set[int] = set()

    def held_after_both_counted(booked: Sequence[UUID]) -> int:
        """Each request counts, then waits for the other to have counted: both see one place free."""
        me = threading.get_ident()
        if me not in waited:
            waited.add(me)
            both_counted.wait()
        return len(booked)

    def attempt(app: Touchline) -> str:
        try:
            request(app, customer, held_after_both_counted, capacity)
        except SlotFullError:
            return "full"
        return "booked"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(attempt, (first, second)))
    assert outcomes == ["booked", "full"]
    slot = first.get_callback_slot(STARTS)
    assert slot is not None and len(slot.bookings) == capacity
    assert all(first.get_promise(p).due_at == STARTS for p in slot.bookings)


def test_two_requests_from_one_new_customer_register_them_once(new_instance: Callable[[], Touchline]) -> None:
    first, second = new_instance(), new_instance()
    customer = email_customer_id("alan@example.com")
    both_counted = threading.Barrier(2, timeout=20)
    waited: set[int] = set()

    def held_after_both_counted(booked: Sequence[UUID]) -> int:
        """Each request counts, then waits for the other: both would register the customer."""
        if threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            both_counted.wait()
        return len(booked)

    def attempt(app: Touchline) -> UUID:
        return request(app, customer, held_after_both_counted,
                       register={"name": "Alan", "contact_points": [{"kind": "email", "value": "alan@example.com"}]})

    with ThreadPoolExecutor(2) as pool:
        booked = list(pool.map(attempt, (first, second)))
    assert {first.get_promise(p).customer_id for p in booked} == {customer}
    assert [type(e).__name__ for e in first.events.get(customer)] == ["Registered"]


def test_a_place_freed_by_the_counter_can_be_booked_again(new_instance: Callable[[], Touchline]) -> None:
    app = new_instance()
    customer = app.register_customer(name="Ada", occurred_at=NOW, actor=ACTOR).id
    kept = request(app, customer, every_booking_holds, capacity=1)
    with pytest.raises(SlotFullError):
        request(app, customer, every_booking_holds, capacity=1)
    # The read model says the first callback no longer holds its place (cancelled, say).
    again = request(app, customer, lambda booked: sum(1 for b in booked if b != kept), capacity=1)
    assert app.get_callback_slot(STARTS).bookings == [kept, again]  # type: ignore[union-attr]


def test_repeating_a_request_returns_the_first_booking(new_instance: Callable[[], Touchline]) -> None:
    app = new_instance()
    customer = app.register_customer(name="Kurt", occurred_at=NOW, actor=ACTOR).id
    promise_id = uuid4()
    for _ in range(2):
        app.request_callback(id=promise_id, customer_id=customer, starts_at=STARTS, capacity=1,
                             held=every_booking_holds, what="Call back", owner="team:callbacks", contact_point=None,
                             touchpoint={"id": uuid4(), "channel": "web_form", "direction": "inbound",
                                         "kind": "request", "subject": "Callback requested"},
                             occurred_at=NOW, actor=ACTOR)
    assert app.get_callback_slot(STARTS).bookings == [promise_id]  # type: ignore[union-attr]


def test_a_new_customers_registration_comes_first_in_the_log(stored_app: Touchline) -> None:
    """A follower reading in log order meets the customer before their callback and its touchpoint."""
    head = stored_app.recorder.max_notification_id() or 0
    request(stored_app, uuid4(), every_booking_holds, register={"name": "Ada", "contact_points": [
        {"kind": "email", "value": "ada@example.com"}]})
    written = [type(stored_app.mapper.to_domain_event(n)).__qualname__
               for n in stored_app.recorder.select_notifications(start=head + 1, limit=10)]
    assert written[0] == "Customer.Registered" and "Promise.Made" in written[1:]
