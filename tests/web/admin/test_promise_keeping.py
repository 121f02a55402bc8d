"""The promise-keeping rate: promises kept on time / promises due, over the dashboard's period,
per agent and per team; figures computed by hand, the same after a rebuild, shown on the dashboard."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from projections.engine import create_views_engine
from projections.queries.dashboard import get_promise_keeping
from projections.queries.service import get_agent_workload
from projections.verify import verify_projections
from projections.views.directory import DirectoryProjection
from projections.views.promises import PromisesProjection
from tests.web.admin.conftest import Panel
from tests.web.admin.test_dashboard import figures
from tests.web.conftest import ApiClient

ADMIN = "system:test"
ROW = re.compile(r'<tr data-(team|agent)="([^"]*)">.*?data-rate>(.*?)</td>', re.DOTALL)


def write_promises(panel: Panel) -> dict[str, str]:
    """Three agents in two teams and promises whose outcomes are known (comments: counted in the
    last 7 days? kept on time?). Now is T0; the last 7 days are [T0 - 7 d, T0]."""
    app, t0 = panel.services.app, panel.services.clock.now()

    def day(n: float) -> datetime:
        return t0 + timedelta(days=n)

    refs = {}
    for name, team in (("Ann", "North"), ("Bob", "North"), ("Sue", "South")):
        user = app.register_user(email=f"{name.lower()}@shop.example", name=f"{name} Agent", role="agent", team=team,
                                 occurred_at=day(-30), actor=ADMIN).id
        refs[name] = f"user:{user}"
    customer = app.register_customer(name="Ada Lovelace", occurred_at=day(-30), actor=ADMIN).id

    def promise(owner: str, due: float, kept: float | None = None, cancelled: float | None = None) -> None:
        made = app.make_promise(customer_id=customer, what="Call back", due_at=day(due), owner=refs[owner],
                                channel="phone", occurred_at=day(-25), actor=ADMIN).id
        if kept is not None:
            app.keep_promise(made, evidence="Done", occurred_at=day(kept), actor=ADMIN)
        if cancelled is not None:
            app.cancel_promise(made, reason="Not needed", occurred_at=day(cancelled), actor=ADMIN)

    promise("Ann", due=-3, kept=-4)  # 7 days: yes (came due when kept), on time
    promise("Ann", due=-2, kept=-1)  # 7 days: yes (due at -2), late
    promise("Ann", due=-20, kept=-21)  # 7 days: no (-21); all time: on time
    promise("Bob", due=-1)  # 7 days: yes, still open: not kept
    promise("Bob", due=3, kept=-1)  # 7 days: yes (kept early at -1), on time
    promise("Bob", due=3)  # not due yet: nowhere
    promise("Sue", due=-5, cancelled=-6)  # cancelled: nowhere
    promise("Sue", due=-6, kept=-6)  # 7 days: yes, on time (kept at the due instant)
    promise("Sue", due=-8, kept=-9)  # 7 days: no; all time: on time
    panel.catch_up()
    return refs


def keeping(panel: Panel, **period: Any) -> dict[str, Any]:
    with panel.services.views.connect() as conn:
        return get_promise_keeping(conn, until=panel.services.clock.now(), **period)


def by(rows: list[dict[str, Any]], key: str) -> dict[str, tuple[int, int, float | None]]:
    return {row[key]: (row["due"], row["kept_on_time"], row["rate"]) for row in rows}


def test_the_rate_over_a_period_per_agent_and_team_is_kept_on_time_over_due(stored_panel: Panel) -> None:
    refs = write_promises(stored_panel)
    week = keeping(stored_panel, since=stored_panel.services.clock.now() - timedelta(days=7))
    assert (week["due"], week["kept_on_time"], week["rate"]) == (5, 3, 0.6)
    assert by(week["agents"], "agent") == {refs["Ann"]: (2, 1, 0.5), refs["Bob"]: (2, 1, 0.5),
                                           refs["Sue"]: (1, 1, 1.0)}
    assert by(week["teams"], "team") == {"North": (4, 2, 0.5), "South": (1, 1, 1.0)}
    ever = keeping(stored_panel, since=None)
    assert (ever["due"], ever["kept_on_time"], ever["rate"]) == (7, 5, 0.7143)
    assert by(ever["teams"], "team") == {"North": (5, 3, 0.6), "South": (2, 2, 1.0)}


def test_over_everything_it_is_the_workloads_rate_per_agent(stored_panel: Panel) -> None:
    write_promises(stored_panel)
    with stored_panel.services.views.connect() as conn:
        workload = {r["agent"]: r["promise_keeping_rate"]
                    for r in get_agent_workload(conn, now=stored_panel.services.clock.now())}
    assert {r["agent"]: r["rate"] for r in keeping(stored_panel, since=None)["agents"]} == workload


def test_a_rebuild_gives_the_same_figures(stored_panel: Panel, tmp_path: Path) -> None:
    write_promises(stored_panel)
    scratch = f"sqlite:///{tmp_path / 'rebuilt.db'}"
    services = stored_panel.services
    reports = verify_projections(services.app, services.views, [PromisesProjection(), DirectoryProjection()],
                                 scratch_url=scratch)
    assert [r.differences for r in reports] == [[], []]
    rebuilt = create_views_engine(scratch)
    try:
        with rebuilt.connect() as conn:
            assert conn.execute(sa.text("select count(*) from promises")).scalar() == 9
            since = services.clock.now() - timedelta(days=7)
            again = get_promise_keeping(conn, since=since, until=services.clock.now())
    finally:
        rebuilt.dispose()
    assert again == keeping(stored_panel, since=since)


def test_the_dashboard_shows_the_rate_and_the_tables_for_its_period(stored_panel: Panel) -> None:
    write_promises(stored_panel)
    page = stored_panel.client("agent").get("/admin/?period=7").get_data(as_text=True)
    assert figures(page)["promise_keeping"] == "60.0 %"
    assert "3 of 5 due in the period" in page
    section = page[page.index('id="promise-keeping"'):]  # (the workload table has data-agent rows too)
    rows = {(kind, key): " ".join(html.unescape(rate).split()) for kind, key, rate in ROW.findall(section)}
    assert rows[("team", "North")] == "50.0 %" and rows[("team", "South")] == "100.0 %"
    assert sorted(v for (kind, _), v in rows.items() if kind == "agent") == ["100.0 %", "50.0 %", "50.0 %"]
    assert "Sue Agent" in page


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_every_role_sees_the_figure(stored_panel: Panel, role: str) -> None:
    write_promises(stored_panel)
    page = stored_panel.client(role).get("/admin/?period=all").get_data(as_text=True)
    assert figures(page)["promise_keeping"] == "71.4 %"


def test_the_api_gives_the_same_figures_for_a_period(api: ApiClient) -> None:
    refs = write_promises(api)  # type: ignore[arg-type]  # it has what the writer needs: services, catch_up
    answer = api.get("/api/v1/promise-keeping?since=2026-02-23&until=2026-03-02")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert (body["due"], body["kept_on_time"], body["rate"]) == (5, 3, 0.6)  # 2026-02-23 00:00 is T0 - 7 d 9 h
    assert {r["agent"]: r["rate"] for r in body["agents"]} == {refs["Ann"]: 0.5, refs["Bob"]: 0.5, refs["Sue"]: 1.0}
    assert body["until"] == "2026-03-02T09:00:00+00:00"  # today ends now
    assert api.get("/api/v1/promise-keeping").get_json()["due"] == 7


@pytest.mark.parametrize("query, field", [
    ("since=2026-03-02&until=2026-03-01", "since"),
    ("since=yesterday", "since"),
    ("until=2026-02-30", "until"),
    ("team=North", "team"),
])
def test_the_api_names_the_bad_parameter(api: ApiClient, query: str, field: str) -> None:
    answer = api.get(f"/api/v1/promise-keeping?{query}")
    assert answer.status_code == 422
    assert field in answer.get_json()["errors"]


def test_the_api_needs_the_promises_read_scope(api: ApiClient) -> None:
    assert api.get("/api/v1/promise-keeping", token=api.token("read:deals")).status_code == 403
    assert api.get("/api/v1/promise-keeping", token=api.token("read:promises")).status_code == 200
