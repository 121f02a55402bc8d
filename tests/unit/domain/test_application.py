"""The Application's contract: receipts, business time and actor on every event, clear errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.application import Touchline
from domain.errors import InvalidValueError, NotFoundError, StaleVersionError
from domain.service import Receipt

ACTOR = "user:agent-1"


def scenario(app: Touchline, t: datetime) -> list[Receipt]:
    """One command of each kind, in order."""
    customer = app.register_customer(name="Ada", occurred_at=t, actor=ACTOR)
    case = app.open_case(customer_id=customer.id, subject="Broken", channel="email", occurred_at=t, actor=ACTOR)
    promise = app.make_promise(customer_id=customer.id, what="Call back", due_at=t + timedelta(days=1),
                               owner="user:ann", channel="phone", case_id=case.id, occurred_at=t, actor=ACTOR)
    return [
        customer, case, promise,
        app.record_touchpoint(customer_id=customer.id, channel="phone", direction="outbound", kind="follow_up",
                              subject="Called back", occurred_at=t, actor=ACTOR),
        app.reply_to_case(case.id, body="Fixed?", occurred_at=t, actor=ACTOR),
        app.keep_promise(promise.id, evidence="Called", occurred_at=t, actor=ACTOR),
        app.open_deal(customer_id=customer.id, product_id=None, title="Upgrade", value="99.90", owner="user:ann",
                      occurred_at=t, actor=ACTOR),
        app.register_user(email="ann@example.com", name="Ann", role="agent", occurred_at=t, actor="user:admin"),
        app.register_product(name="GTX Pro", series="GTX", list_price=4821, occurred_at=t, actor="user:admin"),
        app.configure_pipeline(stages=["Lead", "Proposal"], open_deals_by_stage={}, occurred_at=t, actor="user:admin"),
    ]


def test_receipt_positions_increase_command_after_command(memory_app: Touchline, now: datetime) -> None:
    positions = [r.position for r in scenario(memory_app, now)]
    assert all(p is not None for p in positions)
    assert positions == sorted(set(positions))  # strictly increasing
    assert positions[-1] == memory_app.recorder.max_notification_id()


def test_a_receipt_names_the_new_version(memory_app: Touchline, customer_id: UUID, now: datetime) -> None:
    receipt = memory_app.give_consent(customer_id, purpose="surveys", occurred_at=now, actor=ACTOR)
    assert (receipt.id, receipt.version) == (customer_id, 2)
    assert memory_app.get_customer(customer_id).version == 2


def test_every_recorded_event_carries_aware_business_time_and_actor(memory_app: Touchline, now: datetime) -> None:
    scenario(memory_app, now)
    notifications = memory_app.recorder.select_notifications(start=1, limit=1000)
    events = [memory_app.mapper.to_domain_event(n) for n in notifications]
    assert len(events) >= 12
    assert all(e.occurred_at.utcoffset() is not None and e.actor for e in events)


COMMANDS: dict[str, Callable[[Touchline, UUID, datetime], Any]] = {
    "register_customer": lambda app, c, t: app.register_customer(name="Bo", occurred_at=t, actor=ACTOR),
    "change_customer_details": lambda app, c, t: app.change_customer_details(c, name="Bo", occurred_at=t,
                                                                             actor=ACTOR),
    "record_touchpoint": lambda app, c, t: app.record_touchpoint(
        customer_id=c, channel="sms", direction="inbound", kind="other", subject="Hi", occurred_at=t, actor=ACTOR),
    "open_case": lambda app, c, t: app.open_case(customer_id=c, subject="Hi", channel="sms", occurred_at=t,
                                                 actor=ACTOR),
    "make_promise": lambda app, c, t: app.make_promise(
        customer_id=c, what="Call", due_at=datetime(2026, 3, 3, 9, tzinfo=timezone.utc), owner="user:ann",
        channel="phone", occurred_at=t, actor=ACTOR),
    "open_deal": lambda app, c, t: app.open_deal(customer_id=c, product_id=None, title="X", value=1,
                                                 owner="user:ann", occurred_at=t, actor=ACTOR),
    "register_user": lambda app, c, t: app.register_user(email="bo@example.com", name="Bo", role="agent",
                                                         occurred_at=t, actor=ACTOR),
    "register_product": lambda app, c, t: app.register_product(name="MG", series=None, list_price=1,
                                                               occurred_at=t, actor=ACTOR),
    "configure_pipeline": lambda app, c, t: app.configure_pipeline(stages=["Lead"], open_deals_by_stage={},
                                                                   occurred_at=t, actor=ACTOR),
    "give_consent": lambda app, c, t: app.give_consent(c, purpose="surveys", occurred_at=t, actor=ACTOR),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_naive_occurred_at_is_refused_by_every_command(
    memory_app: Touchline, customer_id: UUID, now: datetime, command: str
) -> None:
    before = memory_app.recorder.max_notification_id()
    with pytest.raises(InvalidValueError, match="naive") as caught:
        COMMANDS[command](memory_app, customer_id, now.replace(tzinfo=None))
    assert caught.value.field == "occurred_at"
    assert memory_app.recorder.max_notification_id() == before


GETTERS: dict[str, Callable[[Touchline, UUID], Any]] = {
    "customer": lambda app, i: app.get_customer(i),
    "customer as of version 1": lambda app, i: app.get_customer(i, version=1),
    "case": lambda app, i: app.get_case(i),
    "case as of version 1": lambda app, i: app.get_case(i, version=1),
    "touchpoint": lambda app, i: app.get_touchpoint(i),
    "promise": lambda app, i: app.get_promise(i),
    "deal": lambda app, i: app.get_deal(i),
    "user": lambda app, i: app.get_user(i),
    "product": lambda app, i: app.get_product(i),
    "sla policy": lambda app, i: app.get_sla_policy(i),
}


@pytest.mark.parametrize("getter", sorted(GETTERS))
def test_an_unknown_id_is_not_found(memory_app: Touchline, getter: str) -> None:
    with pytest.raises(NotFoundError):
        GETTERS[getter](memory_app, uuid4())


@pytest.mark.parametrize("getter", sorted(set(GETTERS) - {"customer", "customer as of version 1"}))
def test_an_id_of_another_kind_of_record_is_not_found(memory_app: Touchline, customer_id: UUID, getter: str) -> None:
    with pytest.raises(NotFoundError):
        GETTERS[getter](memory_app, customer_id)


def test_acting_on_a_stale_version_is_refused(memory_app: Touchline, case_id: UUID, now: datetime) -> None:
    memory_app.assign_case(case_id, assignee="user:ann", expected_version=1, occurred_at=now, actor=ACTOR)
    with pytest.raises(StaleVersionError, match="CASE-000001 is at version 2, not 1"):
        memory_app.resolve_case(case_id, resolution="Done", expected_version=1, occurred_at=now, actor=ACTOR)
    assert memory_app.get_case(case_id).status == "open"


def test_history_is_readable_as_of_any_version(memory_app: Touchline, customer_id: UUID, now: datetime) -> None:
    memory_app.change_customer_details(customer_id, name="Ada King", occurred_at=now, actor=ACTOR)
    names = [memory_app.get_customer(customer_id, version=v).name for v in (1, 2)]
    assert names == ["Ada Lovelace", "Ada King"]
