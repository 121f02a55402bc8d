"""Values at the edges of what can be kept: amounts past 64-bit cents, instants near year 1 or
9999, positions past the end of the log. The panel refuses them on the form, writes nothing,
and no page ever answers 500 for them (once stored, they stopped the projections for good, or
broke every page of a user in a zone that pushed them past the calendar)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest
from flask import g

from tests.web.admin.conftest import Panel
from tests.web.admin.matrix import customer
from tests.web.admin.test_timezones import make_promise, prefer
from tests.web.admin.test_webhooks import webhook
from web.admin.localtime import local_time

YEARS = "must be between the years 1900 and 2999"


def field_error(page: str, field: str) -> str:
    return page.split(f'id="{field}"', 1)[1][:800]


@pytest.mark.parametrize("value", ["100000000000000000", "1000000000000.01"])
def test_a_deal_worth_more_than_a_trillion_is_refused_on_the_form(panel: Panel, value: str) -> None:
    agent, customer_id = panel.client("agent"), customer(panel)
    before = panel.event_count()
    response = panel.post(agent, "/admin/deals/new/", {
        "customer_id": str(customer_id), "product_id": "", "title": "Everything", "value": value,
        "owner": f"user:{panel.user_id('agent')}", "stage": "Prospecting"})
    assert response.status_code == 200
    assert "must be at most 1,000,000,000,000" in field_error(response.get_data(as_text=True), "value")
    assert panel.event_count() == before
    panel.catch_up()  # and the projections are still fine


def test_a_deal_won_for_more_than_a_trillion_is_refused_on_the_form(panel: Panel) -> None:
    agent, customer_id = panel.client("agent"), customer(panel)
    deal_id = panel.services.app.open_deal(customer_id=customer_id, product_id=None, title="Laptops", value="9500",
                                           owner=f"user:{panel.user_id('agent')}", occurred_at=panel.clock.now(),
                                           actor="system:test").id
    panel.catch_up()
    before = panel.event_count()
    page = panel.post(agent, f"/admin/deals/act/win/?id={deal_id}", {"close_value": "1e17", "version": "1"})
    assert page.status_code == 200 and "must be at most 1,000,000,000,000" in page.get_data(as_text=True)
    assert panel.event_count() == before


@pytest.mark.parametrize(("zone", "due"), [
    ("UTC", "9999-12-31T23:59"), ("UTC", "1899-12-31T23:59"),
    ("Etc/GMT+12", "9999-12-31T23:59"),  # twelve hours behind: in UTC past year 9999 (was a 500)
    ("Pacific/Kiritimati", "0001-01-01T00:00"),  # fourteen ahead: in UTC before year 1
])
def test_a_due_time_outside_1900_to_2999_is_a_field_error(panel: Panel, zone: str, due: str) -> None:
    prefer(panel, "agent", zone)
    agent = panel.client("agent")
    before = panel.event_count()
    response = make_promise(panel, agent, due)
    assert response.status_code == 200
    said = field_error(response.get_data(as_text=True), "due_at")
    assert YEARS in said or "is out of range" in said
    assert panel.event_count() == before + 1  # the customer make_promise registers: no promise


def test_a_touchpoint_from_the_year_1_is_refused(panel: Panel) -> None:
    agent, customer_id = panel.client("agent"), customer(panel)
    before = panel.event_count()
    page = panel.post(agent, "/admin/touchpoints/new/", {
        "customer_id": str(customer_id), "channel": "phone", "direction": "outbound", "kind": "follow_up",
        "subject": "Long ago", "summary": "", "contact_point": "", "occurred_at": "0001-01-01T00:00", "case_id": ""})
    assert page.status_code == 200 and YEARS in field_error(page.get_data(as_text=True), "occurred_at")
    assert panel.event_count() == before


def test_a_replay_past_the_end_of_the_log_is_refused_on_the_form(panel: Panel) -> None:
    admin = panel.client("admin")
    hook_id, _ = webhook(panel)
    for position in ("99999999999999999999", str(panel.event_count() + 5)):
        page = panel.post(admin, f"/admin/webhooks/act/replay/?id={hook_id}", {"from_position": position})
        assert page.status_code == 200
        assert "past the end of the log" in page.get_data(as_text=True) or "Number must be" in page.get_data(
            as_text=True)
    assert panel.services.app.get_webhook(UUID(hook_id)).version == 1
    panel.catch_up()


def test_the_dashboard_as_of_the_year_1_says_so_and_shows_today(panel: Panel) -> None:
    page = panel.client("agent").get("/admin/?period=7&as_of=0001-01-01")
    assert page.status_code == 200 and "As of: choose a date from 1900 on; showing today." in page.get_data(
        as_text=True)


@pytest.mark.parametrize("query", ["as_of=0001-01-01T00:00:00%2B14:00", "as_of=9999-12-31T23:59:00%2B00:00",
                                   "after=99999999999999999999"])
def test_a_history_asked_at_the_edge_of_the_calendar_is_still_shown(panel: Panel, query: str) -> None:
    prefer(panel, "admin", "Pacific/Kiritimati")
    customer_id = customer(panel)
    page = panel.client("admin").get(f"/admin/history/{customer_id}?{query}")
    assert page.status_code == 200
    if query.startswith("as_of"):
        assert YEARS in page.get_data(as_text=True)


def test_a_time_past_the_calendar_in_my_zone_is_shown_as_stored(panel: Panel) -> None:
    """Values stored before years were checked: shown in UTC rather than failing the page."""
    with panel.app.test_request_context("/admin/"):
        g.viewer_zone = __import__("zoneinfo").ZoneInfo("Pacific/Kiritimati")
        assert local_time(datetime(9999, 12, 31, 23, 0, tzinfo=UTC)) == "9999-12-31 23:00 UTC"
        assert local_time(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) == "2026-03-02 23:00 +14"


@pytest.mark.parametrize("prefill", ["x", "2026-03-02T10:00", "%00"])
def test_a_time_prefilled_from_the_link_is_shown_as_given(panel: Panel, prefill: str) -> None:
    page = panel.client("agent").get(f"/admin/promises/new/?due_at={prefill}")
    assert page.status_code == 200  # a str where the field expects a datetime was a 500
    assert 'name="due_at"' in page.get_data(as_text=True)
