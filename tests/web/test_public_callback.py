"""The public callback request: slots from the business calendar, full and past ones neither
offered nor accepted, a booking becomes a callback promise with its touchpoint, and the last
place in a slot goes to exactly one of two requests racing for it.

The clock stands at Monday 2 March 2026 09:00 UTC; with no SLA policy the calendar is Monday to
Friday 09:00-17:00 UTC, in 30-minute slots of 2 places each (the defaults)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest

from domain.clock import FixedClock
from domain.customers.model import email_customer_id
from scheduler.settings import SettingError
from tests.web.public_site import Site, build_site, error_of, site_fixture  # noqa: F401
from domain.promises.model import CALLBACK_QUEUE as OWNER
from web.public.callback import FULL, GONE

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
ME = {"name": "Alan Turing", "email": "alan@example.com", "phone": "+44 161 496 0000", "note": "My invoice"}
PHONE_RULE = ("Please give a phone number: at least 5 digits, with spaces and + ( ) - / . if you like "
              "(and an extension such as ext. 12).")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def slot(when: datetime) -> str:
    return str(int(when.timestamp()))


def offered(site: Site) -> list[str]:
    return re.findall(r'name="slot"[^>]*value="(\d+)"', site.client.get("/callback").get_data(as_text=True))


def book(site: Site, when: datetime, **change: str) -> tuple[int, str]:
    answer = site.send("/callback", {**ME, "slot": slot(when), **change})
    return answer.status_code, answer.get_data(as_text=True)


def callbacks(site: Site) -> list[UUID]:
    with site.services.views.connect() as conn:
        return [UUID(r.id) for r in conn.exec_driver_sql("SELECT id FROM promises WHERE kind = 'callback'")]


@SQLITE
def test_the_page_offers_the_slots_of_the_next_business_days_in_the_calendars_zone(site: Site) -> None:
    page = site.client.get("/callback").get_data(as_text=True)
    assert "All times are UTC time." in page
    slots = offered(site)
    assert slots[0] == slot(at(2, 9, 30))  # 09:00 has begun: not offered
    assert slots[-1] == slot(at(6, 16, 30))  # Friday: the fifth business day
    assert len(slots) == 15 + 4 * 16
    assert "Monday 2 March" in page and ">\n          09:30</label>" not in page  # labels are local times
    assert re.search(r"\s09:30\s*</label>", page)
    # Each day is a group named by its legend: a screen reader says "Monday 2 March, 09:30", not "09:30".
    monday = re.search(r'<fieldset class="day"><legend>Monday 2 March</legend>(.*?)</fieldset>', page, re.DOTALL)
    assert monday and len(re.findall(r'type="radio"', monday.group(1))) == 15


@SQLITE
def test_weekends_are_skipped_and_a_day_whose_slots_have_begun_does_not_count(site: Site) -> None:
    site.clock.set(at(6, 16, 45))  # Friday, after the last slot has begun
    slots = offered(site)
    assert slots[0] == slot(at(9, 9)) and slots[-1] == slot(at(13, 16, 30))


def test_a_booking_is_a_callback_promise_for_the_queue_with_its_touchpoint(site: Site) -> None:
    status, page = book(site, at(3, 10))
    assert status == 200, page
    assert "We will call you on Tuesday 3 March 2026, 10:00 (UTC time) at +44 161 496 0000." in page
    site.catch_up()
    [promise_id] = callbacks(site)
    promise = site.app.get_promise(promise_id)
    assert (promise.promise_kind, promise.owner, promise.due_at) == ("callback", OWNER, at(3, 10))
    assert promise.contact_point == "+44 161 496 0000" and "My invoice" in promise.what
    assert site.app.get_customer(promise.customer_id).name == "Alan Turing"
    with site.services.views.connect() as conn:
        row = conn.exec_driver_sql("SELECT channel, direction, promise_id FROM touchpoints").one()
    assert (row.channel, row.direction, row.promise_id) == ("web_form", "inbound", str(promise.id))


def test_a_full_slot_is_not_offered_and_refused_when_posted_anyway(site: Site) -> None:
    assert book(site, at(3, 10))[0] == 200
    assert book(site, at(3, 10), email="ada@example.com")[0] == 200
    site.catch_up()
    assert slot(at(3, 10)) not in offered(site) and slot(at(3, 10, 30)) in offered(site)
    before = site.events()
    status, page = book(site, at(3, 10), email="kurt@example.com")
    assert status == 400 and FULL in page
    assert site.events() == before


def test_the_slot_itself_refuses_a_third_booking_the_read_model_has_not_seen_yet(site: Site) -> None:
    assert book(site, at(3, 10))[0] == 200
    assert book(site, at(3, 10), email="ada@example.com")[0] == 200  # no catch-up: the page still offers it
    status, page = book(site, at(3, 10), email="kurt@example.com")
    assert status == 409 and FULL in page
    site.catch_up()
    assert len(callbacks(site)) == 2


def test_a_request_refused_because_the_slot_filled_meanwhile_registers_nobody(site: Site) -> None:
    assert book(site, at(3, 10))[0] == 200
    assert book(site, at(3, 10), email="ada@example.com")[0] == 200  # no catch-up: the page still offers it
    before = site.events()
    assert book(site, at(3, 10), email="kurt@example.com")[0] == 409
    assert site.events() == before
    assert not site.app._exists(email_customer_id("kurt@example.com"))


def test_two_requests_from_one_new_address_register_one_customer(site: Site) -> None:
    assert book(site, at(3, 10))[0] == 200
    assert book(site, at(4, 10))[0] == 200  # no catch-up: the read model knows nobody yet
    site.catch_up()
    assert len({site.app.get_promise(p).customer_id for p in callbacks(site)}) == 1


def test_sending_the_form_again_with_a_correction_books_it_as_a_new_request(site: Site) -> None:
    hidden = site.form("/callback")
    site.send("/callback", {**ME, "slot": slot(at(3, 10))}, hidden=hidden)
    again = site.send("/callback", {**ME, "phone": "+44 161 496 0001", "slot": slot(at(3, 10))}, hidden=hidden)
    assert again.status_code == 200 and "at +44 161 496 0001." in again.get_data(as_text=True)
    site.catch_up()
    assert sorted(site.app.get_promise(p).contact_point for p in callbacks(site)) == ["+44 161 496 0000",
                                                                                     "+44 161 496 0001"]


def test_a_cancelled_callback_frees_its_place(site: Site) -> None:
    book(site, at(3, 10))
    book(site, at(3, 10), email="ada@example.com")
    site.catch_up()
    site.app.cancel_promise(callbacks(site)[0], reason="Sorted by email",
                            occurred_at=site.clock.now(), actor="user:agent")
    site.catch_up()
    assert slot(at(3, 10)) in offered(site)
    assert book(site, at(3, 10), email="kurt@example.com")[0] == 200


@SQLITE
@pytest.mark.parametrize("when", [
    slot(at(2, 9)),  # begun already
    slot(at(2, 8, 30)),  # before the hours, and past
    slot(at(3, 10, 10)),  # not on the grid
    slot(at(7, 10)),  # Saturday
    slot(at(16, 10)),  # beyond the next five business days
    "tomorrow at ten", "",
    "999999999999",  # twelve digits: past year 9999 (was a 500)
])
def test_a_time_not_offered_is_refused_next_to_the_slots(site: Site, when: str) -> None:
    status, page = book(site, at(3, 10), slot=when)
    assert status == 400
    assert re.search(r'id="slot-error">([^<]*)<', page).group(1) == (  # type: ignore[union-attr]
        GONE if when else "Please pick a time for our call.")
    assert '<fieldset id="slots" aria-invalid="true" aria-describedby="slot-error">' in page  # read with the times
    assert page.index('id="slot-error"') < page.index('class="slot"')  # above the times, where the eye is
    assert site.events() == 0


@SQLITE
@pytest.mark.parametrize("change, field, message", [
    ({"phone": ""}, "phone", "Please give the phone number we should call."),
    ({"phone": "555-CALL-ME"}, "phone", PHONE_RULE),
    ({"email": "alan"}, "email", "Please give an email address like name@example.com."),
    ({"name": ""}, "name", "Please tell us your name."),
    ({"note": "x" * 1001}, "note", "Please keep this under 1,000 characters."),
])
def test_bad_details_are_shown_next_to_their_field(site: Site, change: dict[str, str], field: str,
                                                   message: str) -> None:
    answer = site.send("/callback", {**ME, "slot": slot(at(3, 10)), **change})
    assert answer.status_code == 400 and error_of(answer, field) == message
    assert site.events() == 0


def test_sending_the_same_request_twice_books_once(site: Site) -> None:
    hidden = site.form("/callback")
    first = site.send("/callback", {**ME, "slot": slot(at(3, 10))}, hidden=hidden)
    written = site.events()
    again = site.send("/callback", {**ME, "slot": slot(at(3, 10))}, hidden=hidden)
    assert again.status_code == 200 and again.get_data(as_text=True) == first.get_data(as_text=True)
    assert site.events() == written


@SQLITE
def test_a_policy_calendar_sets_the_hours_and_the_zone_shown(site: Site) -> None:
    site.app.define_sla_policy(
        name="Callbacks", conditions={"channel": ["callback"]},
        targets={"normal": {"first_response": {"minutes": 60, "business_hours": True}}},
        calendar={"timezone": "Europe/Berlin", "hours": {"tue": [["14:00", "15:00"]]}, "holidays": ["2026-03-10"]},
        occurred_at=site.clock.now(), actor="user:admin")
    page = site.client.get("/callback").get_data(as_text=True)
    assert "All times are Europe/Berlin time." in page
    assert offered(site)[:3] == [slot(at(3, 13)), slot(at(3, 13, 30)), slot(at(17, 13))]  # 10 March: a holiday
    assert re.search(r"\s14:00\s*</label>", page)


@pytest.mark.parametrize("name, value, message", [
    ("CALLBACK_SLOT_MINUTES", "ten", "TOUCHLINE_CALLBACK_SLOT_MINUTES: must be a whole number, not 'ten'"),
    ("CALLBACK_SLOT_MINUTES", "0", "TOUCHLINE_CALLBACK_SLOT_MINUTES: must be a whole number of at least 5, not '0'"),
    ("CALLBACK_DAYS", "0", "TOUCHLINE_CALLBACK_DAYS: must be a whole number of at least 1, not '0'"),
    ("CALLBACK_SLOT_CAPACITY", "-1", "TOUCHLINE_CALLBACK_SLOT_CAPACITY: must be a whole number of at least 0, not '-1'"),
    ("PUBLIC_FORM_MIN_SECONDS", "", "TOUCHLINE_PUBLIC_FORM_MIN_SECONDS: must be a whole number, not ''"),
])
def test_a_bad_setting_stops_the_app_at_start_up_naming_it(tmp_path: Path, clock: FixedClock, name: str,
                                                           value: str, message: str) -> None:
    with pytest.raises(SettingError) as stopped:
        build_site(f"sqlite:///{tmp_path / 'bad.db'}", clock, **{name: value})
    assert str(stopped.value) == message


@SQLITE
def test_a_slot_capacity_of_zero_offers_no_times(database_url: str, clock: FixedClock) -> None:
    site = build_site(database_url, clock, CALLBACK_SLOT_CAPACITY=0)
    try:
        assert offered(site) == []
        assert "No times are free" in site.client.get("/callback").get_data(as_text=True)
    finally:
        site.services.close()


@SQLITE
def test_the_visitor_may_read_the_times_in_their_own_zone_and_books_the_same_instant(site: Site) -> None:
    tokyo = site.client.get("/callback?zone=Asia/Tokyo").get_data(as_text=True)
    assert "All times are Asia/Tokyo time." in tokyo and '<option value="Asia/Tokyo" selected>' in tokyo
    # Monday 09:30 UTC is Monday 18:30 in Tokyo; the slot's value is the same instant either way.
    monday = re.search(r'<fieldset class="day"><legend>Monday 2 March</legend>(.*?)</fieldset>', tokyo, re.DOTALL)
    assert monday and re.search(rf'value="{slot(at(2, 9, 30))}"[^>]*>\s*18:30', monday.group(1))
    answer = site.send("/callback?zone=Asia/Tokyo", {**ME, "slot": slot(at(2, 9, 30))})
    assert answer.status_code == 200 and "18:30 (Asia/Tokyo time)" in answer.get_data(as_text=True)
    site.catch_up()
    [booked] = callbacks(site)
    promise = site.app.get_promise(booked)
    assert (promise.due_at, promise.timezone) == (at(2, 9, 30), "Asia/Tokyo")  # what we write her later uses it
    assert promise.reply_to == ME["email"].lower()  # and the address she booked with, where it goes
    with site.services.views.connect() as conn:
        assert conn.exec_driver_sql("SELECT timezone FROM promises").scalar_one() == "Asia/Tokyo"


@SQLITE
@pytest.mark.parametrize("name", ["localtime", "Factory", "EST5EDT", "Etc/GMT+5"])
def test_zones_that_are_not_places_are_neither_offered_nor_taken(site: Site, name: str) -> None:
    """The server's own "localtime", "Factory" or a POSIX name would write times a customer cannot read."""
    page = site.client.get(f"/callback?zone={name}").get_data(as_text=True)
    assert f'<option value="{name}"' not in page and "We do not know the time zone" in page
    assert '<option value="Europe/Berlin"' in page and '<option value="UTC"' in page


@SQLITE
def test_an_unknown_zone_shows_the_calendars_times_and_says_so(site: Site) -> None:
    page = site.client.get("/callback?zone=Mars/Olympus").get_data(as_text=True)
    assert "All times are UTC time." in page and "We do not know the time zone &#39;Mars/Olympus&#39;" in page
    answer = site.send("/callback?zone=Mars/Olympus", {**ME, "slot": slot(at(2, 9, 30))})
    assert answer.status_code == 200 and "09:30 (UTC time)" in answer.get_data(as_text=True)
    site.catch_up()
    [booked] = callbacks(site)
    assert site.app.get_promise(booked).timezone == "UTC"  # the zone the page showed, not the unknown name
