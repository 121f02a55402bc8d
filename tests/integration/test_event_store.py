"""Commands round-trip through real storage (SQLite and PostgreSQL): a new Application instance on
the same database, as a restarted process would, sees exactly what was recorded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from domain.application import Touchline
from domain.base import Entity
from domain.customers.model import Customer
from domain.deals.model import Deal, Pipeline
from domain.promises.model import Promise
from projections.storage import storage_from_url

ACTOR = "user:agent-1"
# Business times with microseconds and zones other than UTC, to prove nothing is rounded or shifted.
T = datetime(2026, 3, 2, 9, 15, 30, 123456, tzinfo=ZoneInfo("Europe/Berlin"))
DUE = datetime(2026, 3, 29, 2, 30, 0, 1, tzinfo=timezone(timedelta(hours=-3, minutes=-30)))


@pytest.fixture
def reopened(database_url: str) -> Iterator[Touchline]:
    """A second Application on the same database: reads only what storage kept."""
    app = Touchline(env=storage_from_url(database_url).event_store_env)
    yield app
    app.close()


def state(aggregate: Entity) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def test_every_kind_of_record_reads_back_the_same_from_a_new_instance(
    stored_app: Touchline, reopened: Touchline
) -> None:
    app = stored_app
    customer = app.register_customer(name="Ada", kind="company", contact_points=[{"kind": "email", "value": "a@b.io"}],
                                     segment={"sector": "retail"}, occurred_at=T, actor=ACTOR).id
    duplicate = app.register_customer(name="Ada Ltd", occurred_at=T, actor=ACTOR).id
    app.merge_customers(duplicate, survivor_id=customer, occurred_at=T, actor=ACTOR)
    case = app.open_case(customer_id=customer, subject="Broken", channel="web_form", priority="urgent",
                         occurred_at=T, actor=ACTOR,
                         touchpoint={"channel": "web_form", "direction": "inbound", "kind": "complaint",
                                     "subject": "Broken", "summary": "Screen flickers"}).id
    app.transfer_case(case, to_assignee="user:bob", note="Customer prefers mornings", occurred_at=T, actor=ACTOR)
    app.pend_case(case, reason="awaiting_customer", occurred_at=T, actor=ACTOR)
    app.record_customer_reply(case, body="Photo attached", channel="email", occurred_at=T, actor="customer:ada")
    promise = app.make_promise(customer_id=customer, what="Call back", due_at=DUE, owner="user:bob",
                               channel="callback", kind="callback", case_id=case, occurred_at=T, actor=ACTOR).id
    app.record_follow_up(promise, purpose="callback_reminder", message_id="<1@t>", occurred_at=T, actor="system:s")
    deal = app.open_deal(customer_id=customer, product_id=None, title="Fleet", value="120000.50", owner="user:bob",
                         occurred_at=T, actor=ACTOR).id
    app.win_deal(deal, close_value="119999.99", occurred_at=T + timedelta(days=3), actor=ACTOR)
    user = app.register_user(email="bob@example.com", name="Bob", role="agent", occurred_at=T, actor=ACTOR).id
    ids = {"customer": customer, "duplicate": duplicate, "case": case, "promise": promise, "deal": deal, "user": user}

    for name, aggregate_id in ids.items():
        assert state(reopened.repository.get(aggregate_id)) == state(app.repository.get(aggregate_id)), name
    again = reopened.get_case(case)
    assert (again.status, again.assignee, again.tracking_code) == ("open", "user:bob", "CASE-000001")
    assert reopened.find_case_id("case-000001") == case
    assert reopened.get_customer(duplicate).merged_into == customer
    assert reopened.get_promise(promise).follow_ups == {"callback_reminder": "<1@t>"}
    assert reopened.get_deal(deal).close_value == Decimal("119999.99")


def test_state_read_back_equals_the_state_before_saving(stored_app: Touchline, reopened: Touchline) -> None:
    customer = Customer.register(id=uuid4(),
                                 customer_kind="person", name="Ada", contact_points=[], segment={"size": "5"},
                                 occurred_at=T, actor=ACTOR)
    customer.change_details(contact_points=[{"kind": "phone", "value": "+49 30 12345"}], occurred_at=T, actor=ACTOR)
    pipeline = Pipeline(id=uuid4(), stages=["Lead", "Proposal"], occurred_at=T, actor=ACTOR)
    deal = Deal.open(id=uuid4(), pipeline=pipeline, customer_id=customer.id, product_id=None,
                     title="Upgrade", value=Decimal("10.10"), owner="user:bob", occurred_at=T, actor=ACTOR)
    deal.move(stage="Proposal", pipeline=pipeline, occurred_at=T + timedelta(seconds=1), actor=ACTOR)
    promise = Promise.make(id=uuid4(), customer_id=customer.id, what="Visit", due_at=DUE,
                           owner="user:bob", channel="visit", occurred_at=T, actor=ACTOR)
    before = [state(a) for a in (customer, deal, promise)]
    stored_app.save(customer, deal, promise)
    after = [state(reopened.repository.get(a.id)) for a in (customer, deal, promise)]
    assert after == before


# One test each (not parametrized): every PostgreSQL test costs a fresh database.
AMOUNTS = ["0.10", "0.00", "7", "1234.50", "999999999999.99", "1000000000000"]  # up to MAX_MONEY, digit for digit
TIMES = [T, DUE, datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Berlin")),  # the repeated hour
         datetime(2026, 1, 1, tzinfo=timezone.utc)]


def test_money_round_trips_exactly(stored_app: Touchline, reopened: Touchline) -> None:
    deals = [stored_app.open_deal(customer_id=None, product_id=None, title="X", value=amount, owner="user:bob",
                                  occurred_at=T, actor=ACTOR).id for amount in AMOUNTS]
    values = [reopened.get_deal(deal).value for deal in deals]
    assert all(isinstance(v, Decimal) for v in values)
    assert [v.as_tuple() for v in values] == [Decimal(a).as_tuple() for a in AMOUNTS]


def test_business_times_round_trip_to_the_microsecond_and_offset(stored_app: Touchline, reopened: Touchline) -> None:
    customer = stored_app.register_customer(name="Ada", occurred_at=T, actor=ACTOR).id
    for when in TIMES:
        promise = stored_app.make_promise(customer_id=customer, what="Call", due_at=when, owner="user:bob",
                                          channel="phone", occurred_at=when, actor=ACTOR).id
        made = next(iter(reopened.events.get(promise)))
        for read in (made.occurred_at, made.due_at, reopened.get_promise(promise).due_at):
            # Compared in UTC: Python never finds an ambiguous local time (fold=1) equal across zones.
            assert read.astimezone(timezone.utc) == when.astimezone(timezone.utc)
            assert (read.utcoffset(), read.microsecond) == (when.utcoffset(), when.microsecond)


def test_history_is_read_as_of_a_version_from_storage(stored_app: Touchline, reopened: Touchline) -> None:
    customer = stored_app.register_customer(name="Ada", occurred_at=T, actor=ACTOR).id
    case = stored_app.open_case(customer_id=customer, subject="Hi", channel="chat", occurred_at=T, actor=ACTOR).id
    stored_app.assign_case(case, assignee="user:ann", occurred_at=T, actor=ACTOR)
    stored_app.resolve_case(case, resolution="Done", occurred_at=T, actor=ACTOR)
    stored_app.change_customer_details(customer, name="Ada King", occurred_at=T, actor=ACTOR)
    assert [reopened.get_case(case, version=v).status for v in (1, 2, 3)] == ["new", "open", "resolved"]
    assert [reopened.get_customer(customer, version=v).name for v in (1, 2)] == ["Ada", "Ada King"]


def test_a_receipt_position_is_where_the_event_sits_in_the_log(stored_app: Touchline, reopened: Touchline) -> None:
    customer = stored_app.register_customer(name="Ada", occurred_at=T, actor=ACTOR)
    consent = stored_app.give_consent(customer.id, purpose="surveys", occurred_at=T, actor=ACTOR)
    for receipt, name in ((customer, "Registered"), (consent, "ConsentGiven")):
        assert receipt.position is not None
        [notification] = reopened.recorder.select_notifications(start=receipt.position, limit=1)
        read = reopened.mapper.to_domain_event(notification)
        assert (read.originator_id, read.originator_version, type(read).__name__) == (
            customer.id, receipt.version, name)
