"""The dashboard: who may see it, its figures are the queries' figures, the filters work and a
bad filter is a message, never a failure."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest

from projections.queries.dashboard import get_dashboard
from projections.queries.funnel import get_funnel
from projections.queries.service import get_agent_workload, get_contact_rates
from projections.queries.sla import list_at_risk, list_breaches
from tests.web.admin.conftest import Panel
from tests.web.admin.pages_data import T0, hours, write_known_history

FIGURE = re.compile(r'data-figure="([a-z_]+)">(.*?)</div>', re.DOTALL)
STAGE = re.compile(r'data-stage="([^"]+)">\s*<td>[^<]*</td>\s*<td class="text-right" data-count>(\d+)</td>')


def figures(page: str) -> dict[str, str]:
    """The dashboard's figure cards: key -> text as shown."""
    return {key: " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split()) for key, text in FIGURE.findall(page)}


def stage_counts(page: str) -> dict[str, int]:
    return {stage: int(count) for stage, count in STAGE.findall(page)}


def rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


@pytest.fixture
def known(stored_panel: Panel) -> Panel:
    write_known_history(stored_panel.services.app)
    stored_panel.catch_up()
    return stored_panel


def read(panel: Panel, fetch: Any) -> Any:
    with panel.services.views.connect() as conn:
        return fetch(conn)


def test_anonymous_visitors_are_sent_to_the_login_page(panel: Panel) -> None:
    response = panel.anonymous().get("/admin/")
    assert response.status_code == 302
    assert "/admin/account/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["admin", "agent", "auditor"])
def test_every_role_sees_the_dashboard(panel: Panel, role: str) -> None:
    response = panel.client(role).get("/admin/")
    assert response.status_code == 200
    assert 'id="funnel-chart"' in response.get_data(as_text=True)


def test_the_figures_are_the_queries_figures(known: Panel) -> None:
    now = known.clock.now()
    shown = figures(known.client("auditor").get("/admin/").get_data(as_text=True))

    funnel = read(known, lambda conn: get_funnel(conn, as_of=now))
    rates = read(known, lambda conn: get_contact_rates(conn))
    assert shown["win_rate"] == rate(funnel["win_rate"]) == "50.0 %"
    assert shown["won_value"] == f"{funnel['won_value']:,.2f}" == "500.00"
    assert shown["open_deals"] == str(funnel["open_deals"]) == "1"
    assert shown["sla_breaches"] == str(len(read(known, lambda conn: list_breaches(conn, now)))) == "2"
    assert shown["sla_at_risk"] == str(len(read(known, lambda conn: list_at_risk(conn, now, share=0.75)))) == "1"
    assert shown["overdue_promises"] == "1"
    assert shown["repeat_contact_rate"] == rate(rates["repeat_contact_rate"]) == "50.0 %"
    assert shown["first_contact_resolution_rate"] == rate(rates["first_contact_resolution_rate"])
    assert shown["csat"] == "3.0"


def test_the_workload_table_lists_each_agents_open_work(known: Panel) -> None:
    page = known.client("admin").get("/admin/").get_data(as_text=True)
    workload = read(known, lambda conn: get_agent_workload(conn, now=known.clock.now()))
    for row in workload:
        assert f'data-agent="{row["agent"]}"' in page
    assert "Andy Agent" in page  # user:agent@example.com, named from the users read model
    agent = next(r for r in workload if r["agent"] == "user:agent@example.com")
    assert (agent["open_promises"], agent["overdue_promises"]) == (2, 1)


def test_as_of_a_past_date_shows_the_funnel_of_that_day(known: Panel) -> None:
    client = known.client("agent")
    before_the_outcomes = (T0 - timedelta(days=3)).date().isoformat()
    then = client.get(f"/admin/?as_of={before_the_outcomes}").get_data(as_text=True)
    now = client.get("/admin/").get_data(as_text=True)

    assert stage_counts(then)["Prospecting"] == 3 and stage_counts(then)["Won"] == 0
    assert stage_counts(now)["Prospecting"] == 1 and stage_counts(now)["Won"] == 1 and stage_counts(now)["Lost"] == 1
    assert figures(then)["win_rate"] == "—"


def test_the_period_bounds_deals_contacts_ratings_and_breaches(known: Panel) -> None:
    page = known.client("agent").get("/admin/?period=7").get_data(as_text=True)
    expected = read(known, lambda conn: get_dashboard(conn, now=T0, since=T0 - timedelta(days=7)))
    shown = figures(page)
    assert shown["open_deals"] == "0"  # every deal was opened ten days ago
    assert shown["sla_breaches"] == str(expected["sla_breaches"]) == "2"
    assert shown["csat"] == "3.0"
    one_day = figures(known.client("agent").get("/admin/?period=7&as_of=" + hours(-24).date().isoformat())
                      .get_data(as_text=True))
    assert one_day["csat"] == "3.0" and one_day["sla_breaches"] == "0"  # Ada's breaches happened today


@pytest.mark.parametrize("query, message", [
    ("as_of=yesterday", "is not a date"),
    ("as_of=2999-01-01", "in the future"),
    ("period=fortnight", "Period: choose one of"),
])
def test_a_bad_filter_is_a_message_and_the_defaults_stand_in(panel: Panel, query: str, message: str) -> None:
    response = panel.client("agent").get(f"/admin/?{query}")
    assert response.status_code == 200
    assert message in html.unescape(response.get_data(as_text=True))


def test_the_chart_script_and_its_data_are_served_locally(known: Panel) -> None:
    client = known.client("agent")
    page = client.get("/admin/").get_data(as_text=True)
    assert 'id="funnel-data"' in page and "://" not in re.findall(r'<script[^>]*src="([^"]+)"', page)[0]
    for src in re.findall(r'<script[^>]*src="([^"]+)"', page):
        assert src.startswith("/admin/"), src
        assert client.get(src).status_code == 200, src
    chart = client.get("/admin/assets/vendor/chartjs/chart.umd.min.js").get_data(as_text=True)
    assert "Chart.js v4" in chart[:200]


def test_without_read_models_the_dashboard_says_so(panel: Panel) -> None:
    with panel.services.views_writer.begin() as conn:
        conn.exec_driver_sql("DROP TABLE deal_stages")
    response = panel.client("agent").get("/admin/")
    assert response.status_code == 200
    assert "read models are not available" in response.get_data(as_text=True)


@pytest.mark.parametrize("value, shown", [(0.9998, "&gt;99.9&nbsp;%"), (1.0, "100.0&nbsp;%"), (0.0004, "&lt;0.1&nbsp;%"),
                                          (0.0, "0.0&nbsp;%"), (0.5, "50.0&nbsp;%"), (None, "&mdash;")])
def test_a_rate_short_of_all_never_reads_as_all_nor_one_above_none_as_none(panel: Panel, value: Any,
                                                                         shown: str) -> None:
    with panel.app.test_request_context():
        macro = panel.app.jinja_env.from_string("{% import 'admin/pages/_format.html' as f %}{{ f.rate(v) }}")
        assert macro.render(v=value).strip() == shown


def test_the_forecast_weighs_every_open_deal_by_its_stages_probability(known: Panel) -> None:
    known.services.app.weigh_pipeline(probabilities={"Prospecting": 30}, occurred_at=known.clock.now(),
                                      actor="system:test")
    known.catch_up()
    page = known.client("agent").get("/admin/").get_data(as_text=True)
    forecast = read(known, lambda conn: get_dashboard(conn, now=known.clock.now()))["forecast"]
    prospecting = next(s for s in forecast["stages"] if s["name"] == "Prospecting")
    assert (prospecting["open_deals"], prospecting["probability"]) == (1, 0.3)
    row = page.split('id="forecast-stages"', 1)[1].split('data-stage="Prospecting"', 1)[1].split("</tr>", 1)[0]
    assert "30.0&nbsp;%" in row and f"{prospecting['weighted_value']:,.2f}" in row
    total = page.split("data-forecast-total>", 1)[1].split("<", 1)[0]
    assert total == f"{forecast['weighted_value']:,.2f}" and forecast["weighted_value"] > 0
    assert "Set the stages' win probabilities" not in page  # admins only
    assert "Set the stages' win probabilities" in known.client("admin").get("/admin/").get_data(as_text=True)


def test_a_close_date_passes_on_the_viewers_day_not_utcs(known: Panel) -> None:
    """At 20:00 in Chicago it is already tomorrow in UTC: a deal expected to close today is still
    in this month's forecast, not among the slipped ones."""
    from tests.web.admin.test_timezones import prefer
    app, now = known.services.app, known.clock.now()
    evening = now.replace(hour=2)  # 02:00 UTC is 20:00 the day before in Chicago (CST)
    known.clock.set(evening)
    app.open_deal(customer_id=None, product_id=None, title="Closes today", value=700, owner="system:test",
                  expected_close_on=(evening - timedelta(hours=6)).date().isoformat(), occurred_at=evening,
                  actor="system:test")
    known.catch_up()
    prefer(known, "agent", "America/Chicago")
    page = known.client("agent").get("/admin/").get_data(as_text=True)
    months = page.split('id="forecast-months"', 1)[1].split("</table>", 1)[0]
    assert 'data-month="close_date_passed"' not in months
    assert f'data-month="{(evening - timedelta(hours=6)):%Y-%m}"' in months
