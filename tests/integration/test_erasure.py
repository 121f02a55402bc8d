"""GDPR erasure by crypto-shredding, on SQLite and PostgreSQL: personal fields are ciphertext in
the database, erasure destroys the customer's key in the same transaction as its ``Erased``
event, and afterwards every read path shows "[erased]" while figures, the other customers, a
rebuild from zero and the hash chain are unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
import sqlalchemy as sa

from domain.clock import FixedClock
from domain.customers.model import CustomerErasedError
from domain.errors import NotFoundError
from domain.personal import ERASED
from projections.chain_verify import verify_chain
from projections.queries.customer_page import get_customer_page
from projections.queries.customers import get_customer
from projections.queries.funnel import get_funnel
from projections.queries.sla import get_compliance, list_breaches
from projections.registry import all_projections
from projections.verify import verify_projections
from projections.views.cases import cases
from projections.views.deals import deals
from projections.views.promises import promises
from projections.views.touchpoints import touchpoints
from web.services import Services, build_services

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AGENT = "user:agent-1"
TARGETS = {"normal": {"first_response": {"minutes": 60, "business_hours": False},
                      "resolution": {"minutes": 240, "business_hours": False}}}
OFFICE = {"timezone": "Europe/Berlin", "hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}}


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    found = build_services({"DATABASE_URL": database_url}, clock=FixedClock(at(48)))
    found.app.define_sla_policy(name="Standard", position=1, conditions=None, targets=TARGETS, calendar=OFFICE,
                                occurred_at=at(-100), actor="user:admin")
    yield found
    found.close()


def history(s: Services, name: str, email: str) -> dict[str, UUID]:
    """A customer with a touchpoint (corrected), a case (replied, transferred, resolved late),
    a kept promise and a won deal: every kind of record that quotes personal data."""
    app = s.app
    customer = app.register_customer(name=name, contact_points=[{"kind": "email", "value": email}],
                                     segment={"sector": "retail"}, occurred_at=at(-50), actor=AGENT).id
    touch = app.record_touchpoint(customer_id=customer, channel="phone", direction="inbound", kind="complaint",
                                  subject=f"{name}: printer on fire", summary=f"{name} smelled smoke",
                                  occurred_at=at(-10), actor=AGENT).id
    again = app.record_touchpoint(customer_id=customer, channel="email", direction="inbound", kind="complaint",
                                  subject=f"RE: {name}: printer on fire", occurred_at=at(-9), actor=AGENT).id
    app.retract_touchpoint(again, reason=f"{name}'s brother wrote it", occurred_at=at(-8.5), actor=AGENT)
    app.correct_touchpoint(touch, changes={"channel": "chat", "summary": f"{name} saw flames"}, reason="typo",
                           occurred_at=at(-9), actor=AGENT)
    case = app.open_case(customer_id=customer, subject=f"{name}'s fire", description=f"{name} lives in Leeds",
                         channel="email", occurred_at=at(-8), actor=AGENT).id
    app.reply_to_case(case, body=f"Dear {name}, on our way", occurred_at=at(-7.5), actor=AGENT)
    app.transfer_case(case, to_assignee="user:agent-2", note=f"{name} is upset", occurred_at=at(-7), actor=AGENT)
    app.resolve_case(case, resolution=f"Replaced {name}'s printer", occurred_at=at(-4), actor=AGENT)
    app.reopen_case(case, reason=f"{name} called back from her mobile", occurred_at=at(-3), actor=AGENT)
    app.resolve_case(case, resolution="Replaced again", occurred_at=at(-2), actor=AGENT)
    promise = app.make_promise(customer_id=customer, what=f"Call {name} back", due_at=at(-1), owner=AGENT,
                               channel="phone", contact_point="+44 113 496 0000", timezone="Europe/London",
                               occurred_at=at(-8), actor=AGENT).id
    app.keep_promise(promise, evidence=f"Spoke to {name}", occurred_at=at(-1.5), actor=AGENT)
    visit = app.make_promise(customer_id=customer, what="Visit", due_at=at(-1), owner=AGENT, channel="phone",
                             occurred_at=at(-8), actor=AGENT).id
    app.reschedule_promise(visit, due_at=at(1), reason=f"{name} is away", occurred_at=at(-7), actor=AGENT)
    app.cancel_promise(visit, reason=f"{name} no longer needs it", occurred_at=at(-6), actor=AGENT)
    deal = app.open_deal(customer_id=customer, product_id=None, title=f"Printer for {name}", value=900, owner=AGENT,
                         occurred_at=at(-6), actor=AGENT).id
    app.revise_deal(deal, value=950, note=f"{name} wants the stand too", occurred_at=at(-5), actor=AGENT)
    app.win_deal(deal, close_value=850, occurred_at=at(-3), actor=AGENT)
    return {"customer": customer, "touch": touch, "case": case, "promise": promise, "deal": deal}


def raw_events(s: Services) -> bytes:
    if s.storage.is_sqlite:
        with sa.create_engine(f"sqlite:///{s.storage.event_store_env['SQLITE_DBNAME']}").connect() as conn:
            return b"\n".join(bytes(r[0]) for r in conn.exec_driver_sql("SELECT state FROM stored_events"))
    with psycopg.connect(s.storage.url) as conn:
        return b"\n".join(bytes(r[0]) for r in conn.execute("SELECT state FROM touchline_events"))


def keys(s: Services) -> list[tuple[Any, ...]]:
    sql = "SELECT subject_id, data_key IS NULL, erased_at IS NOT NULL FROM {}_keys"
    if s.storage.is_sqlite:
        with sa.create_engine(f"sqlite:///{s.storage.event_store_env['SQLITE_DBNAME']}").connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(sql.format("stored_events"))]
    with psycopg.connect(s.storage.url) as conn:
        return [tuple(r) for r in conn.execute(sql.format("touchline_events"))]


def figures(s: Services) -> dict[str, Any]:
    s.projection_runner().catch_up()
    with s.views.connect() as conn:
        return {"funnel": get_funnel(conn, as_of=at(48)), "breaches": list_breaches(conn, at(48)),
                "compliance": get_compliance(conn, at(-100), at(48), "target", at(48))}


def test_personal_fields_are_ciphertext_in_the_database(services: Services) -> None:
    ada = history(services, "Ada Lovelace", "ada@example.com")
    stored = raw_events(services)
    # Whole words: a short one (b"Ada") turns up by chance in base64 ciphertext about once in 25 runs.
    for secret in (b"Lovelace", b"ada@example.com", b"printer on fire", b"smelled smoke", b"Leeds", b"+44 113",
                   b"Europe/London"):
        assert secret not in stored
    assert b'"channel":"phone"' in stored and b'"kind":"email"' in stored  # what is not personal stays readable
    assert b'"_type_":"sealed"' in stored
    assert [k[1:] for k in keys(services) if UUID(str(k[0])) == ada["customer"]] == [(False, False)]


def test_another_process_reads_the_plaintext_back(services: Services, new_instance: Any) -> None:
    ada = history(services, "Ada Lovelace", "ada@example.com")
    other = new_instance()
    customer = other.get_customer(ada["customer"])
    assert (customer.name, customer.contact_points) == ("Ada Lovelace", [{"kind": "email", "value": "ada@example.com"}])
    touch = other.repository.get(ada["touch"])
    assert (touch.subject, touch.summary, touch.channel) == ("Ada Lovelace: printer on fire", "Ada Lovelace saw flames",
                                                             "chat")


def test_erasure_reaches_every_read_model_and_keeps_the_figures(services: Services) -> None:
    ada = history(services, "Ada Lovelace", "ada@example.com")
    bob = history(services, "Bob Byte", "bob@example.com")
    before = figures(services)
    services.app.erase_customer(ada["customer"], reason="GDPR request 17", occurred_at=at(47), actor="user:admin")

    assert figures(services) == before
    with services.views.connect() as conn:
        row = get_customer(conn, str(ada["customer"]))
        page = get_customer_page(conn, str(ada["customer"]), now=at(48), timeline_limit=100)
        subjects = {r.customer_id: r.subject for r in conn.execute(sa.select(cases.c.customer_id, cases.c.subject))}
        touched = {r.subject for r in conn.execute(sa.select(touchpoints.c.subject).where(
            touchpoints.c.customer_id == str(ada["customer"])))}
        promised = list(conn.execute(sa.select(promises.c.what, promises.c.contact_point, promises.c.timezone).where(
            promises.c.customer_id == str(ada["customer"]))).all())
        bob_row = get_customer(conn, str(bob["customer"]))
        titles = dict(conn.execute(sa.select(deals.c.customer_id, deals.c.title)).all())
    assert (row["name"], row["email"], row["contact_points"]) == (ERASED, ERASED, [{"kind": "email", "value": ERASED}])
    assert row["touches"] == 1 and row["won_value"] == bob_row["won_value"]  # figures kept (one touch retracted)
    lines = [line["summary"] for line in page["timeline"].items]
    assert lines[0] == "Personal data erased: GDPR request 17"
    assert not [line for line in lines if "Ada" in line or "fire" in line or "Leeds" in line]
    assert [line["detail"] for line in page["timeline"].items if line["detail"]] == []  # the full texts too
    assert f"Touchpoint: {ERASED}" in lines
    assert subjects[str(ada["customer"])] == ERASED and subjects[str(bob["customer"])] == "Bob Byte's fire"
    assert touched == {ERASED} and [tuple(p) for p in promised] == [(ERASED, ERASED, None)] * 2
    assert titles == {str(ada["customer"]): ERASED, str(bob["customer"]): "Printer for Bob Byte"}  # free text
    assert "Deal opened: [erased]" in lines
    assert (bob_row["name"], bob_row["email"]) == ("Bob Byte", "bob@example.com")


def test_a_rebuild_after_erasure_gives_the_live_rows(services: Services) -> None:
    ada = history(services, "Ada Lovelace", "ada@example.com")
    history(services, "Bob Byte", "bob@example.com")
    services.projection_runner().catch_up()  # live rows hold the plaintext until the erasure arrives
    services.app.erase_customer(ada["customer"], reason="GDPR", occurred_at=at(47), actor="user:admin")
    services.app.is_erased = lambda _customer: False  # a process that has not heard of the erasure yet writes
    services.app.record_touchpoint(customer_id=ada["customer"], channel="sms", direction="inbound", kind="inquiry",
                                   subject="Ada again", occurred_at=at(47.5), actor=AGENT)
    services.projection_runner().catch_up()
    reports = verify_projections(services.app, services.views, all_projections())
    assert {r.projection: [d.describe() for d in r.differences] for r in reports if r.differences} == {}


def test_events_decode_with_erased_fields_and_the_chain_still_verifies(services: Services, new_instance: Any) -> None:
    ada = history(services, "Ada Lovelace", "ada@example.com")
    services.app.erase_customer(ada["customer"], reason="GDPR", occurred_at=at(47), actor="user:admin")
    other = new_instance()
    customer = other.get_customer(ada["customer"])
    # The segment goes too: an import may have put a city, an employer or a birthday in it.
    assert (customer.name, customer.contact_points, customer.segment, customer.external_ref) == (
        ERASED, [{"kind": "email", "value": ERASED}], {}, ERASED)
    events = list(other.events.get(ada["touch"]))
    assert (events[0].subject, events[0].summary, events[0].channel) == (ERASED, ERASED, "phone")
    assert events[1].changes == {"channel": "chat", "summary": ERASED}  # a corrected channel is not personal
    assert [k[1:] for k in keys(services) if UUID(str(k[0])) == ada["customer"]] == [(True, True)]
    assert verify_chain(other.recorder, None).ok


@pytest.mark.parametrize("asked", ["first", "second", "third"])
def test_erasing_any_record_of_a_merged_person_erases_them_all(services: Services, asked: str) -> None:
    """first was merged into second, second into third: one person, whichever record the request names."""
    people = {name: history(services, f"Ada {name}", f"ada.{name}@example.com")["customer"]
              for name in ("first", "second", "third")}
    services.app.merge_customers(people["first"], survivor_id=people["second"], occurred_at=at(46), actor=AGENT)
    services.app.merge_customers(people["second"], survivor_id=people["third"], occurred_at=at(46), actor=AGENT)
    receipt = services.app.erase_customer(people[asked], reason="GDPR", occurred_at=at(47), actor="user:admin")
    assert receipt.id == people["third"]  # the survivor's receipt
    assert [services.app.get_customer(c).name for c in people.values()] == [ERASED] * 3
    with pytest.raises(CustomerErasedError):
        services.app.erase_customer(people["first"], reason="again", occurred_at=at(47), actor="user:admin")


def test_nothing_new_is_recorded_about_an_erased_customer_even_by_another_process(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its content would be thrown away (stored as erased): refused, so the caller registers them anew."""
    ada = history(services, "Ada Lovelace", "ada@example.com")
    other = build_services({"DATABASE_URL": services.config["DATABASE_URL"]}, clock=services.clock)
    try:
        other.app.check_customer_exists(ada["customer"])  # the other process knows her, and her key
        services.app.erase_customer(ada["customer"], reason="GDPR", occurred_at=at(47), actor="user:admin")
        monkeypatch.setattr("projections.crypto.ERASURES_REFRESH", 0.0)  # its next look at the erasures
        for app in (services.app, other.app):
            events = app.recorder.max_notification_id()
            with pytest.raises(CustomerErasedError):
                app.record_touchpoint(customer_id=ada["customer"], channel="sms", direction="inbound",
                                      kind="inquiry", subject="Ada again", occurred_at=at(48), actor=AGENT)
            with pytest.raises(CustomerErasedError):
                app.open_case(customer_id=ada["customer"], subject="Again", channel="sms", occurred_at=at(48),
                              actor=AGENT)
            assert app.recorder.max_notification_id() == events
    finally:
        other.close()


def test_erasing_twice_or_an_unknown_customer_is_an_error(services: Services) -> None:
    ada = history(services, "Ada Lovelace", "ada@example.com")
    services.app.erase_customer(ada["customer"], reason="GDPR", occurred_at=at(47), actor="user:admin")
    with pytest.raises(CustomerErasedError):
        services.app.erase_customer(ada["customer"], reason="again", occurred_at=at(47), actor="user:admin")
    with pytest.raises(NotFoundError):
        services.app.erase_customer(ada["case"], reason="not a customer", occurred_at=at(47), actor="user:admin")


def test_webhook_secrets_are_sealed_at_rest_and_destroyed_with_the_webhook(services: Services,
                                                                          new_instance: Any) -> None:
    app, admin = services.app, "user:admin"
    issued = app.create_webhook(url="https://hooks.example.com/in", event_types="Customer.*", occurred_at=at(0),
                                actor=admin)
    webhook = issued.receipt.id
    rotated = app.rotate_webhook_secret(webhook, occurred_at=at(1), actor=admin)
    stored = raw_events(services)
    assert issued.secret.encode() not in stored and rotated.secret.encode() not in stored
    assert new_instance().get_webhook(webhook).secret == rotated.secret  # what the sender signs with

    app.delete_webhook(webhook, occurred_at=at(2), actor=admin)
    assert [k[1:] for k in keys(services) if UUID(str(k[0])) == webhook] == [(True, True)]
    assert new_instance().get_webhook(webhook).secret == ERASED
