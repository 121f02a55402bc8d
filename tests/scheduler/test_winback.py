"""Win-back offers: customers on the churn list who consented to marketing get one offer with a
coupon per period, recorded on the customer; the unsubscribe link in it (and the one-click
header) withdraws the consent, after which no offer is queued."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from domain.messages.model import message_uuid
from projections.queries.customers import get_timeline
from scheduler.settings import link_key
from scheduler.winback import coupon_code, offer_win_backs
from tests.scheduler.conftest import ADMIN, World
from tests.scheduler.outreach import (
    SECRET,
    churned_customer,
    enable_outreach,
    link_in,
    outreach_fixture,  # noqa: F401 - the fixture ``outreach``
    path_of,
    public_app,
    submit,
)


def offers_to(world: World, address: str) -> list[object]:
    return [m for m in world.mail_to(address) if m["Subject"].startswith("We miss you")]


def test_a_churned_customer_who_consented_gets_one_offer_with_a_coupon_recorded_on_them(outreach: World) -> None:
    bob = churned_customer(outreach, "Bob Byron", "bob@example.com")
    quiet = churned_customer(outreach, "Cy Silent", "cy@example.com", marketing=False)
    outreach.tick()
    outreach.tick()
    offer, = offers_to(outreach, "bob@example.com")
    assert offers_to(outreach, "cy@example.com") == []
    recorded, = outreach.app.get_customer(bob).win_back_offers
    assert recorded["message_id"] == str(message_uuid(f"win-back/{bob}/1"))
    assert recorded["coupon"] == coupon_code(link_key(SECRET), f"win-back/{bob}/1")
    assert f"the code {recorded['coupon']} gives you" in offer.get_content()
    assert offer["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert offer["List-Unsubscribe"] == f"<{link_in(offer.get_content(), 'unsubscribe')}/one-click>"
    assert outreach.app.get_customer(quiet).win_back_offers == []
    with outreach.services.views.connect() as conn:  # the agent sees the offer on Bob's timeline
        lines = [t["summary"] for t in get_timeline(conn, str(bob), sort="-position").items]
    assert f"Win-back offer sent (coupon {recorded['coupon']})" in lines


def test_coupons_are_unique_across_customers_and_the_same_on_a_retry(outreach: World) -> None:
    customers = [churned_customer(outreach, f"Buyer {i}", f"buyer{i}@example.com") for i in range(5)]
    outreach.catch_up()
    first = offer_win_backs(outreach.ctx)
    retry = offer_win_backs(outreach.ctx)  # the view has not seen the offers yet: the customers say no
    coupons = [outreach.app.get_customer(c).win_back_offers[0]["coupon"] for c in customers]
    assert (first.done, retry.done) == (5, 0)
    assert len(set(coupons)) == 5
    assert all(c.startswith("WB-") and len(c) == 17 for c in coupons)
    assert coupons == [coupon_code(link_key(SECRET), f"win-back/{c}/1") for c in customers]


def test_at_most_one_offer_per_period(outreach: World) -> None:
    enable_outreach(outreach, winback_period=timedelta(days=30))
    bob = churned_customer(outreach, "Bob Byron", "bob@example.com")
    outreach.tick()
    outreach.clock.advance(days=29)
    outreach.tick()
    assert len(offers_to(outreach, "bob@example.com")) == 1
    outreach.clock.advance(days=1)
    outreach.tick()
    assert len(offers_to(outreach, "bob@example.com")) == 2
    assert [o["number"] for o in outreach.app.get_customer(bob).win_back_offers] == [1, 2]


def test_unsubscribing_on_the_page_withdraws_marketing_consent_and_stops_offers(
        outreach: World, database_url: str) -> None:
    enable_outreach(outreach, winback_period=timedelta(days=30))
    bob = churned_customer(outreach, "Bob Byron", "bob@example.com")
    outreach.tick()
    offer, = offers_to(outreach, "bob@example.com")
    web = public_app(database_url, outreach)
    try:
        client = web.test_client()
        path = path_of(link_in(offer.get_content(), "unsubscribe"))
        page = client.get(path)
        assert "you will receive no more offers and news from us" in page.get_data(as_text=True)
        assert outreach.app.get_customer(bob).has_consented("marketing")  # a GET changes nothing
        done = submit(client, path)
        assert done.status_code == 200
        assert "You are unsubscribed" in done.get_data(as_text=True)
    finally:
        web.extensions["touchline"].close()
    withdrawn = list(outreach.app.events.get(bob))[-1]
    assert (type(withdrawn).__name__, withdrawn.purpose, withdrawn.actor) == \
        ("ConsentWithdrawn", "marketing", f"customer:{bob}")
    outreach.clock.advance(days=31)
    outreach.tick()
    assert len(offers_to(outreach, "bob@example.com")) == 1
    assert len(outreach.app.get_customer(bob).win_back_offers) == 1


def test_the_one_click_post_of_the_header_unsubscribes_without_a_csrf_token(
        outreach: World, database_url: str) -> None:
    bob = churned_customer(outreach, "Bob Byron", "bob@example.com")
    outreach.tick()
    offer, = offers_to(outreach, "bob@example.com")
    web = public_app(database_url, outreach)
    try:
        target = path_of(offer["List-Unsubscribe"].strip("<>"))
        answer = web.test_client().post(target, data={"List-Unsubscribe": "One-Click"})
        assert answer.status_code == 200
    finally:
        web.extensions["touchline"].close()
    assert not outreach.app.get_customer(bob).has_consented("marketing")


def test_unsubscribing_from_surveys_stops_surveys(outreach: World, database_url: str) -> None:
    first = outreach.case()
    outreach.app.resolve_case(first, resolution="Done", occurred_at=outreach.clock.now(), actor=ADMIN)
    outreach.clock.advance(hours=25)
    outreach.tick()
    survey, = [m for m in outreach.sink.messages if "How did we do" in m["Subject"]]
    web = public_app(database_url, outreach)
    try:
        client = web.test_client()
        path = path_of(link_in(survey.get_content(), "unsubscribe"))
        assert "no more satisfaction surveys" in client.get(path).get_data(as_text=True)
        assert submit(client, path).status_code == 200
    finally:
        web.extensions["touchline"].close()
    assert outreach.app.get_customer(outreach.customer).consents["surveys"] is False
    second = outreach.case()
    outreach.app.resolve_case(second, resolution="Done", occurred_at=outreach.clock.now(), actor=ADMIN)
    outreach.clock.advance(hours=25)
    outreach.tick()
    assert len([m for m in outreach.sink.messages if "How did we do" in m["Subject"]]) == 1
    assert outreach.app.get_case(UUID(str(second))).surveys == {}
