"""The public contact form: a message opens a case for the customer (found by email or
registered), shows its tracking code, and is written once however often it is sent; bad input,
bots and floods write nothing."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import pytest
from itsdangerous import TimestampSigner

from domain.mail.commands import Inbound
from projections.queries.public import find_customer_by_email
from tests.web.public_site import Site, error_of, site_fixture  # noqa: F401
from web.public.pages import BURST

GOOD = {"name": "Grace Hopper", "email": "Grace@Example.com", "phone": "+44 20 7946 0000", "topic": "problem",
        "message": "My printer jams on every page.\nIt started yesterday."}
SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
PHONE_RULE = ("Please give a phone number: at least 5 digits, with spaces and + ( ) - / . if you like "
              "(and an extension such as ext. 12).")


def tracking_code(html: str) -> str:
    found = re.search(r'id="tracking-code">(CASE-\d+)<', html)
    assert found, html
    return found.group(1)


def customer_of(site: Site, html: str) -> UUID:
    """The customer of the case whose tracking code the page shows."""
    return site.app.get_case(site.app.find_case_id(tracking_code(html))).customer_id


def merge(site: Site, duplicate: UUID, survivor: UUID) -> None:
    site.app.merge_customers(duplicate, survivor_id=survivor, occurred_at=site.clock.now(), actor="user:agent")


def test_a_message_registers_the_customer_and_opens_a_case_with_its_touchpoint(site: Site) -> None:
    answer = site.send("/contact", GOOD)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    code = tracking_code(answer.get_data(as_text=True))
    case = site.app.get_case(site.app.find_case_id(code))
    assert (case.channel, case.status, case.subject) == ("web_form", "new",
                                                         "A problem or complaint: My printer jams on every page.")
    customer = site.app.get_customer(case.customer_id)
    assert customer.name == "Grace Hopper"
    assert {p["value"] for p in customer.contact_points} == {"grace@example.com", "+44 20 7946 0000"}
    touchpoint = site.app.get_touchpoint(case.touchpoint_id)
    assert (touchpoint.channel, touchpoint.direction, touchpoint.touch_kind) == ("web_form", "inbound", "complaint")
    assert touchpoint.contact_point == "grace@example.com"  # where the scheduler's acknowledgement goes
    assert touchpoint.summary == GOOD["message"]


def test_the_log_names_a_new_customer_before_their_case(site: Site) -> None:
    """A follower of the event feed or of webhooks reads in log order: it meets the customer first."""
    head = site.app.recorder.max_notification_id() or 0
    assert site.send("/contact", GOOD).status_code == 200
    written = [type(site.app.mapper.to_domain_event(n)).__qualname__
               for n in site.app.recorder.select_notifications(start=head + 1, limit=10)]
    assert written.index("Customer.Registered") < written.index("Case.Opened")
    assert written.index("Customer.Registered") < written.index("Touchpoint.Recorded")


def test_a_known_email_address_adds_the_case_to_that_customer(site: Site) -> None:
    known = site.customer("Grace H.", "grace@example.com")
    site.catch_up()
    code = tracking_code(site.send("/contact", GOOD).get_data(as_text=True))
    assert site.app.get_case(site.app.find_case_id(code)).customer_id == known
    site.catch_up()
    with site.services.views.connect() as conn:
        assert find_customer_by_email(conn, "GRACE@example.com ") == known  # nobody new registered


def test_a_person_whose_data_was_erased_and_who_writes_again_is_a_new_customer(site: Site) -> None:
    first = customer_of(site, site.send("/contact", GOOD).get_data(as_text=True))
    site.app.erase_customer(first, reason="GDPR request", occurred_at=site.clock.now(), actor="user:admin")
    site.catch_up()
    answer = site.send("/contact", GOOD)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    again = customer_of(site, answer.get_data(as_text=True))
    assert again != first
    assert site.app.get_customer(again).name == "Grace Hopper"  # readable: not thrown away with the erased one
    site.catch_up()
    assert customer_of(site, site.send("/contact", GOOD).get_data(as_text=True)) == again  # and found next time


def test_sending_the_same_form_twice_opens_one_case(site: Site) -> None:
    hidden = site.form("/contact")
    first = site.send("/contact", GOOD, hidden=hidden)
    written = site.events()
    again = site.send("/contact", GOOD, hidden=hidden)  # a double click, or a reload of the POST
    assert tracking_code(again.get_data(as_text=True)) == tracking_code(first.get_data(as_text=True))
    assert site.events() == written
    other = site.send("/contact", GOOD)  # a new visit is a new message
    assert tracking_code(other.get_data(as_text=True)) != tracking_code(first.get_data(as_text=True))


def test_sending_the_form_again_with_a_correction_records_it_as_a_new_message(site: Site) -> None:
    hidden = site.form("/contact")
    first = tracking_code(site.send("/contact", GOOD, hidden=hidden).get_data(as_text=True))
    corrected = {**GOOD, "email": "grace.hopper@example.com"}  # Back, a typo fixed, sent again
    again = site.send("/contact", corrected, hidden=hidden)
    assert again.status_code == 200
    code = tracking_code(again.get_data(as_text=True))
    assert code != first
    case = site.app.get_case(site.app.find_case_id(code))
    assert site.app.get_touchpoint(case.touchpoint_id).contact_point == "grace.hopper@example.com"


def test_the_corrected_form_sent_twice_opens_one_more_case_only(site: Site) -> None:
    hidden = site.form("/contact")
    site.send("/contact", GOOD, hidden=hidden)
    corrected = {**GOOD, "message": "My printer jams on every page."}
    code = tracking_code(site.send("/contact", corrected, hidden=hidden).get_data(as_text=True))
    written = site.events()
    assert tracking_code(site.send("/contact", corrected, hidden=hidden).get_data(as_text=True)) == code
    assert site.events() == written


def test_a_message_that_cannot_be_recorded_registers_nobody(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(occurred_at: Any) -> str:
        raise OSError(28, "No space left on device")

    hidden, written = site.form("/contact"), site.events()
    monkeypatch.setattr(site.app, "next_tracking_code", disk_full)  # fails after the customer is found new
    with pytest.raises(OSError):
        site.send("/contact", GOOD, hidden=hidden)
    assert site.events() == written  # no customer left without their case
    monkeypatch.undo()
    answer = site.send("/contact", GOOD, hidden=hidden)  # sent again once the disk has room
    assert answer.status_code == 200
    assert site.app.get_customer(customer_of(site, answer.get_data(as_text=True))).name == "Grace Hopper"


def test_two_forms_from_one_new_address_register_one_customer(site: Site) -> None:
    first = site.send("/contact", GOOD).get_data(as_text=True)
    second = site.send("/contact", {**GOOD, "message": "And the scanner too."}).get_data(as_text=True)  # no catch-up
    assert customer_of(site, first) == customer_of(site, second)


def test_a_stranger_who_mailed_us_then_writes_on_the_form_is_one_customer(site: Site) -> None:
    mail = Inbound(key="<m1@example.org>", message_id="<m1@example.org>", sender="grace@example.com",
                   sender_name="Grace Hopper", subject="Printer", body="It jams.", raw_sha256="0" * 64, size=100)
    site.app.record_mail(mail, found=None, case_id=None, occurred_at=site.clock.now(), actor="system:mail-in")
    mailed = site.app.get_inbound_mail(mail.record_id).customer_id
    assert customer_of(site, site.send("/contact", GOOD).get_data(as_text=True)) == mailed  # no catch-up


def test_the_email_of_a_merged_away_customer_reaches_the_survivor(site: Site) -> None:
    duplicate = site.customer("Grace H.", "grace@example.com")
    survivor = site.customer("Grace Hopper", "g.hopper@example.com")
    merge(site, duplicate, survivor)
    site.catch_up()
    assert customer_of(site, site.send("/contact", GOOD).get_data(as_text=True)) == survivor


def test_a_customer_merged_twice_is_followed_to_the_last_survivor(site: Site) -> None:
    first = site.customer("Grace H.", "grace@example.com")
    second = site.customer("G. Hopper", "g.hopper@example.com")
    last = site.customer("Grace Hopper", "hopper@example.com")
    merge(site, first, second)
    merge(site, second, last)
    site.catch_up()
    with site.services.views.connect() as conn:
        assert find_customer_by_email(conn, "grace@example.com") == last


def test_a_merge_the_read_model_has_not_seen_yet_still_reaches_the_survivor(site: Site) -> None:
    duplicate = site.customer("Grace H.", "grace@example.com")
    survivor = site.customer("Grace Hopper", "g.hopper@example.com")
    site.catch_up()
    merge(site, duplicate, survivor)  # no catch-up: the read model still has the duplicate as it was
    assert customer_of(site, site.send("/contact", GOOD).get_data(as_text=True)) == survivor


@SQLITE
@pytest.mark.parametrize("change, field, message", [
    ({"name": " "}, "name", "Please tell us your name."),
    ({"name": "x" * 201}, "name", "Please keep your name under 200 characters."),
    ({"email": ""}, "email", "Please give your email address: we answer there."),
    ({"email": "grace at example"}, "email", "Please give an email address like name@example.com."),
    ({"phone": "call me maybe"}, "phone", PHONE_RULE),
    ({"phone": "1-----2"}, "phone", PHONE_RULE),
    ({"phone": "12"}, "phone", PHONE_RULE),  # the rule the message names
    ({"topic": ""}, "topic", "Please choose what your message is about."),
    ({"topic": "lottery"}, "topic", "Please choose what your message is about."),
    ({"message": ""}, "message", "Please write your message."),
    ({"message": "x" * 5001}, "message", "Please keep your message under 5,000 characters."),
    ({"message": "Hello\x00there"}, "message", "Please remove the invisible control characters from this field."),
    ({"name": "Grace\x00"}, "name", "Please remove the invisible control characters from this field."),
    ({"name": "Grace\u202e Hopper"}, "name", "Please write your name on one line, without invisible control characters."),
])
def test_bad_input_shows_the_form_again_with_the_error_next_to_the_field(
        site: Site, change: dict[str, str], field: str, message: str) -> None:
    before = site.events()
    answer = site.send("/contact", {**GOOD, **change})
    assert answer.status_code == 400
    assert error_of(answer, field) == message
    assert 'value="Grace Hopper"' in answer.get_data(as_text=True) or field == "name"  # what was typed stays
    assert site.events() == before


@SQLITE
@pytest.mark.parametrize("spoil", [
    {"website": "http://cheap-pills.example"},  # the honeypot, filled in
    {"stamp": "f-0123456789abcdef0123456789abcdef-1772442000.forged"},
    {"stamp": ""},
])
def test_a_bot_gets_a_generic_refusal_and_nothing_is_written(site: Site, spoil: dict[str, Any]) -> None:
    before = site.events()
    answer = site.send("/contact", {**GOOD, **spoil})
    assert answer.status_code == 400
    assert "We could not accept this form." in answer.get_data(as_text=True)
    assert site.events() == before


@SQLITE
def test_a_form_sent_faster_than_a_person_types_is_refused_in_plain_words(site: Site) -> None:
    hidden = site.form("/contact")
    answer = site.send("/contact", GOOD, hidden=hidden, seconds=1)
    assert answer.status_code == 400
    assert "quicker than we expect a person" in answer.get_data(as_text=True)
    assert site.events() == 0
    assert site.send("/contact", GOOD, hidden=hidden, seconds=2).status_code == 200  # same form, a moment later


@SQLITE
def test_a_form_left_open_for_over_a_day_is_shown_again_with_a_fresh_stamp(site: Site) -> None:
    hidden = site.form("/contact")
    answer = site.send("/contact", GOOD, hidden=hidden, seconds=25 * 3600)
    assert answer.status_code == 400 and "open for more than a day" in answer.get_data(as_text=True)
    assert hidden["stamp"] not in answer.get_data(as_text=True)
    assert site.events() == 0


@SQLITE
def test_a_post_without_the_csrf_token_is_refused_with_a_page_saying_what_to_do(site: Site) -> None:
    hidden = site.form("/contact")
    site.clock.advance(seconds=5)
    answer = site.client.post("/contact", data={**GOOD, "stamp": hidden["stamp"]})
    assert answer.status_code == 400 and "reload the page and send it again" in answer.get_data(as_text=True)
    assert site.events() == 0


@SQLITE
def test_a_message_written_over_two_hours_is_accepted(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """The form's CSRF token lives as long as its stamp (a day), not Flask-WTF's default hour."""
    hidden = site.form("/contact")
    opened = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: opened(self) + 2 * 3600)
    answer = site.send("/contact", GOOD, hidden=hidden, seconds=2 * 3600)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]


@SQLITE
def test_one_address_sending_too_much_is_told_to_wait(site: Site) -> None:
    hidden = site.form("/contact")
    for _ in range(BURST):
        site.client.post("/contact", data={**hidden, "name": ""})  # quick bad posts use up the allowance
    answer = site.client.post("/contact", data={**hidden, **GOOD})
    assert answer.status_code == 429
    assert "Please wait" in answer.get_data(as_text=True)
    assert site.events() == 0


@SQLITE
def test_the_too_many_requests_page_says_when_to_come_back_in_retry_after(site: Site) -> None:
    hidden = site.form("/contact")
    for _ in range(BURST):
        site.client.post("/contact", data={**hidden, "name": ""})
    answer = site.client.post("/contact", data={**hidden, "name": ""})
    assert answer.status_code == 429
    wait = int(answer.headers["Retry-After"])
    assert wait >= 1 and f"Please wait {wait} seconds" in answer.get_data(as_text=True)
    site.clock.advance(seconds=wait)
    assert site.client.post("/contact", data={**hidden, "name": ""}).status_code != 429
