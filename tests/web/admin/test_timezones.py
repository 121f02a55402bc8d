"""Times in the viewer's time zone: a preference per user (their own page, or an admin for
them), the TOUCHLINE_TIMEZONE default, one formatter on lists, details and pages, and typed
times read in that zone (DST: a skipped time is a field error, a repeated one takes the first)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from domain.clock import FixedClock
from projections.views.promises import promises
from scheduler.settings import SettingError
from tests.web.admin.conftest import Panel, build_panel, projecting
from tests.web.admin.matrix import READ, assert_matrix, customer
from tests.web.admin.test_users import ADMIN_ONLY

NEW_YORK = "America/New_York"


def prefer(panel: Panel, role: str, zone: str | None) -> None:
    panel.services.app.change_user_preferences(panel.user_id(role), timezone=zone, occurred_at=panel.clock.now(),
                                               actor="system:test")


def make_promise(panel: Panel, client: Any, due: str) -> Any:
    return panel.post(client, "/admin/promises/new/", {
        "customer_id": str(customer(panel)), "kind": "callback", "what": "Call back", "due_at": due,
        "owner": f"user:{panel.user_id('agent')}", "channel": "phone", "contact_point": "+1 212 555 0100"})


@pytest.fixture
def tokyo_panel(tmp_path: Path, clock: FixedClock) -> Iterator[Panel]:
    built = build_panel(f"sqlite:///{tmp_path / 'tokyo.db'}", clock, TIMEZONE="Asia/Tokyo")
    yield built
    built.services.close()


def test_role_matrix_of_the_preferences_pages(panel: Panel) -> None:
    on = f"?id={panel.user_id('auditor')}"
    assert_matrix(panel, [("GET /admin/preferences/", "", None, READ),
                          ("POST /admin/preferences/", "", {"timezone": "Europe/Paris"}, READ),
                          ("GET /admin/users/act/timezone/" + on, "", None, ADMIN_ONLY),
                          ("POST /admin/users/act/timezone/" + on, "", {"timezone": "Asia/Tokyo"}, ADMIN_ONLY)])


def test_a_forged_zone_change_for_someone_else_by_an_agent_is_refused(panel: Panel) -> None:
    agent = panel.client("agent")
    before = panel.event_count()
    response = agent.post(f"/admin/users/act/timezone/?id={panel.user_id('admin')}",
                          data={"timezone": "Asia/Tokyo", "csrf_token": panel.csrf(agent)})
    assert response.status_code == 403 and panel.event_count() == before


def test_my_zone_shows_every_time_in_it_with_its_abbreviation(stored_panel: Panel) -> None:
    panel = stored_panel
    agent = panel.client("agent")
    customer_id = customer(panel)  # registered at the clock's 2026-03-02 09:00 UTC
    with projecting(panel):
        saved = panel.post(agent, "/admin/preferences/", {"timezone": "Europe/Berlin"})
        assert saved.status_code == 302
    assert panel.services.app.get_user(panel.user_id("agent")).timezone == "Europe/Berlin"
    details = f"/admin/customers/details/?id={customer_id}"
    assert "2026-03-02 10:00 CET" in agent.get(details).get_data(as_text=True)  # lists' and details' formatter
    assert "2026-03-02 10:00 CET" in agent.get(f"/admin/customer360/{customer_id}").get_data(as_text=True)  # pages'
    # Others keep the default zone.
    assert "2026-03-02 09:00 UTC" in panel.client("admin").get(details).get_data(as_text=True)


def test_a_zone_that_is_not_on_the_list_is_a_field_error(panel: Panel) -> None:
    agent = panel.client("agent")
    before = panel.event_count()
    page = panel.post(agent, "/admin/preferences/", {"timezone": "Mars/Olympus"}).get_data(as_text=True)
    assert "Not a valid choice" in page.split('id="timezone"', 1)[1]
    assert panel.event_count() == before


def test_an_admin_sets_a_colleagues_zone(panel: Panel) -> None:
    admin = panel.client("admin")
    with projecting(panel):
        response = panel.post(admin, f"/admin/users/act/timezone/?id={panel.user_id('agent')}",
                              {"timezone": "Asia/Kolkata"})
    assert response.status_code == 302
    assert panel.services.app.get_user(panel.user_id("agent")).timezone == "Asia/Kolkata"
    details = admin.get(f"/admin/users/details/?id={panel.user_id('agent')}").get_data(as_text=True)
    assert "2026-03-02 09:00 UTC" in details  # the admin still reads their own zone
    agents_view = panel.client("agent").get(f"/admin/customer360/{customer(panel)}").get_data(as_text=True)
    assert "2026-03-02 14:30 IST" in agents_view


def test_the_default_zone_comes_from_the_setting(tokyo_panel: Panel) -> None:
    page = tokyo_panel.client("admin").get("/admin/users/").get_data(as_text=True)  # registered at 09:00 UTC
    assert "2026-03-02 18:00 JST" in page
    assert "Default (Asia/Tokyo)" in tokyo_panel.client("admin").get("/admin/preferences/").get_data(as_text=True)


def test_a_records_history_shows_its_state_in_my_zone_as_its_events(tokyo_panel: Panel) -> None:
    ada = customer(tokyo_panel)  # registered at 09:00 UTC
    page = tokyo_panel.client("admin").get(f"/admin/history/{ada}").get_data(as_text=True)
    assert "2026-03-02 18:00:00 JST" in page and "09:00:00 UTC" not in page  # the state's recorded times too


def test_a_bad_default_zone_stops_the_app_with_a_message(tmp_path: Path, clock: FixedClock) -> None:
    with pytest.raises(SettingError, match="^TOUCHLINE_TIMEZONE: 'Mars/Olympus'"):  # named once
        build_panel(f"sqlite:///{tmp_path / 'bad.db'}", clock, TIMEZONE="Mars/Olympus")


def test_a_due_time_is_read_in_my_zone_across_spring_forward(panel: Panel) -> None:
    prefer(panel, "agent", NEW_YORK)  # clocks go from 02:00 EST to 03:00 EDT on 2026-03-08
    agent = panel.client("agent")
    before = panel.event_count()
    skipped = make_promise(panel, agent, "2026-03-08T02:30").get_data(as_text=True)
    assert "does not exist in America/New_York" in skipped.split('id="due_at"', 1)[1][:800]
    assert panel.event_count() == before + 1  # the customer only: no promise
    with projecting(panel):
        response = make_promise(panel, agent, "2026-03-08T03:30")
        assert response.status_code == 302
        page = agent.get(response.headers["Location"]).get_data(as_text=True)
    assert "2026-03-08 03:30 EDT" in page
    due = _due_of_latest_promise(panel)
    assert due == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


def test_a_repeated_time_at_fall_back_takes_the_first_and_says_so(panel: Panel) -> None:
    prefer(panel, "agent", NEW_YORK)  # 01:00-02:00 happens twice on 2026-11-01
    agent = panel.client("agent")
    with projecting(panel):
        response = make_promise(panel, agent, "2026-11-01T01:30")
        assert response.status_code == 302
        page = agent.get(response.headers["Location"]).get_data(as_text=True)
    assert "happens twice in America/New_York" in page and "the first, 01:30 EDT, was used" in page
    assert _due_of_latest_promise(panel) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_the_dashboard_as_of_date_is_the_end_of_that_day_in_my_zone(panel: Panel) -> None:
    prefer(panel, "agent", "Asia/Tokyo")
    page = panel.client("agent").get("/admin/?as_of=2026-03-01").get_data(as_text=True)
    assert '<time datetime="2026-03-01T14:59:59.999999+00:00">2026-03-01 23:59 JST</time>' in page


def _due_of_latest_promise(panel: Panel) -> datetime:
    panel.catch_up()
    with panel.services.views.connect() as conn:
        return conn.execute(sa.select(promises.c.due_at).order_by(promises.c.made_at.desc())).scalars().first()


@pytest.mark.parametrize("url", ["/admin/preferences/", "/admin/sla_policies/new/", "/admin/tokens/new/"])
def test_each_settings_form_carries_its_own_csrf_token(panel: Panel, url: str) -> None:
    """The page's other forms (log out) have one too: a browser posts only this form's fields."""
    page = panel.client("admin").get(url).get_data(as_text=True)
    form = page.split('class="admin-form"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrf_token"' in form


def test_due_today_ends_at_midnight_where_the_viewer_is(panel: Panel) -> None:
    # 2026-03-02 is a Monday; at 20:00 UTC it is already Tuesday 05:00 in Tokyo.
    panel.clock.set(datetime(2026, 3, 2, 20, tzinfo=UTC))
    customer_id, app = customer(panel), panel.services.app
    for what, due in (("Late tonight in London", datetime(2026, 3, 2, 23, tzinfo=UTC)),
                      ("Tuesday noon in Tokyo", datetime(2026, 3, 3, 3, tzinfo=UTC))):
        app.make_promise(customer_id=customer_id, what=what, due_at=due, owner=f"user:{panel.user_id('agent')}",
                         channel="phone", occurred_at=panel.clock.now(), actor="system:test")
    panel.catch_up()
    agent = panel.client("agent")
    in_utc = agent.get("/admin/promises_due_today/").get_data(as_text=True)
    prefer(panel, "agent", "Asia/Tokyo")
    in_tokyo = agent.get("/admin/promises_due_today/").get_data(as_text=True)
    assert "Late tonight in London" in in_utc and "Tuesday noon in Tokyo" not in in_utc
    assert "Late tonight in London" in in_tokyo and "Tuesday noon in Tokyo" in in_tokyo


def test_a_time_typed_in_a_list_filter_is_read_in_my_zone(panel: Panel) -> None:
    """The list shows 10:00 EST; a filter around 10:00 finds it, one around 15:00 (UTC) does not."""
    prefer(panel, "agent", NEW_YORK)
    agent = panel.client("agent")
    assert make_promise(panel, agent, "2026-12-20T10:00").status_code == 302
    panel.catch_up()
    view = next(v for v in panel.app.extensions["admin"][0]._views if getattr(v, "endpoint", "") == "admin_promises")
    between = next(i for i, f in enumerate(view._filters)
                   if f.column.key == "due_at" and f.operation() == "between")

    def listed(start: str, end: str) -> bool:
        page = agent.get("/admin/promises/", query_string={f"flt0_{between}": f"{start} to {end}"})
        assert page.status_code == 200
        return "Call back" in page.get_data(as_text=True)

    assert listed("2026-12-20 09:30:00", "2026-12-20 10:30:00")
    assert not listed("2026-12-20 14:30:00", "2026-12-20 15:30:00")
    skipped = agent.get("/admin/promises/", query_string={f"flt0_{between}": "2026-03-08 02:30:00 to 2026-03-08 02:45:00"})
    assert "Invalid Filter Value" in skipped.get_data(as_text=True)  # the clocks skip 02:00-03:00 that night
