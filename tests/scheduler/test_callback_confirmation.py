"""A callback the customer booked on the public page is confirmed to them by email once per booked
time, with a link that cancels it; a link for a time since moved, a forged one, or one used after
the call cancels nothing. Callbacks agents promised themselves are not mailed. (SQLite only.)"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient

from domain.promises.model import CALLBACK_QUEUE
from tests.scheduler.conftest import ADMIN, World
from tests.scheduler.outreach import enable_outreach, link_in, path_of, public_app, submit

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
NUMBER = "+44 20 7946 0000"


@pytest.fixture
def public(world: World, database_url: str) -> Iterator[FlaskClient]:
    enable_outreach(world)
    web = public_app(database_url, world)
    yield web.test_client()
    web.extensions["touchline"].close()


def booked(world: World, *, owner: str = CALLBACK_QUEUE, due_in: timedelta = timedelta(days=2),
           timezone: str | None = None) -> UUID:
    return world.promise(due_in=due_in, kind="callback", channel="callback", what="Call Ada back about the invoice",
                         contact_point=NUMBER, owner=owner, timezone=timezone)


def confirmations(world: World) -> list[str]:
    return [m.get_content() for m in world.mail_to("ada@example.com") if m["Subject"].startswith("Your call from us")]


def test_a_booked_callback_is_confirmed_once_and_again_when_moved(world: World, public: FlaskClient) -> None:
    callback = booked(world)
    world.tick()
    world.tick()
    [first] = confirmations(world)
    due = world.app.get_promise(callback).due_at
    assert f"{due:%Y-%m-%d %H:%M} UTC" in first and NUMBER in first and "/callback/cancel/" in first
    world.app.reschedule_promise(callback, due_at=due + timedelta(hours=3), reason="Asked for the afternoon",
                                 occurred_at=world.clock.now(), actor=ADMIN)
    world.tick()
    assert len(confirmations(world)) == 2
    assert f"{due + timedelta(hours=3):%Y-%m-%d %H:%M} UTC" in confirmations(world)[1]
    outdated = public.get(path_of(link_in(first, "callback/cancel")))
    assert outdated.status_code == 410 and "latest confirmation" in outdated.get_data(as_text=True)


def test_the_link_cancels_the_call_once(world: World, public: FlaskClient) -> None:
    callback = booked(world)
    world.tick()
    link = path_of(link_in(confirmations(world)[0], "callback/cancel"))
    page = public.get(link).get_data(as_text=True)
    assert "Cancel the call" in page and NUMBER in page
    done = submit(public, link)
    assert done.status_code == 200 and "Your call is cancelled" in done.get_data(as_text=True)
    cancelled = world.app.get_promise(callback)
    assert cancelled.status == "cancelled"
    again = public.get(link)
    assert again.status_code == 200 and "cancelled already" in again.get_data(as_text=True)
    assert world.app.get_promise(callback).version == cancelled.version  # nothing more recorded


@pytest.mark.parametrize("case", ["forged", "no csrf token", "after the call"])
def test_a_bad_or_late_cancellation_changes_nothing(world: World, public: FlaskClient, case: str) -> None:
    callback = booked(world, due_in=timedelta(hours=3))
    world.tick()
    link = path_of(link_in(confirmations(world)[0], "callback/cancel"))
    before = world.app.get_promise(callback).version
    if case == "forged":
        answer = public.get(link[:-1] + ("A" if link[-1] != "A" else "B"))
        assert answer.status_code == 404 and "not valid" in answer.get_data(as_text=True)
    elif case == "no csrf token":
        assert public.post(link).status_code == 400
    else:
        world.clock.advance(hours=4)
        answer = public.get(link)
        assert answer.status_code == 410 and "passed" in answer.get_data(as_text=True)
    assert world.app.get_promise(callback).version == before


def test_a_callback_an_agent_promised_is_not_mailed(world: World, public: FlaskClient) -> None:
    booked(world, owner=world.agent_ref)
    world.tick()
    assert confirmations(world) == []


def test_an_agent_who_takes_the_call_and_moves_it_sends_the_new_time(world: World, public: FlaskClient) -> None:
    callback = booked(world)
    world.tick()
    world.app.hand_over_promise(callback, to_owner=world.agent_ref, note="I'll call", occurred_at=world.clock.now(),
                                actor=ADMIN)
    due = world.app.get_promise(callback).due_at
    world.app.reschedule_promise(callback, due_at=due + timedelta(days=1), reason="Asked for Wednesday",
                                 occurred_at=world.clock.now(), actor=world.agent_ref)
    world.tick()
    first, moved = confirmations(world)
    assert f"{due + timedelta(days=1):%Y-%m-%d %H:%M} UTC" in moved
    page = public.get(path_of(link_in(moved, "callback/cancel")))
    assert page.status_code == 200 and "Cancel the call" in page.get_data(as_text=True)


def test_the_time_is_named_by_its_zone_not_an_ambiguous_abbreviation(world: World, public: FlaskClient) -> None:
    world.ctx.settings = replace(world.ctx.settings, timezone="America/Chicago")  # no SLA calendar: this zone
    callback = booked(world)
    world.tick()
    [mail] = confirmations(world)
    due = world.app.get_promise(callback).due_at.astimezone(ZoneInfo("America/Chicago"))
    assert f"{due:%Y-%m-%d %H:%M} CST (America/Chicago time)" in mail
    assert "Call Ada back" not in mail  # the promise's own wording is for the agent


def test_the_time_is_given_in_the_zone_the_customer_chose(world: World, public: FlaskClient) -> None:
    """The booking page showed Ada the times in Tokyo's zone: the confirmation and the cancel page
    name the call's time on her clock, not the business's."""
    world.ctx.settings = replace(world.ctx.settings, timezone="America/Chicago")
    callback = booked(world, timezone="Asia/Tokyo")
    world.tick()
    [mail] = confirmations(world)
    due = world.app.get_promise(callback).due_at
    assert f"{due.astimezone(ZoneInfo('Asia/Tokyo')):%Y-%m-%d %H:%M} JST (Asia/Tokyo time)" in mail
    assert "America/Chicago" not in mail
    page = public.get(path_of(link_in(mail, "callback/cancel"))).get_data(as_text=True)
    assert f"{due.astimezone(ZoneInfo('Asia/Tokyo')):%H:%M} (Asia/Tokyo time)" in page
    assert 'href="/callback?zone=Asia/Tokyo"' in page  # another time, offered on her clock


def test_the_apology_for_a_missed_callback_gives_its_time_on_the_customers_clock(world: World) -> None:
    world.ctx.settings = replace(world.ctx.settings, timezone="America/Chicago")
    callback = booked(world, due_in=timedelta(minutes=-1), timezone="Asia/Tokyo")
    world.tick()
    promise = world.app.get_promise(callback)
    apology = world.app.get_message(UUID(promise.follow_ups["customer_apology"]))
    assert f"{promise.due_at.astimezone(ZoneInfo('Asia/Tokyo')):%Y-%m-%d %H:%M} JST (Asia/Tokyo time)" in apology.body
    assert "America/Chicago" not in apology.body


def test_the_confirmation_goes_to_the_address_the_call_was_booked_with(world: World, public: FlaskClient) -> None:
    """Ada has two addresses and booked with her second: that is where she looks for the answer."""
    now = world.clock.now()
    ada = world.app.get_customer(world.customer)
    world.app.change_customer_details(world.customer, contact_points=[
        *ada.contact_points, {"kind": "email", "value": "ada@home.example"}], occurred_at=now, actor=ADMIN)
    world.app.request_callback(
        id=uuid4(), customer_id=world.customer, starts_at=now + timedelta(days=2), capacity=3, held=lambda booked: 0,
        what="Call Ada back", owner=CALLBACK_QUEUE, contact_point=NUMBER, reply_to="Ada@Home.example",
        touchpoint={"id": uuid4(), "channel": "web_form", "direction": "inbound", "kind": "request", "subject": "Callback",
                    "summary": ""}, occurred_at=now, actor="customer:web")
    world.tick()
    assert [m["Subject"].startswith("Your call from us") for m in world.mail_to("ada@home.example")] == [True]
    assert confirmations(world) == []  # not her first address
