"""Email out: an agent's public reply goes to the customer once, through the outbox, with the
tracking code in the subject and threading headers; internal notes are never sent; the
customer's answer to it threads back into the case by its Message-ID."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest
import sqlalchemy as sa

from domain.mail.model import inbound_mail_id
from projections.views.outbox import outbox
from projections.views.touchpoints import touchpoints
from tests.scheduler.conftest import World
from tests.scheduler.mail import case_events, mail, mail_in


def replies_to(world: World, address: str) -> list:
    return [m for m in world.mail_to(address) if m["Subject"].startswith("Re:")]


def opened_by_mail(world: World, tmp_path: Path) -> UUID:
    world.catch_up()
    core = mail_in(world, tmp_path)
    assert core.receive(mail("Re: Printer jams", sender="Ada <ada@example.com>", message_id="<a1@example.com>")) \
        == "case_opened"
    return world.app.get_inbound_mail(inbound_mail_id("<a1@example.com>")).case_id


def test_a_public_reply_is_mailed_once_with_code_and_threading_headers(world: World, tmp_path: Path) -> None:
    case_id = opened_by_mail(world, tmp_path)
    code = world.app.get_case(case_id).tracking_code
    world.tick()  # the acknowledgement goes out first
    world.app.reply_to_case(case_id, body="Please try the rear tray.", occurred_at=world.clock.now(),
                            actor=world.agent_ref)
    world.tick()
    world.tick()
    [sent] = replies_to(world, "ada@example.com")
    assert sent["Subject"] == f"Re: Printer jams [{code}]"
    assert (sent["In-Reply-To"], sent["References"]) == ("<a1@example.com>", "<a1@example.com>")
    assert "Please try the rear tray." in sent.get_content()
    # A person's reply, unlike the acknowledgement the scheduler wrote by itself (RFC 3834).
    [ack] = [m for m in world.mail_to("ada@example.com") if m is not sent]
    assert sent["Auto-Submitted"] is None and ack["Auto-Submitted"] == "auto-generated"
    # Recorded on the case: an outbound email touchpoint carrying the Message-ID that went out.
    recorded = [world.app.get_touchpoint(t) for t in _case_touchpoints(world, case_id)]
    assert [(t.direction, t.external_ref) for t in recorded if t.direction == "outbound"] == \
        [("outbound", sent["Message-ID"])]


def test_internal_notes_are_never_mailed(world: World, tmp_path: Path) -> None:
    case_id = opened_by_mail(world, tmp_path)
    world.app.reply_to_case(case_id, body="Customer seems upset", public=False, occurred_at=world.clock.now(),
                            actor=world.agent_ref)
    world.tick()
    assert replies_to(world, "ada@example.com") == []


def test_the_customers_answer_to_our_reply_threads_back_by_its_message_id(world: World, tmp_path: Path) -> None:
    case_id = opened_by_mail(world, tmp_path)
    world.app.reply_to_case(case_id, body="Please try the rear tray.", occurred_at=world.clock.now(),
                            actor=world.agent_ref)
    world.tick()
    [sent] = replies_to(world, "ada@example.com")
    answer = mail("Re: your answer", "That worked, thanks", sender="ada@example.com", message_id="<a2@example.com>",
                  headers={"In-Reply-To": sent["Message-ID"]})  # the code removed from the subject
    assert mail_in(world, tmp_path).receive(answer) == "threaded"
    assert world.app.get_inbound_mail(inbound_mail_id("<a2@example.com>")).case_id == case_id
    assert case_events(world, case_id)[-1] == "CustomerReplied"


@pytest.mark.parametrize("sender", [None, "Ada <ada@example.com>"])  # as sent; or a forwarder naming the customer
def test_our_own_reply_coming_back_is_never_the_customers_answer(world: World, tmp_path: Path,
                                                                  sender: str | None) -> None:
    case_id = opened_by_mail(world, tmp_path)
    world.app.reply_to_case(case_id, body="Please try the rear tray.", occurred_at=world.clock.now(),
                            actor=world.agent_ref)
    world.tick()
    [sent] = replies_to(world, "ada@example.com")
    if sender:
        del sent["From"]
        sent["From"] = sender
    assert mail_in(world, tmp_path).receive(sent.as_bytes()) == "automatic_threaded"  # by our address, or Message-ID
    assert "CustomerReplied" not in case_events(world, case_id)


def test_a_reply_on_a_case_from_another_channel_goes_to_the_customers_email(world: World) -> None:
    case_id = world.case(channel="phone")
    world.app.reply_to_case(case_id, body="We called you back.", occurred_at=world.clock.now(), actor=world.agent_ref)
    world.tick()
    [sent] = replies_to(world, "ada@example.com")
    assert sent["In-Reply-To"] is None


def test_a_reply_to_a_customer_with_no_address_gives_up_and_is_no_contact(world: World) -> None:
    """Nobody to mail: the outbox shows it gave up, and no outbound touchpoint claims it was sent
    (it would count as a contact and move the customer's last contact)."""
    walk_in = world.app.register_customer(name="Walk-in Co", kind="company", occurred_at=world.clock.now(),
                                          actor=world.agent_ref).id
    case_id = world.app.open_case(customer_id=walk_in, subject="Walk-in question", channel="visit",
                                  occurred_at=world.clock.now(), actor=world.agent_ref).id
    world.app.reply_to_case(case_id, body="Here is the answer.", occurred_at=world.clock.now(), actor=world.agent_ref)
    world.tick()
    assert _case_touchpoints(world, case_id) == []
    with world.services.views.connect() as conn:
        reply = conn.execute(sa.select(outbox.c.status, outbox.c.subject).where(
            outbox.c.case_id == str(case_id), outbox.c.subject.like("Re: %"))).one()
    assert reply.status == "gave_up"


def _case_touchpoints(world: World, case_id: UUID) -> list[UUID]:
    world.catch_up()
    with world.services.views.connect() as conn:
        return [UUID(r) for r in conn.execute(sa.select(touchpoints.c.id).where(touchpoints.c.case_id == str(case_id)))
                .scalars()]
