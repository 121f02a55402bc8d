"""Event versioning on real storage: an old shape of ``Customer.Registered`` loads through an upcaster.

Stands for the day ``segment`` is added to registrations: events stored before it lack the
field, and ``domain.upcasting.upcaster`` (the pattern its docstring describes) fills it in.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from domain.application import Touchline
from domain.customers.model import Customer
from domain.upcasting import upcaster

ACTOR = "import:crm"
T = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


def store_old_registration(app: Touchline, name: str) -> UUID:
    """Write a ``Customer.Registered`` as version 1 stored it: no ``segment``, no ``class_version``."""
    template = app.register_customer(name=name, occurred_at=T, actor=ACTOR).id
    [current] = app.recorder.select_events(template)
    state = json.loads(current.state)
    del state["segment"]
    state["name"] = name  # as stored then: in the clear (a sealed name opens only in its own stream)
    state.pop("class_version", None)
    old_id = uuid4()
    app.recorder.insert_events([StoredEvent(old_id, 1, current.topic, json.dumps(state).encode())])
    return old_id


def segment_v1_v2(state: dict[str, Any]) -> None:
    state["segment"] = {}  # version 1 registrations carried no segment


@pytest.fixture
def registered_v2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``Customer.Registered`` version 2 for one test; removed afterwards."""
    for name in ("class_version", "upcast_v1_v2"):
        monkeypatch.setattr(Customer.Registered, name, None, raising=False)
        monkeypatch.delattr(Customer.Registered, name)
    upcaster(Customer.Registered, from_version=1)(segment_v1_v2)


def test_without_an_upcaster_the_old_shape_does_not_load(stored_app: Touchline) -> None:
    old = store_old_registration(stored_app, "Ada")
    with pytest.raises(TypeError, match="segment"):
        stored_app.get_customer(old)


def test_an_old_registration_loads_through_the_upcaster(registered_v2: None, stored_app: Touchline) -> None:
    old = store_old_registration(stored_app, "Ada")
    customer = stored_app.get_customer(old)
    assert (customer.name, customer.segment, customer.version) == ("Ada", {}, 1)

    stored_app.change_customer_details(old, segment={"sector": "retail"}, occurred_at=T, actor=ACTOR)
    assert stored_app.get_customer(old).segment == {"sector": "retail"}


def test_new_registrations_are_stored_as_version_2_and_not_upcast_again(
    registered_v2: None, stored_app: Touchline
) -> None:
    new = stored_app.register_customer(name="Bo", segment={"sector": "medical"}, occurred_at=T, actor=ACTOR).id
    [stored] = stored_app.recorder.select_events(new)
    assert json.loads(stored.state)["class_version"] == 2
    assert stored_app.get_customer(new).segment == {"sector": "medical"}


def test_a_retraction_stored_before_it_said_what_it_took_back_still_loads(
    stored_app: Touchline,
) -> None:
    """Version 1 of ``Touchpoint.Retracted`` had no ``recorded_channel`` / ``recorded_at``: they load
    as None, which the customer 360 reads as "nothing to take back" (as it did then)."""
    customer = stored_app.register_customer(name="Ann", occurred_at=T, actor=ACTOR).id
    touchpoint = stored_app.record_touchpoint(customer_id=customer, channel="phone", direction="inbound",
                                              kind="inquiry", subject="Hi", occurred_at=T, actor=ACTOR).id
    template = stored_app.record_touchpoint(customer_id=customer, channel="phone", direction="inbound",
                                            kind="inquiry", subject="Template", occurred_at=T, actor=ACTOR).id
    stored_app.retract_touchpoint(template, reason="typo", occurred_at=T, actor=ACTOR)
    current = stored_app.recorder.select_events(template)[-1]
    state = json.loads(current.state)
    for name in ("recorded_channel", "recorded_at", "class_version"):
        state.pop(name, None)
    stored_app.recorder.insert_events([StoredEvent(touchpoint, 2, current.topic, json.dumps(state).encode())])
    retraction = list(stored_app.events.get(touchpoint))[-1]
    assert (retraction.recorded_channel, retraction.recorded_at) == (None, None)
    assert stored_app.get_touchpoint(touchpoint).retracted


def test_a_rotation_stored_before_the_overlap_still_loads_and_stopped_the_old_secret(stored_app: Touchline) -> None:
    """Version 1 of ``WebhookSubscription.SecretRotated`` had no ``previous_until``: the previous
    secret stopped at once then, and still reads so."""
    issued = stored_app.create_webhook(url="https://hooks.example/in", event_types="*", occurred_at=T, actor=ACTOR)
    webhook = issued.receipt.id
    rotated = stored_app.rotate_webhook_secret(webhook, occurred_at=T, actor=ACTOR)
    current = stored_app.recorder.select_events(webhook)[-1]  # its sealed secret opens under this webhook's key
    state = json.loads(current.state)
    for name in ("previous_until", "class_version"):
        state.pop(name, None)
    stored_app.recorder.insert_events([StoredEvent(webhook, 3, current.topic, json.dumps(state).encode())])
    found = stored_app.get_webhook(webhook)
    assert (found.version, found.previous_until, found.signing_secrets(T)) == (3, None, [rotated.secret])


def test_a_deal_opened_before_expected_close_dates_loads_without_one_and_can_be_given_one(
    stored_app: Touchline,
) -> None:
    """Version 1 of ``Deal.Opened`` had no ``expected_close_on``: such deals load undated."""
    template = stored_app.open_deal(customer_id=None, product_id=None, title="Fleet", value=100, owner="user:ann",
                                    expected_close_on="2026-05-01", occurred_at=T, actor=ACTOR).id
    [current] = stored_app.recorder.select_events(template)
    state = json.loads(current.state)
    for name in ("expected_close_on", "class_version"):
        state.pop(name, None)
    state["title"] = "Fleet"  # as stored then: in the clear
    old = uuid4()
    stored_app.recorder.insert_events([StoredEvent(old, 1, current.topic, json.dumps(state).encode())])
    deal = stored_app.get_deal(old)
    assert (deal.title, deal.expected_close_on, deal.revised_at) == ("Fleet", None, T)
    stored_app.revise_deal(old, expected_close_on="2026-06-30", occurred_at=T, actor=ACTOR)
    assert stored_app.get_deal(old).expected_close_on == "2026-06-30"


@pytest.mark.parametrize("kind", ["case reopened", "promise rescheduled", "promise cancelled"])
def test_reasons_stored_before_they_named_their_customer_still_load(stored_app: Touchline, kind: str) -> None:
    """Version 1 of ``Case.Reopened``, ``Promise.Rescheduled`` and ``Promise.Cancelled`` had no
    ``customer_id``: they load with None (their reason was stored in the clear, and stays so)."""
    customer = stored_app.register_customer(name="Ann", occurred_at=T, actor=ACTOR).id
    if kind == "case reopened":
        record = stored_app.open_case(customer_id=customer, subject="Hi", channel="chat", occurred_at=T, actor=ACTOR).id
        stored_app.resolve_case(record, resolution="Done", occurred_at=T, actor=ACTOR)
        stored_app.reopen_case(record, reason="Still broken", occurred_at=T, actor=ACTOR)
    else:
        record = stored_app.make_promise(customer_id=customer, what="Call back", due_at=T + timedelta(days=1),
                                         owner="user:ann", channel="phone", occurred_at=T, actor=ACTOR).id
        if kind == "promise rescheduled":
            stored_app.reschedule_promise(record, due_at=T + timedelta(days=2), reason="Away", occurred_at=T,
                                          actor=ACTOR)
        else:
            stored_app.cancel_promise(record, reason="Not needed", occurred_at=T, actor=ACTOR)
    current = stored_app.recorder.select_events(record)[-1]
    state = json.loads(current.state)
    for name in ("customer_id", "class_version"):
        state.pop(name, None)
    state["reason"] = "In the clear"  # as stored then
    stored_app.recorder.insert_events([StoredEvent(record, current.originator_version + 1, current.topic,
                                                   json.dumps(state).encode())])
    old = list(stored_app.events.get(record))[-1]
    assert (old.customer_id, old.reason) == (None, "In the clear")


def old_promise(app: Touchline, drop: tuple[str, ...], **stored: Any) -> tuple[UUID, UUID]:
    """A promise made now (the template) and a copy of its ``Made`` as an older version stored it:
    without the fields ``drop`` names, personal fields in the clear (sealing came later), ``stored``
    set. Returns (the copy's id, the template's)."""
    customer = app.register_customer(name="Ann", occurred_at=T, actor=ACTOR).id
    template = app.make_promise(customer_id=customer, what="Call back", due_at=T + timedelta(days=1),
                                owner="user:ann", channel="phone", timezone="Asia/Tokyo", occurred_at=T,
                                actor=ACTOR).id
    [current] = app.recorder.select_events(template)
    state = {k: v for k, v in json.loads(current.state).items() if k not in (*drop, "class_version")}
    state.update(what="Call back", contact_point=None, **stored)
    old = uuid4()
    app.recorder.insert_events([StoredEvent(old, 1, current.topic, json.dumps(state).encode())])
    return old, template


def test_a_promise_made_before_time_zones_were_recorded_loads_in_the_business_zone(stored_app: Touchline) -> None:
    """Version 1 of ``Promise.Made`` had no ``timezone``: such promises load with None (what we write
    about them names the time in the business's zone, as it did then)."""
    old, template = old_promise(stored_app, ("timezone", "reply_to"))
    promise = stored_app.get_promise(old)
    assert (promise.what, promise.timezone, promise.due_at) == ("Call back", None, T + timedelta(days=1))
    assert stored_app.get_promise(template).timezone == "Asia/Tokyo"


def test_an_erasure_stored_before_it_kept_address_digests_loads_with_none(stored_app: Touchline) -> None:
    """Version 1 of ``Customer.Erased`` kept no digests of the addresses: such erasures load with an
    empty list (an import cannot recognise those people by address; by their id it still does)."""
    template = stored_app.register_customer(name="Ann", contact_points=[{"kind": "email", "value": "ann@example.com"}],
                                            occurred_at=T, actor=ACTOR).id
    stored_app.erase_customer(template, reason="GDPR", occurred_at=T, actor=ACTOR)
    erased = list(stored_app.recorder.select_events(template))[-1]
    state = json.loads(erased.state)
    assert state.pop("forgotten") and state.pop("class_version") == 2
    old = uuid4()
    stored_app.recorder.insert_events([StoredEvent(old, 2, erased.topic, json.dumps(state).encode())])
    assert list(stored_app.events.get(old))[-1].forgotten == []


def test_a_promise_made_before_it_recorded_the_address_it_was_booked_with_loads_with_none(
        stored_app: Touchline) -> None:
    """Version 2 of ``Promise.Made`` had no ``reply_to``: such promises load with None (what we write
    about them goes to the customer's first address, as it did then)."""
    old, _ = old_promise(stored_app, ("reply_to",), timezone="Asia/Tokyo", class_version=2)
    promise = stored_app.get_promise(old)
    assert (promise.timezone, promise.reply_to) == ("Asia/Tokyo", None)
