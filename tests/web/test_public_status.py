"""The public case status page: a case is shown only to someone who has both its tracking code
and its customer's email; a wrong code and a wrong email read the same; probing is cut short;
internal notes never show. (It writes nothing: SQLite only.)"""

from __future__ import annotations

import re
from uuid import UUID

import pytest
from werkzeug.test import TestResponse

from tests.web.public_site import Site, error_of, site_fixture  # noqa: F401
from web.public.status import LOOKUP_BURST, NOT_FOUND

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
EMAIL = "grace@example.com"
AGENT = "user:agent"
OFFICE = {"timezone": "Europe/Berlin", "hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}}


def open_case(site: Site) -> tuple[UUID, str]:
    customer = site.customer("Grace Hopper", EMAIL)
    receipt = site.app.open_case(customer_id=customer, subject="Printer jams", channel="web_form",
                                 occurred_at=site.clock.now(), actor=AGENT)
    return receipt.id, site.app.get_case(receipt.id).tracking_code


def look_up(site: Site, code: str, email: str) -> TestResponse:
    return site.client.post("/status", data={**site.form("/status"), "code": code, "email": email})


def test_code_and_email_together_show_status_last_public_answer_and_expected_time(site: Site) -> None:
    site.app.define_sla_policy(name="Standard", conditions=None, calendar=OFFICE,
                               targets={"normal": {"first_response": {"minutes": 120, "business_hours": True}}},
                               occurred_at=site.clock.now(), actor="user:admin")
    case_id, code = open_case(site)  # Monday 09:00 UTC = 10:00 in Berlin
    page = look_up(site, code.lower(), " GRACE@example.com ").get_data(as_text=True)
    assert f"Your request {code}" in page and "Printer jams" in page
    assert "Received: we will look at it soon" in page and "no answer from us yet" in page
    assert "By Monday 2 March 2026, 12:00 (Europe/Berlin time)" in page
    site.clock.advance(minutes=30)
    site.app.reply_to_case(case_id, body="We are sending a technician.", occurred_at=site.clock.now(), actor=AGENT)
    site.app.reply_to_case(case_id, body="INTERNAL: customer is on the watch list", public=False,
                           occurred_at=site.clock.now(), actor=AGENT)
    page = look_up(site, code, EMAIL).get_data(as_text=True)
    assert "We are working on it" in page
    assert "Our answer of Monday 2 March 2026, 10:30 (Europe/Berlin time)" in page
    assert "We are sending a technician." in page
    assert "INTERNAL" not in page and "watch list" not in page
    assert 'id="expected"' not in page  # answered: nothing owed until the customer writes again


def test_a_late_answer_is_admitted(site: Site) -> None:
    site.app.define_sla_policy(name="Standard", conditions=None, calendar=OFFICE,
                               targets={"normal": {"first_response": {"minutes": 60, "business_hours": False}}},
                               occurred_at=site.clock.now(), actor="user:admin")
    _, code = open_case(site)
    site.clock.advance(hours=2)
    assert "We are later than we aimed to be" in look_up(site, code, EMAIL).get_data(as_text=True)


def test_a_wrong_code_and_a_wrong_email_get_the_same_answer(site: Site) -> None:
    _, code = open_case(site)
    other = site.app.open_case(customer_id=site.customer("Alan", "alan@example.com"), subject="Other",
                               channel="email", occurred_at=site.clock.now(), actor=AGENT)
    other_code = site.app.get_case(other.id).tracking_code
    answers = [look_up(site, c, e) for c, e in ((code, "alan@example.com"),  # someone else's email
                                                (other_code, EMAIL),  # someone else's case
                                                ("CASE-999999", EMAIL))]  # no such case
    assert {a.status_code for a in answers} == {404}
    bodies = {re.sub(r'value="[^"]*"', "", a.get_data(as_text=True)) for a in answers}  # minus the echoed input
    assert len(bodies) == 1 and NOT_FOUND in bodies.pop()
    assert all("Printer jams" not in a.get_data(as_text=True) for a in answers)


def test_an_erased_customers_case_is_found_by_no_address_not_even_the_erased_mark(site: Site) -> None:
    case_id, code = open_case(site)
    site.app.erase_customer(site.app.get_case(case_id).customer_id, reason="GDPR", occurred_at=site.clock.now(),
                            actor="user:admin")
    for typed in ("[erased]", EMAIL):
        answer = look_up(site, code, typed)
        assert answer.status_code == 404 and NOT_FOUND in answer.get_data(as_text=True), typed


def test_after_a_merge_either_records_address_finds_the_case(site: Site) -> None:
    case_id, code = open_case(site)  # Grace's first record
    survivor = site.customer("Grace H.", "grace@work.example")
    site.app.merge_customers(site.app.get_case(case_id).customer_id, survivor_id=survivor,
                             occurred_at=site.clock.now(), actor=AGENT)
    for typed in (EMAIL, "grace@work.example"):
        assert look_up(site, code, typed).status_code == 200, typed


def test_probing_codes_is_cut_short_per_address(site: Site) -> None:
    _, code = open_case(site)
    for n in range(LOOKUP_BURST):
        assert look_up(site, f"CASE-{n + 500:06d}", EMAIL).status_code == 404
    assert look_up(site, code, EMAIL).status_code == 429  # even the right pair, until the wait is over
    site.clock.advance(minutes=1)
    assert look_up(site, code, EMAIL).status_code == 200


def test_a_cut_short_lookup_says_when_to_come_back_in_retry_after(site: Site) -> None:
    _, code = open_case(site)
    for n in range(LOOKUP_BURST):
        look_up(site, f"CASE-{n + 500:06d}", EMAIL)
    answer = look_up(site, code, EMAIL)
    assert answer.status_code == 429
    wait = int(answer.headers["Retry-After"])
    assert 1 <= wait <= 60 and f"Please wait {wait} seconds" in answer.get_data(as_text=True)
    site.clock.advance(seconds=wait)
    assert look_up(site, code, EMAIL).status_code == 200


@pytest.mark.parametrize("code, email, field, message", [
    ("", EMAIL, "code", "Please give the tracking code from our message."),
    ("4044", EMAIL, "code", "A tracking code looks like CASE-004044."),
    ("CASE-00<script>", EMAIL, "code", "A tracking code looks like CASE-004044."),
    ("CASE-004044", " ", "email", "Please give the email address you wrote to us from."),
])
def test_bad_input_is_named_next_to_its_field(site: Site, code: str, email: str, field: str, message: str) -> None:
    answer = look_up(site, code, email)
    assert answer.status_code == 400 and error_of(answer, field) == message


def test_a_lookup_without_the_csrf_token_is_refused(site: Site) -> None:
    _, code = open_case(site)
    assert site.client.post("/status", data={"code": code, "email": EMAIL}).status_code == 400


def test_the_found_case_links_to_the_customers_consent_page(site: Site) -> None:
    _, code = open_case(site)
    page = look_up(site, code, EMAIL).get_data(as_text=True)
    link = re.search(r'id="consent-link" href="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert site.client.get(link).status_code == 200


def test_nothing_is_written_by_looking(site: Site) -> None:
    _, code = open_case(site)
    before = site.events()
    look_up(site, code, EMAIL)
    look_up(site, code, "x@example.com")
    assert site.events() == before
