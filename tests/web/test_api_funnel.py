"""GET /api/v1/funnel agrees with figures computed independently from the Maven CSV files."""
from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.clock import FixedClock
from tests.conftest import MAVEN_DIR
from tests.web.conftest import ApiClient
from web import create_app
from web.importers.maven import import_maven

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@dataclass
class Expected:
    counts: dict[str, int] = field(default_factory=lambda: {"Prospecting": 0, "Engaging": 0, "Won": 0, "Lost": 0})
    values: dict[str, float] = field(default_factory=lambda: {"Prospecting": 0.0, "Engaging": 0.0, "Won": 0.0,
                                                              "Lost": 0.0})
    cycles: list[int] = field(default_factory=list)


def expected_from_csv(data: Path, as_of: date | None, *, agent: str | None = None,
                      region: str | None = None) -> Expected:
    """The funnel straight from the CSV: dates are days, so "as of D" means "on or before D".
    Deals without an engage date were recorded at import (NOW), so they exist only as of today."""
    key = lambda name: "".join(ch for ch in name.lower() if ch.isalnum())
    prices = {key(r["product"]): float(r["sales_price"]) for r in csv.DictReader(open(data / "products.csv"))}
    regions = {r["sales_agent"]: r["regional_office"] for r in csv.DictReader(open(data / "sales_teams.csv"))}
    day = as_of.isoformat() if as_of else "9999-12-31"
    out = Expected()
    for r in csv.DictReader(open(data / "sales_pipeline.csv")):
        if (agent and r["sales_agent"] != agent) or (region and regions[r["sales_agent"]] != region):
            continue
        price, engaged, closed = prices[key(r["product"])], r["engage_date"], r["close_date"]
        if r["deal_stage"] in ("Won", "Lost") and closed <= day:
            stage = r["deal_stage"]
        elif engaged and engaged <= day:
            stage = "Engaging"
        elif not engaged and as_of is None:
            stage = "Prospecting"
        else:
            continue
        out.counts[stage] += 1
        out.values[stage] += float(r["close_value"]) if stage == "Won" else price
        if stage == "Won":
            out.cycles.append((date.fromisoformat(closed) - date.fromisoformat(engaged)).days)
    return out


@pytest.fixture(scope="module")
def app(module_database_url: str) -> Iterator[Flask]:
    """The Maven data imported and projected once per backend for this module."""
    flask_app = create_app({"DATABASE_URL": module_database_url, "CLOCK": FixedClock(NOW), "TESTING": True})
    services = flask_app.extensions["touchline"]
    summary = import_maven(services.app, services.clock, MAVEN_DIR)
    assert summary.rejects == []
    services.projection_runner().catch_up()
    token = services.app.issue_api_token(name="funnel-tests", scopes=["read:funnel"], occurred_at=NOW,
                                         actor="system:test").token
    flask_app.test_client_class = authorized(token)
    yield flask_app
    services.close()


def authorized(token: str) -> type[FlaskClient]:
    """A test client class that sends ``token`` with every request."""
    class Client(FlaskClient):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return Client


def assert_matches(body: dict[str, Any], expected: Expected) -> None:
    stages = {s["name"]: s for s in body["stages"]}
    assert {n: s["count"] for n, s in stages.items()} == expected.counts
    assert {n: s["value"] for n, s in stages.items()} == pytest.approx(expected.values)
    won, lost = expected.counts["Won"], expected.counts["Lost"]
    assert body["win_rate"] == pytest.approx(won / (won + lost), abs=1e-4)
    assert body["won_value"] == pytest.approx(expected.values["Won"])
    assert body["avg_cycle_days"] == pytest.approx(sum(expected.cycles) / len(expected.cycles), abs=0.01)
    open_deals = expected.counts["Prospecting"] + expected.counts["Engaging"]
    velocity = open_deals * (expected.values["Won"] / won) * (won / (won + lost)) / (sum(expected.cycles) / len(expected.cycles))
    assert body["velocity"] == pytest.approx(velocity, rel=1e-3)


def test_funnel_today_and_as_of_past_dates_match_the_csv(app: Flask, maven_dir: Path) -> None:
    client: FlaskClient = app.test_client()
    today = client.get("/api/v1/funnel")
    assert today.status_code == 200
    assert_matches(today.get_json(), expected_from_csv(maven_dir, None))
    for as_of in (date(2017, 3, 31), date(2017, 6, 30), date(2017, 12, 31)):
        past = client.get(f"/api/v1/funnel?as_of={as_of.isoformat()}")
        assert past.status_code == 200
        assert_matches(past.get_json(), expected_from_csv(maven_dir, as_of))
    assert today.get_json() != client.get("/api/v1/funnel?as_of=2017-06-30").get_json()


def test_after_the_import_a_rebuild_verifies_identical(app: Flask) -> None:
    from projections.verify import verify_projections

    services = app.extensions["touchline"]
    runner = services.projection_runner()
    runner.rebuild()
    reports = verify_projections(services.app, services.views, runner.projections)
    assert {r.projection: r.differences for r in reports} == {r.projection: [] for r in reports}
    assert sum(r.rows_compared for r in reports) > 40_000


def test_funnel_filters_by_region_and_owner(app: Flask, maven_dir: Path) -> None:
    client = app.test_client()
    by_region = client.get("/api/v1/funnel?region=West&as_of=2017-09-30").get_json()
    assert_matches(by_region, expected_from_csv(maven_dir, date(2017, 9, 30), region="West"))
    from domain.users.model import user_id_for
    owner = str(user_id_for("darcel.schlecht@maven.example"))
    by_owner = client.get(f"/api/v1/funnel?owner={owner}").get_json()
    assert_matches(by_owner, expected_from_csv(maven_dir, None, agent="Darcel Schlecht"))


@pytest.mark.parametrize("query, field", [("as_of=2017-13-01", "as_of"), ("as_of=yesterday", "as_of"),
                                          ("as_of=9999-12-31", "as_of"), ("as_of=2999-01-01", "as_of"),
                                          ("product=---", "product"),
                                          ("surprise=1", "surprise"),
                                          ("opened_since=2018-01-01&opened_until=2017-01-01", "opened_since"),
                                          ("opened_since=2017-01-01&opened_until=2017-01-01", "opened_since")])
@pytest.mark.parametrize("path", ["funnel", "forecast"])
def test_funnel_and_forecast_refuse_bad_query_parameters_naming_the_field(tmp_path: Path, query: str, field: str,
                                                                          path: str) -> None:
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}", "TESTING": True})
    services = app.extensions["touchline"]
    token = services.app.issue_api_token(name="funnel", scopes=["read"], occurred_at=NOW, actor="system:test").token
    response = app.test_client().get(f"/api/v1/{path}?{query}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    services.close()


def test_an_owners_team_and_region_funnels_count_imported_and_new_deals_alike(api: ApiClient) -> None:
    """The import named owners by the bare id; the API and panel name them user:<id>: reads show
    user:<id> for both, and every filter counts both."""
    app, now = api.services.app, api.services.clock.now()
    rep = app.register_user(email="rep@shop.example", name="Rep", role="agent", team="Summer", region="West",
                            occurred_at=now, actor="system:test").id
    app.open_deal(customer_id=None, product_id=None, title="Imported", value=100, owner=str(rep), occurred_at=now,
                  actor="system:import")
    assert api.post("/api/v1/deals", {"title": "New", "value": 200, "owner": f"user:{rep}"}).status_code == 201
    api.catch_up()
    assert {d["owner"] for d in api.get("/api/v1/deals").get_json()["items"]} == {f"user:{rep}"}
    for query in (f"owner=user:{rep}", f"owner={rep}", "team=Summer", "region=West"):
        stages = {s["name"]: s for s in api.get(f"/api/v1/funnel?{query}").get_json()["stages"]}
        assert (stages["Prospecting"]["count"], stages["Prospecting"]["value"]) == (2, 300), query


def test_the_forecast_weighs_open_deals_by_stage_probability_and_sorts_them_by_close_month(api: ApiClient) -> None:
    """Engaging's probability is set (60%); Prospecting's is learnt: of the 4 deals that passed
    through it and closed, 1 was won (25%)."""
    app, now = api.services.app, api.services.clock.now()  # 2026-03-02
    owner = api.staff("ann")
    app.weigh_pipeline(probabilities={"Engaging": 60}, occurred_at=now, actor="system:test")
    for i, outcome in enumerate(("won", "lost", "lost", "lost")):
        closed = app.open_deal(customer_id=None, product_id=None, title=f"Old {i}", value=10, owner=owner,
                               occurred_at=now - timedelta(days=90), actor="system:test").id
        if outcome == "won":
            app.win_deal(closed, close_value=10, occurred_at=now - timedelta(days=60), actor="system:test")
        else:
            app.lose_deal(closed, reason="price", occurred_at=now - timedelta(days=60), actor="system:test")
    for title, value, stage, close_on in (("April", 1000, "Prospecting", "2026-04-20"),
                                          ("April too", 500, "Engaging", "2026-04-02"),
                                          ("June", 2000, "Engaging", "2026-06-30"),
                                          ("Slipped", 400, "Prospecting", "2026-02-27"),
                                          ("Undated", 800, "Prospecting", None)):
        body = {"title": title, "value": value, "owner": owner, "stage": stage, "expected_close_on": close_on}
        assert api.post("/api/v1/deals", {k: v for k, v in body.items() if v is not None}).status_code == 201
    api.catch_up()
    forecast = api.get("/api/v1/forecast").get_json()
    stages = {s["name"]: s for s in forecast["stages"]}
    assert {k: stages["Prospecting"][k] for k in ("probability", "probability_source", "closed_deals")} == \
        {"probability": 0.25, "probability_source": "history", "closed_deals": 4}
    assert {k: stages["Engaging"][k] for k in ("probability", "probability_source", "closed_deals")} == \
        {"probability": 0.6, "probability_source": "set", "closed_deals": None}
    assert (stages["Prospecting"]["value"], stages["Prospecting"]["weighted_value"]) == (2200, 550)
    assert (stages["Engaging"]["value"], stages["Engaging"]["weighted_value"]) == (2500, 1500)
    assert [(m["month"], m["open_deals"], m["value"], m["weighted_value"]) for m in forecast["by_close_month"]] == \
        [("2026-04", 2, 1500, 550), ("2026-06", 1, 2000, 1200)]
    assert (forecast["close_date_passed"]["open_deals"], forecast["close_date_passed"]["weighted_value"]) == (1, 100)
    assert (forecast["no_close_date"]["open_deals"], forecast["no_close_date"]["weighted_value"]) == (1, 200)
    assert (forecast["open_deals"], forecast["value"], forecast["weighted_value"]) == (5, 4700, 2050)
    before_any = api.get("/api/v1/forecast?as_of=2025-01-01").get_json()
    assert (before_any["open_deals"], before_any["by_close_month"]) == (0, [])
    assert api.get(f"/api/v1/forecast?owner={owner}").get_json()["weighted_value"] == 2050
