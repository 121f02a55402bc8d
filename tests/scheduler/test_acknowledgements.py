"""Every new case is acknowledged once, with its tracking code and when to expect an answer;
the acknowledgement is not a response as far as the SLA is concerned."""

from __future__ import annotations

from uuid import UUID

from projections.queries.sla import get_case_sla, list_breaches
from projections.views.cases import cases
from scheduler.cases import acknowledge_cases
from tests.scheduler.conftest import ADMIN, ROUND_THE_CLOCK, World, define_policy

EMAIL_IN = {"channel": "email", "direction": "inbound", "kind": "inquiry", "subject": "Printer jams",
            "contact_point": "ada.l@work.example"}


def test_a_new_case_is_acknowledged_with_its_code_and_the_first_response_time_of_its_sla(world: World) -> None:
    define_policy(world, first_response=90)
    case_id = world.case(touchpoint=EMAIL_IN)
    world.tick()
    world.tick()
    ack, = world.sink.messages
    code = world.app.get_case(case_id).tracking_code
    assert ack["To"] == "ada.l@work.example"  # where the customer wrote from
    assert ack["Subject"] == f"[{code}] We have received your request: Printer jams"
    assert "by 2026-03-02 10:30 UTC (within 1 hour 30 minutes)" in ack.get_content()
    case = world.app.get_case(case_id)
    assert case.acknowledged
    assert world.app.get_message(UUID(list(world.app.events.get(case_id))[-1].message_id)).message_id \
        == ack["Message-ID"]


def test_the_expected_answer_time_is_told_in_the_zone_of_the_cases_calendar_as_its_status_page_does(
        world: World) -> None:
    calendar = {**ROUND_THE_CLOCK, "timezone": "Europe/Warsaw"}
    targets = {kind: {"minutes": 90, "business_hours": False} for kind in ("first_response", "next_response",
                                                                          "resolution")}
    world.app.define_sla_policy(name="Poland", position=10, conditions=None, calendar=calendar,
                                targets={p: targets for p in ("low", "normal", "high", "urgent")},
                                occurred_at=world.clock.now(), actor=ADMIN)
    world.case(touchpoint=EMAIL_IN)
    world.tick()
    world.tick()
    ack, = world.sink.messages
    assert "by 2026-03-02 11:30 CET (within 1 hour 30 minutes)" in ack.get_content()  # 10:30 UTC


def test_a_case_answered_before_the_scheduler_came_round_gets_no_acknowledgement(world: World) -> None:
    """The agent was quicker: "we have received your request" after their answer would read oddly."""
    case_id = world.case(touchpoint=EMAIL_IN)
    world.app.reply_to_case(case_id, body="Try the rear tray.", occurred_at=world.clock.now(), actor=world.agent_ref)
    world.tick()
    world.tick()
    assert [m["Subject"] for m in world.sink.messages if "received your request" in m["Subject"]] == []
    assert len(world.sink.messages) == 1  # the answer itself


def test_without_an_sla_the_acknowledgement_promises_no_time(world: World) -> None:
    world.case()
    world.tick()
    ack, = world.mail_to("ada@example.com")  # the customer's own address: the case came with no contact
    assert "We will answer you as soon as we can." in ack.get_content()


def test_the_automatic_acknowledgement_does_not_count_as_a_first_response(world: World) -> None:
    define_policy(world, first_response=60)
    case_id = world.case(touchpoint=EMAIL_IN)
    world.tick()
    assert world.app.get_case(case_id).acknowledged
    with world.services.views.connect() as conn:
        row = conn.execute(cases.select().where(cases.c.id == str(case_id))).mappings().one()
        assert row["acknowledged_at"] is not None and row["first_response_at"] is None
        first, = [t for t in get_case_sla(conn, case_id, world.clock.now()) if t["target"] == "first_response"]
        assert first["status"] == "active"
    world.clock.advance(minutes=61)
    with world.services.views.connect() as conn:
        breached = [(b["case_id"], b["target"]) for b in list_breaches(conn, world.clock.now())]
    assert (str(case_id), "first_response") in breached


def test_a_customer_without_a_contact_point_is_not_written_to_and_the_outbox_shows_why(world: World) -> None:
    silent = world.app.register_customer(name="No Contact", occurred_at=world.clock.now(), actor="system:test").id
    case_id = world.app.open_case(customer_id=silent, subject="Call me", channel="phone",
                                  occurred_at=world.clock.now(), actor=world.agent_ref).id
    world.tick()
    message = world.app.get_message(UUID(list(world.app.events.get(case_id))[-1].message_id))
    assert (message.status, message.recipient) == ("gave_up", None)
    assert world.sink.messages == []


def test_a_message_queued_before_the_customer_was_erased_is_given_up_not_sent(world: World) -> None:
    case_id = world.case()
    world.catch_up()
    acknowledge_cases(world.ctx)  # queued for ada@example.com, not sent yet
    world.app.erase_customer(world.customer, reason="GDPR request", occurred_at=world.clock.now(), actor="user:admin")
    world.tick()
    message = world.app.get_message(UUID(list(world.app.events.get(case_id))[-1].message_id))
    assert message.status == "gave_up"
    assert "personal data was erased" in list(world.app.events.get(message.id))[-1].error
    assert world.sink.messages == []
