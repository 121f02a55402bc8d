"""Email in: mail becomes touchpoints and cases, threaded by tracking code or by headers;
strangers become customers; automatic mail never opens a case; duplicates record once.
Over a real SMTP conversation (aiosmtpd listener, smtplib client) where it is about transport."""

from __future__ import annotations

import smtplib
from pathlib import Path

import pytest

from domain.customers.model import email_customer_id
from domain.mail.model import derived, inbound_mail_id
from scheduler.mailin.smtp import smtp_listener
from scheduler.mailsink import free_port
from tests.scheduler.conftest import ADMIN, World
from tests.scheduler.mail import case_events, mail, mail_in


def test_a_stranger_mailing_over_smtp_becomes_a_customer_with_a_new_case(world: World, tmp_path: Path) -> None:
    core = mail_in(world, tmp_path)
    port = free_port()
    with smtp_listener(core, "127.0.0.1", port), smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.sendmail("bob@example.org", ["support@shop.example"], mail())
    record = world.app.get_inbound_mail(inbound_mail_id("<m1@example.org>"))
    assert (record.status, record.outcome) == ("recorded", "case_opened")
    case = world.app.get_case(record.case_id)
    assert (case.subject, case.channel, case.customer_id) == ("My printer jams", "email",
                                                               email_customer_id("bob@example.org"))
    customer = world.app.get_customer(case.customer_id)
    assert customer.name == "Bob Stone"
    assert customer.contact_points == [{"kind": "email", "value": "bob@example.org"}]
    touchpoint = world.app.get_touchpoint(record.touchpoint_id)
    assert (touchpoint.direction, touchpoint.case_id, touchpoint.external_ref) == ("inbound", case.id,
                                                                                  "<m1@example.org>")
    assert "It jams on every page." in touchpoint.summary


def test_a_display_name_that_would_reverse_text_is_not_taken_as_the_new_customers_name(
        world: World, tmp_path: Path) -> None:
    world.catch_up()
    sender = "Bob \u202eenots <bob@example.org>"  # RIGHT-TO-LEFT OVERRIDE: shown as "Bob stone"
    assert mail_in(world, tmp_path).receive(mail(sender=sender)) == "case_opened"
    assert world.app.get_customer(email_customer_id("bob@example.org")).name == "bob"


def test_a_known_sender_mails_as_the_customer_they_are(world: World, tmp_path: Path) -> None:
    world.catch_up()
    assert mail_in(world, tmp_path).receive(mail(sender="ada@EXAMPLE.com")) == "case_opened"
    record = world.app.get_inbound_mail(inbound_mail_id("<m1@example.org>"))
    assert world.app.get_case(record.case_id).customer_id == world.customer


def test_mail_from_a_customers_second_address_is_theirs_not_a_new_customers(world: World, tmp_path: Path) -> None:
    ada = world.app.get_customer(world.customer)
    world.app.change_customer_details(world.customer, contact_points=[
        *ada.contact_points, {"kind": "email", "value": "ada@work.example"}], occurred_at=world.clock.now(), actor=ADMIN)
    world.catch_up()
    assert mail_in(world, tmp_path).receive(mail(sender="Ada <ada@work.example>")) == "case_opened"
    record = world.app.get_inbound_mail(inbound_mail_id("<m1@example.org>"))
    assert world.app.get_case(record.case_id).customer_id == world.customer
    assert email_customer_id("ada@work.example") not in world.app.repository


def test_a_merged_away_customers_mail_comes_from_the_survivor(world: World, tmp_path: Path) -> None:
    survivor = world.app.register_customer(name="Ada King", contact_points=[{"kind": "email", "value": "ak@example.com"}],
                                           occurred_at=world.clock.now(), actor=ADMIN).id
    world.app.merge_customers(world.customer, survivor_id=survivor, occurred_at=world.clock.now(), actor=ADMIN)
    world.catch_up()
    assert mail_in(world, tmp_path).receive(mail(sender="ada@example.com")) == "case_opened"
    record = world.app.get_inbound_mail(inbound_mail_id("<m1@example.org>"))
    assert world.app.get_case(record.case_id).customer_id == survivor


def test_a_reply_threads_into_its_case_by_the_tracking_code_in_the_subject(world: World, tmp_path: Path) -> None:
    case_id = world.case()
    code = world.app.get_case(case_id).tracking_code
    outcome = mail_in(world, tmp_path).receive(mail(f"Re: Printer jams [{code}]", "Still jams.",
                                                    sender="ada@example.com"))
    assert outcome == "threaded"
    assert case_events(world, case_id)[-1] == "CustomerReplied"
    record = world.app.get_inbound_mail(inbound_mail_id("<m1@example.org>"))
    assert record.case_id == case_id
    assert world.app.get_touchpoint(record.touchpoint_id).case_id == case_id


def test_a_strangers_mail_with_someone_elses_code_opens_a_case_of_their_own(world: World, tmp_path: Path) -> None:
    case_id = world.case()
    code = world.app.get_case(case_id).tracking_code
    outcome = mail_in(world, tmp_path).receive(mail(f"Re: Printer jams [{code}]", "I am Ada, send me her invoices.",
                                                    sender="mallory@example.net"))
    assert outcome == "case_opened"
    assert "CustomerReplied" not in case_events(world, case_id)  # Ada's case is untouched
    record = world.app.get_inbound_mail(inbound_mail_id("<m1@example.org>"))
    assert record.case_id != case_id and world.app.get_case(record.case_id).customer_id != world.customer


def test_a_reply_threads_by_in_reply_to_a_mail_we_received(world: World, tmp_path: Path) -> None:
    core = mail_in(world, tmp_path)
    assert core.receive(mail()) == "case_opened"
    first = world.app.get_inbound_mail(inbound_mail_id("<m1@example.org>"))
    again = mail("Re: My printer jams", "Any news?", message_id="<m2@example.org>",
                 headers={"In-Reply-To": "<m1@example.org>", "References": "<m1@example.org>"})
    assert core.receive(again) == "threaded"
    assert world.app.get_inbound_mail(inbound_mail_id("<m2@example.org>")).case_id == first.case_id
    assert case_events(world, first.case_id).count("CustomerReplied") == 1


def test_without_code_or_known_reference_a_mail_opens_a_new_case(world: World, tmp_path: Path) -> None:
    core = mail_in(world, tmp_path)
    core.receive(mail())
    other = mail("Re: something", message_id="<m2@example.org>", headers={"In-Reply-To": "<nobody@else.example>"})
    assert core.receive(other) == "case_opened"
    cases = {world.app.get_inbound_mail(inbound_mail_id(m)).case_id for m in ("<m1@example.org>", "<m2@example.org>")}
    assert len(cases) == 2


def test_the_same_message_delivered_twice_is_recorded_once(world: World, tmp_path: Path) -> None:
    core = mail_in(world, tmp_path)
    assert core.receive(mail()) == "case_opened"
    assert core.receive(mail()) == "duplicate"
    record = world.app.get_inbound_mail(inbound_mail_id("<m1@example.org>"))
    assert record.version == 1


def test_a_retry_after_a_crash_between_case_and_record_completes_the_record(world: World, tmp_path: Path) -> None:
    core = mail_in(world, tmp_path)
    record_id = inbound_mail_id("<m1@example.org>")
    world.app.open_case(id=derived(record_id, "case"), customer_id=world.customer, subject="My printer jams",
                        channel="email", occurred_at=world.clock.now(), actor="system:mail-in")  # then "crashed"
    assert core.receive(mail()) == "case_opened"
    assert world.app.get_inbound_mail(record_id).case_id == derived(record_id, "case")


AUTOMATIC = {
    "auto-submitted": ({"Auto-Submitted": "auto-replied"}, "Auto-Submitted: auto-replied"),
    "precedence bulk": ({"Precedence": "bulk"}, "Precedence: bulk"),
    "precedence list": ({"Precedence": "list"}, "Precedence: list"),
    "x-autoreply": ({"X-Autoreply": "yes"}, "X-Autoreply"),
    "return-path null": ({"Return-Path": "<>"}, "bounce (null sender)"),
}


@pytest.mark.parametrize("headers, reason", AUTOMATIC.values(), ids=AUTOMATIC.keys())
def test_automatic_mail_that_belongs_to_no_case_is_quarantined_not_a_case(
        world: World, tmp_path: Path, headers: dict[str, str], reason: str) -> None:
    assert mail_in(world, tmp_path).receive(mail(headers=headers)) == "quarantined"
    record = world.app.get_inbound_mail(inbound_mail_id("<m1@example.org>"))
    assert (record.status, record.case_id) == ("quarantined", None)
    assert reason in (record.reason or "")
    assert not world.app._exists(email_customer_id("bob@example.org"))  # a machine is no customer


@pytest.mark.parametrize("subject, sender, envelope", [
    ("Automatic reply: Re: Printer jams", "Ada <ada@example.com>", None),
    ("Undelivered: Printer jams", "MAILER-DAEMON@mx.example.org", None),
    ("Printer jams", "Ada <ada@example.com>", ""),  # SMTP's null reverse-path: a bounce
], ids=["out-of-office", "mailer-daemon", "null envelope sender"])
def test_out_of_office_and_bounces_threading_into_a_case_are_touchpoints_only(
        world: World, tmp_path: Path, subject: str, sender: str, envelope: str | None) -> None:
    case_id = world.case()
    code = world.app.get_case(case_id).tracking_code
    raw = mail(f"{subject} [{code}]", sender=sender)
    assert mail_in(world, tmp_path).receive(raw, envelope_sender=envelope) == "automatic_threaded"
    assert "CustomerReplied" not in case_events(world, case_id)  # no SLA clock moves, nothing answers it
    record = world.app.get_inbound_mail(inbound_mail_id("<m1@example.org>"))
    assert world.app.get_touchpoint(record.touchpoint_id).case_id == case_id


def test_a_delivery_report_is_a_bounce(world: World, tmp_path: Path) -> None:
    report = (b"From: postmaster@mx.example.org\r\nSubject: Undelivered Mail\r\nMessage-ID: <b1@mx.example.org>\r\n"
              b"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=XX\r\n\r\n"
              b"--XX\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n--XX--\r\n")
    assert mail_in(world, tmp_path).receive(report) == "quarantined"
    assert "bounce" in (world.app.get_inbound_mail(inbound_mail_id("<b1@mx.example.org>")).reason or "")


def test_a_person_writing_on_a_closed_case_starts_a_new_one(world: World, tmp_path: Path) -> None:
    case_id = world.case()
    now, actor = world.clock.now(), world.agent_ref
    world.app.resolve_case(case_id, resolution="Replaced the roller", occurred_at=now, actor=actor)
    world.app.close_case(case_id, occurred_at=now, actor=actor)
    code = world.app.get_case(case_id).tracking_code
    assert mail_in(world, tmp_path).receive(mail(f"Re: Printer jams [{code}]", sender="ada@example.com")) \
        == "case_opened"
    assert world.app.get_inbound_mail(inbound_mail_id("<m1@example.org>")).case_id != case_id


def test_an_html_only_mail_is_recorded_as_its_text(world: World, tmp_path: Path) -> None:
    raw = (b"From: bob@example.org\r\nSubject: Hello\r\nMessage-ID: <h1@example.org>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: text/html; charset=utf-8\r\n\r\n<html><style>p{}</style><p>Paper <b>jams</b></p></html>")
    assert mail_in(world, tmp_path).receive(raw) == "case_opened"
    record = world.app.get_inbound_mail(inbound_mail_id("<h1@example.org>"))
    assert world.app.get_touchpoint(record.touchpoint_id).summary == "Paper jams"


def test_someone_else_answering_in_a_thread_joins_the_case_without_becoming_a_customer(
    world: World, tmp_path: Path,
) -> None:
    """Bob's colleague answers our thread from her own address: the mail is Bob's case's, and
    nobody new is registered (a stray customer with no contact of their own)."""
    core = mail_in(world, tmp_path)
    core.receive(mail())
    first = world.app.get_inbound_mail(inbound_mail_id("<m1@example.org>"))
    colleague = mail("Re: My printer jams", "Same here on floor 2.", sender="carol@example.org",
                     message_id="<m2@example.org>", headers={"In-Reply-To": "<m1@example.org>"})
    assert core.receive(colleague) == "threaded"
    assert world.app.get_inbound_mail(inbound_mail_id("<m2@example.org>")).case_id == first.case_id
    assert email_customer_id("carol@example.org") not in world.app.repository
