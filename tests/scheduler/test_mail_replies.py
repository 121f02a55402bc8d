"""Email out: an agent's public reply goes to the customer once, through the outbox, with the
tracking code in the subject and threading headers; internal notes are never sent; the
customer's answer to it threads back into the case by its Message-ID."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest
import sqlalchemy as sa

from domain.mail.model import derived, inbound_mail_id
from projections.views.outbox import outbox
from projections.views.touchpoints import touchpoints
from scheduler.mailsink import MailSink, free_port
from scheduler.notifiers import SmtpNotifier
from scheduler.replies import mail_replies
from tests.scheduler.conftest import FROM, World
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


def test_a_reply_is_a_contact_only_once_the_mail_server_accepted_it(world: World) -> None:
    """While the server is away the reply waits in the outbox and claims no contact; the outbound
    touchpoint is recorded when it is sent, at that time."""
    world.ctx.notifiers = {"email": SmtpNotifier(f"smtp://127.0.0.1:{free_port()}", FROM)}  # nobody listening
    case_id = world.case(channel="phone")
    world.app.reply_to_case(case_id, body="We called you back.", occurred_at=world.clock.now(), actor=world.agent_ref)
    world.tick()
    world.tick()
    assert _case_touchpoints(world, case_id) == []
    world.ctx.notifiers = {"email": SmtpNotifier(world.sink.url, FROM)}  # the server is back
    world.clock.advance(minutes=10)
    world.tick()
    [sent] = replies_to(world, "ada@example.com")
    [touchpoint] = [world.app.get_touchpoint(t) for t in _case_touchpoints(world, case_id)]
    assert (touchpoint.direction, touchpoint.external_ref, touchpoint.occurred_at) == \
        ("outbound", sent["Message-ID"], world.clock.now())


def test_a_refused_reply_is_no_contact_until_a_person_retries_it_and_it_goes_out(world: World) -> None:
    case_id = world.case(channel="phone")
    with MailSink(refuse=("ada@example.com",)) as strict:
        world.ctx.notifiers = {"email": SmtpNotifier(strict.url, FROM)}
        world.app.reply_to_case(case_id, body="Here is the answer.", occurred_at=world.clock.now(),
                                actor=world.agent_ref)
        world.tick()
        world.tick()
    reply = _reply_row(world, case_id)
    assert reply.status == "gave_up"
    assert _case_touchpoints(world, case_id) == []
    world.ctx.notifiers = {"email": SmtpNotifier(world.sink.url, FROM)}
    world.app.requeue_message(UUID(reply.id), occurred_at=world.clock.now(), actor="user:admin")
    world.tick()
    assert _reply_row(world, case_id).status == "sent"
    assert [world.app.get_touchpoint(t).direction for t in _case_touchpoints(world, case_id)] == ["outbound"]


def test_a_reply_queued_with_its_touchpoint_by_an_earlier_release_is_not_recorded_twice(world: World) -> None:
    """Before this rule the touchpoint was recorded at queueing, under the same derived id."""
    case_id = world.case(channel="phone")
    world.ctx.notifiers = {}  # queued, not sent
    world.app.reply_to_case(case_id, body="Here is the answer.", occurred_at=world.clock.now(), actor=world.agent_ref)
    world.tick()
    message = world.app.get_message(UUID(_reply_row(world, case_id).id))
    world.app.record_touchpoint(id=derived(message.id, "touchpoint"), customer_id=world.customer, case_id=case_id,
                                channel="email", direction="outbound", kind="follow_up", subject=message.subject,
                                contact_point=message.recipient, external_ref=message.message_id,
                                occurred_at=world.clock.now(), actor="system:scheduler")
    world.ctx.notifiers = {"email": SmtpNotifier(world.sink.url, FROM)}
    world.tick()
    assert _reply_row(world, case_id).status == "sent"
    assert len(_case_touchpoints(world, case_id)) == 1


def _reply_row(world: World, case_id: UUID) -> sa.Row:
    world.catch_up()
    with world.services.views.connect() as conn:
        return conn.execute(sa.select(outbox.c.id, outbox.c.status).where(
            outbox.c.case_id == str(case_id), outbox.c.subject.like("Re: %"))).one()


def _case_touchpoints(world: World, case_id: UUID) -> list[UUID]:
    world.catch_up()
    with world.services.views.connect() as conn:
        return [UUID(r) for r in conn.execute(sa.select(touchpoints.c.id).where(touchpoints.c.case_id == str(case_id)))
                .scalars()]


def test_a_reply_as_long_as_a_reply_may_be_is_mailed_and_never_holds_up_the_next(world: World,
                                                                                   tmp_path: Path) -> None:
    case_id = opened_by_mail(world, tmp_path)
    world.tick()
    long_body = "y" * 50_000  # the longest reply a case takes
    for body in (long_body, "And a short one."):
        world.app.reply_to_case(case_id, body=body, occurred_at=world.clock.now(), actor=world.agent_ref)
    world.tick()
    world.tick()
    bodies = sorted((m.get_content() for m in replies_to(world, "ada@example.com")), key=len)
    assert len(bodies) == 2 and "And a short one." in bodies[0] and long_body in bodies[1]


def test_a_reply_the_read_models_have_not_reached_waits_instead_of_finding_nobody(world: World,
                                                                                   tmp_path: Path) -> None:
    """On a first start (or during a rebuild) the customer is not in the read models yet: giving
    the reply up for "no contact point" would lose it."""
    case_id = opened_by_mail(world, tmp_path)
    world.tick()
    world.app.reply_to_case(case_id, body="Please try the rear tray.", occurred_at=world.clock.now(),
                            actor=world.agent_ref)
    assert mail_replies(world.ctx) == 0  # the projections are behind the reply: nothing queued, nothing given up
    world.tick()
    world.tick()
    [sent] = replies_to(world, "ada@example.com")
    assert "rear tray" in sent.get_content()
