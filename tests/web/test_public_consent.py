"""The public consent page: a signed link shows a customer's consents and records the changes;
forged, altered or expired links and posts without a CSRF token change nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import UUID

import pytest

from scheduler.links import survey_token
from scheduler.settings import link_key
from tests.web.public_site import Site, site_fixture  # noqa: F401
from web.public.consent import consent_token

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
SECRET = "public-pages-test-secret"  # build_site's


def link(site: Site, customer: UUID, days_ago: int = 0) -> str:
    made = site.clock.now() - timedelta(days=days_ago)
    return f"/consent/{consent_token(link_key(SECRET), customer, made)}"


def checked(site: Site, path: str) -> set[str]:
    html = site.client.get(path).get_data(as_text=True)
    return set(re.findall(r'<input checked id="(\w+)"', html))


def test_a_customer_sees_and_changes_their_consents(site: Site) -> None:
    customer = site.customer("Grace Hopper", "grace@example.com")
    site.app.give_consent(customer, purpose="surveys", occurred_at=site.clock.now(), actor="user:agent")
    path = link(site, customer)
    assert checked(site, path) == {"surveys"}
    answer = site.client.post(path, data={**site.form(path), "marketing": "y"})  # surveys unticked
    assert answer.status_code == 200
    assert "We will send you: offers and news." in answer.get_data(as_text=True)
    consents = site.app.get_customer(customer).consents
    assert consents == {"surveys": False, "marketing": True}
    before = site.events()
    site.client.post(path, data={**site.form(path), "marketing": "y"})  # the same again: nothing to record
    assert site.events() == before


def test_the_page_shows_what_we_would_send_and_unticking_surveys_stops_them(site: Site) -> None:
    """Surveys go unless withdrawn: a customer who never said either way sees the box ticked, and
    unticking it records the withdrawal the scheduler reads."""
    customer = site.customer("Grace Hopper", "grace@example.com")
    path = link(site, customer)
    assert checked(site, path) == {"surveys"}
    answer = site.client.post(path, data=site.form(path))  # nothing ticked
    assert "We will send you nothing beyond answers to your own requests." in answer.get_data(as_text=True)
    assert site.app.get_customer(customer).may_send("surveys") is False


@SQLITE
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_forged_altered_or_foreign_link_is_a_404_page(site: Site, method: str) -> None:
    customer = site.customer("Grace Hopper", "grace@example.com")
    good = link(site, customer)
    for bad in (good[:-1] + ("A" if good[-1] != "A" else "B"), good.rpartition(".")[0], "/consent/nonsense",
                f"/consent/{survey_token(link_key(SECRET), customer, 1)}", "/consent/" + "x" * 300):
        answer = site.client.open(bad, method=method)
        assert answer.status_code in ((404,) if method == "GET" else (400, 404)), bad
    assert site.app.get_customer(customer).consents == {}


@SQLITE
def test_an_expired_link_is_a_410_page(site: Site) -> None:
    customer = site.customer("Grace Hopper", "grace@example.com")
    assert site.client.get(link(site, customer, days_ago=364)).status_code == 200
    answer = site.client.get(link(site, customer, days_ago=367))
    assert answer.status_code == 410 and "This link has expired" in answer.get_data(as_text=True)


@SQLITE
def test_a_post_without_the_csrf_token_changes_nothing(site: Site) -> None:
    customer = site.customer("Grace Hopper", "grace@example.com")
    assert site.client.post(link(site, customer), data={"marketing": "y"}).status_code == 400
    assert site.app.get_customer(customer).consents == {}


@SQLITE
def test_an_erased_customer_has_no_consent_page(site: Site) -> None:
    customer = site.customer("Grace Hopper", "grace@example.com")
    site.app.erase_customer(customer, reason="Asked to be forgotten", occurred_at=site.clock.now(), actor="user:admin")
    answer = site.client.get(link(site, customer))
    assert answer.status_code == 404 and "We hold no details about you" in answer.get_data(as_text=True)
