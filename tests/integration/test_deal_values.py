"""A deal's value and expected close date over time, on both databases: the funnel and the
forecast as of any date read the figures valid then, and the views rebuild identical."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from domain.clock import FixedClock
from projections.queries.forecast import get_forecast
from projections.queries.funnel import get_funnel
from projections.verify import verify_projections
from projections.views.deals import deal_values
from projections.views.directory import pipeline_probabilities
from web.services import Services, build_services

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
REP = "user:rep"


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    found = build_services({"DATABASE_URL": database_url}, clock=FixedClock(NOW))
    yield found
    found.close()


def on(day: int) -> datetime:
    """Day ``day`` of May 2026, noon."""
    return datetime(2026, 5, day, 12, 0, tzinfo=UTC)


def test_the_funnel_and_forecast_as_of_any_day_read_the_values_and_dates_valid_then(services: Services) -> None:
    app = services.app
    fleet = app.open_deal(customer_id=None, product_id=None, title="Fleet", value=1000, owner=REP,
                          expected_close_on="2026-06-15", occurred_at=on(1), actor=REP).id
    app.revise_deal(fleet, value=4000, note="40 units", occurred_at=on(5), actor=REP)
    app.move_deal(fleet, stage="Engaging", occurred_at=on(10), actor=REP)
    app.revise_deal(fleet, expected_close_on="2026-08-31", note="budget next quarter", occurred_at=on(12), actor=REP)
    app.lose_deal(fleet, reason="competitor", occurred_at=on(20), actor=REP)
    app.reopen_deal(fleet, stage="Engaging", reason="competitor failed", occurred_at=on(25), actor=REP)
    app.revise_deal(fleet, value=3000, occurred_at=on(26), actor=REP)
    services.projection_runner().catch_up()

    def stage_values(day: int) -> dict[str, Decimal]:
        with services.views.connect() as conn:
            return {s["name"]: s["value"] for s in get_funnel(conn, as_of=on(day) + timedelta(hours=1))["stages"]
                    if s["count"]}

    def months(day: int) -> list[tuple[str, Decimal]]:
        with services.views.connect() as conn:
            forecast = get_forecast(conn, as_of=on(day) + timedelta(hours=1))
        return [(m["month"], m["value"]) for m in forecast["by_close_month"]]

    assert stage_values(2) == {"Prospecting": Decimal("1000.00")}
    assert stage_values(6) == {"Prospecting": Decimal("4000.00")}
    assert stage_values(11) == {"Engaging": Decimal("4000.00")}
    assert stage_values(21) == {"Lost": Decimal("4000.00")}  # lost at the value it had then
    assert stage_values(27) == {"Engaging": Decimal("3000.00")}
    assert months(6) == [("2026-06", Decimal("4000.00"))]
    assert months(13) == [("2026-08", Decimal("4000.00"))]
    assert months(21) == []  # lost: no longer forecast
    assert months(27) == [("2026-08", Decimal("3000.00"))]
    with services.views.connect() as conn:
        periods = conn.execute(sa.select(deal_values.c.seq, deal_values.c.valid_to.is_(None))
                               .order_by(deal_values.c.seq)).all()
    assert [tuple(p) for p in periods] == [(1, False), (2, False), (3, False), (4, True)]


def test_probabilities_follow_the_pipeline_and_the_views_rebuild_identical(services: Services) -> None:
    app = services.app
    app.weigh_pipeline(probabilities={"Prospecting": 10, "Engaging": 45}, occurred_at=on(1), actor=REP)
    app.configure_pipeline(stages=["Prospecting", "Demo", "Engaging"], open_deals_by_stage={}, occurred_at=on(2),
                           actor=REP)
    deal = app.open_deal(customer_id=None, product_id=None, title="Kiosk", value=200, owner=REP, stage="Demo",
                         expected_close_on="2026-07-01", occurred_at=on(3), actor=REP).id
    app.revise_deal(deal, value=250, occurred_at=on(4), actor=REP)
    app.configure_pipeline(stages=["Prospecting", "Demo"], open_deals_by_stage={"Demo": 1}, occurred_at=on(5),
                           actor=REP)
    runner = services.projection_runner()
    runner.catch_up()
    with services.views.connect() as conn:
        assert pipeline_probabilities(conn) == {"Prospecting": 10}
        stages = {s["name"]: s for s in get_forecast(conn, as_of=NOW)["stages"]}
    assert (stages["Demo"]["probability_source"], stages["Demo"]["weighted_value"]) == ("none", Decimal("0.00"))
    assert stages["Demo"]["value"] == Decimal("250.00")
    reports = verify_projections(services.app, services.views, runner.projections)
    assert [(r.projection, r.differences) for r in reports if r.differences] == []
    compared = {r.projection: r.rows_compared for r in reports}
    assert compared["deals"] == 1 + 1 + 2 and compared["directory"] >= 1  # the deal, its stage row, two values
