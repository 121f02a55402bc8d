"""The public pages in a real browser, as a customer uses them (no login): the contact form
with bad and good input, a callback request without a time and with a bad number then booked
in a picked slot, a case looked up with a wrong then the right email address, and the consent
choices reached from it (and a forged consent link refused).

The served app runs on the real clock, so the test server runs with the spam guard's minimum
fill time at 0 (tests/browser/conftest.py; its effect is tested with an injected clock in
tests/web/test_public_*)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser
EMAIL = "browser.customer@example.com"


def send_contact(page: Any, server: str, email: str) -> None:
    page.goto(f"{server}/contact")
    page.fill("#name", "Browser Customer")
    page.fill("#email", email)
    page.select_option("#topic", "question")
    page.fill("#message", "Where is my order 1234?")
    page.click("#contact-form button[type=submit]")
    page.wait_for_load_state()


def test_the_contact_form_names_a_bad_field_then_opens_a_case(page: Any, server: str) -> None:
    send_contact(page, server, "not-an-address")
    assert page.locator("#email-error").inner_text() == "Please give an email address like name@example.com."
    assert page.input_value("#message") == "Where is my order 1234?"  # nothing typed is lost
    screenshot(page, "public-contact-bad-email")
    page.fill("#email", EMAIL)
    page.click("#contact-form button[type=submit]")
    page.wait_for_load_state()
    code = page.locator("#tracking-code").inner_text()
    assert re.fullmatch(r"CASE-\d{6,}", code), page.inner_text("body")
    screenshot(page, "public-contact-sent")


def test_a_callback_request_without_a_time_or_with_a_bad_number_is_refused_field_by_field(
        page: Any, server: str) -> None:
    page.goto(f"{server}/callback")
    page.fill("#name", "Browser Customer")
    page.fill("#email", EMAIL)
    page.fill("#phone", "call me maybe")
    page.click("#callback-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#slot-error").inner_text() == "Please pick a time for our call."
    assert page.locator("#phone-error").is_visible()
    assert page.input_value("#name") == "Browser Customer"  # nothing typed is lost
    assert "We will call you on" not in page.inner_text("body")
    screenshot(page, "public-callback-bad")


def test_a_callback_is_booked_in_a_slot_picked_from_the_calendar(page: Any, server: str) -> None:
    page.goto(f"{server}/callback")
    zone = re.fullmatch(r"All times are (\S+) time\.", page.locator("#zone").inner_text())
    assert zone, page.locator("#zone").inner_text()  # the calendar's zone (the demo's policy: America/Chicago)
    first = page.locator("#slots label.slot").first
    picked = first.inner_text().strip()
    first.locator("input").check()
    page.fill("#name", "Browser Customer")
    page.fill("#email", EMAIL)
    page.fill("#phone", "+44 20 7946 0001")
    screenshot(page, "public-callback-pick")
    page.click("#callback-form button[type=submit]")
    page.wait_for_load_state()
    body = page.inner_text("body")
    assert "We will call you on" in body and f"{picked} ({zone.group(1)} time) at +44 20 7946 0001" in body, body
    screenshot(page, "public-callback-booked")


def test_the_status_page_shows_a_case_to_its_customer_only(page: Any, server: str) -> None:
    send_contact(page, server, EMAIL)
    code = page.locator("#tracking-code").inner_text()
    page.click("text=see how your request is going")
    page.fill("#code", code)
    page.fill("#email", "someone.else@example.com")
    page.click("#status-form button[type=submit]")
    page.wait_for_load_state()
    assert "We found no request with this tracking code and email address." in page.locator("#form-problem").inner_text()
    assert "Where is my order" not in page.inner_text("body")
    screenshot(page, "public-status-wrong")
    page.fill("#email", EMAIL.upper())
    page.click("#status-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == f"Your request {code}"
    assert "Received" in page.locator("#status").inner_text()
    screenshot(page, "public-status-found")


def test_the_consent_choices_are_reached_from_the_status_page_and_saved(page: Any, server: str) -> None:
    send_contact(page, server, "consenting.customer@example.com")
    code = page.locator("#tracking-code").inner_text()
    page.click("text=see how your request is going")
    page.fill("#code", code)
    page.fill("#email", "consenting.customer@example.com")
    page.click("#status-form button[type=submit]")
    page.wait_for_load_state()
    consent = page.locator("#consent-link").get_attribute("href")
    page.click("#consent-link")
    page.wait_for_load_state()
    page.check("#marketing")
    screenshot(page, "public-consent")
    page.click("#consent-form button[type=submit]")
    page.wait_for_load_state()
    assert "We will send you:" in page.inner_text("body") and "offer" in page.inner_text("body").lower()
    page.goto(f"{server}{consent}".replace(consent, consent[:-4] + "AAAA"))  # a forged signature
    assert "Link not valid" in page.inner_text("body")
