"""Deal endpoints: open, revise, move, win, lose, reopen; list by status and stage."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from tests.web.conftest import ApiClient


def deal(api: ApiClient, title: str, opened: str = "2026-03-01") -> str:
    body = {"title": title, "value": "1200.50", "owner": api.staff("ann"), "occurred_at": f"{opened}T09:00:00+00:00"}
    opened = api.post("/api/v1/deals", body)
    assert opened.status_code == 201, opened.get_json()
    deal_id: str = opened.get_json()["id"]
    return deal_id


def test_deals_move_through_the_pipeline_and_list_by_status(api: ApiClient) -> None:
    won, lost = deal(api, "Won", "2026-02-01"), deal(api, "Lost", "2026-02-02")
    open_ = deal(api, "Open", "2026-02-03")
    assert api.post(f"/api/v1/deals/{won}/move", {"stage": "Engaging"}).status_code == 200
    assert api.post(f"/api/v1/deals/{won}/win", {"close_value": 1100}).status_code == 200
    assert api.post(f"/api/v1/deals/{lost}/lose", {"reason": "Too expensive"}).status_code == 200
    api.catch_up()

    def titles(query: str) -> list[str]:
        return [d["title"] for d in api.get(f"/api/v1/deals?{query}").get_json()["items"]]

    assert titles("status=won") == ["Won"] and titles("status=lost") == ["Lost"]
    assert titles("status=open") == ["Open"] and titles("stage=Prospecting") == ["Open"]
    assert titles("sort=-opened_at") == ["Open", "Lost", "Won"]
    found = api.get(f"/api/v1/deals/{won}").get_json()
    assert (found["stage"], found["close_value"], found["value"]) == ("Won", 1100.0, 1200.5)
    assert open_ in [d["id"] for d in api.get(f"/api/v1/deals?owner={api.staff('ann')}").get_json()["items"]]


def test_a_lost_deal_can_be_reopened_into_an_open_stage(api: ApiClient) -> None:
    lost = deal(api, "Second chance")
    api.post(f"/api/v1/deals/{lost}/lose", {"reason": "Budget"})
    assert api.post(f"/api/v1/deals/{lost}/reopen", {"stage": "Engaging", "reason": "New budget"}).status_code == 200
    api.catch_up()
    assert api.get(f"/api/v1/deals/{lost}").get_json()["stage"] == "Engaging"


def test_a_won_deal_cannot_be_moved(api: ApiClient) -> None:
    won = deal(api, "Done")
    api.post(f"/api/v1/deals/{won}/win", {"close_value": 10})
    assert api.post(f"/api/v1/deals/{won}/move", {"stage": "Engaging"}).status_code in (409, 422)


def test_an_unknown_deal_is_a_404(api: ApiClient) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    assert api.get(f"/api/v1/deals/{missing}").status_code == 404
    assert api.post(f"/api/v1/deals/{missing}/win", {"close_value": 1}).status_code == 404


def test_a_deals_read_names_the_version_that_if_match_takes(stored_api: ApiClient) -> None:
    opened = deal(stored_api, "Router")
    stored_api.post(f"/api/v1/deals/{opened}/move", {"stage": "Engaging"})
    stored_api.catch_up()
    read = stored_api.get(f"/api/v1/deals/{opened}").get_json()
    assert read["version"] == 2
    listed = stored_api.get("/api/v1/deals").get_json()["items"]
    assert [d["version"] for d in listed if d["id"] == opened] == [2]
    moved = stored_api.post(f"/api/v1/deals/{opened}/win", {"close_value": 90},
                            headers={"If-Match": f'"{read["version"]}"'})
    assert moved.status_code == 200
    stale = stored_api.post(f"/api/v1/deals/{opened}/lose", {"reason": "price"},
                            headers={"If-Match": f'"{read["version"]}"'})
    assert stale.status_code == 412 and stale.get_json()["errors"]["If-Match"] == ["the current version is 3"]
    stored_api.catch_up()
    assert stored_api.get(f"/api/v1/deals/{opened}").get_json()["version"] == 3


def test_a_stage_that_is_not_in_the_pipeline_is_a_422_naming_stage(api: ApiClient) -> None:
    deal(api, "Router")
    api.catch_up()
    refused = api.get("/api/v1/deals?stage=Nope")
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {
        "stage": ["unknown stage 'Nope'; stages are Prospecting, Engaging, Won, Lost"]}
    for known in ("Prospecting", "Engaging", "Won", "Lost"):
        assert api.get(f"/api/v1/deals?stage={known}").status_code == 200, known


def test_a_stage_removed_from_the_pipeline_that_still_holds_deals_can_be_listed(api: ApiClient) -> None:
    app, now = api.services.app, api.services.clock.now()
    app.configure_pipeline(stages=["Prospecting", "Demo", "Engaging"], open_deals_by_stage={}, occurred_at=now,
                           actor="user:admin")
    demo = deal(api, "Demo unit")
    api.post(f"/api/v1/deals/{demo}/move", {"stage": "Demo"})
    # As recorded before removing a stage that holds open deals was refused.
    app.configure_pipeline(stages=["Prospecting", "Engaging"], open_deals_by_stage={}, occurred_at=now,
                           actor="user:admin")
    api.catch_up()
    listed = api.get("/api/v1/deals?stage=Demo")
    assert listed.status_code == 200
    assert [d["id"] for d in listed.get_json()["items"]] == [demo]


def test_a_deal_for_a_product_nobody_registered_is_a_422_on_product_id(api: ApiClient) -> None:
    owner = api.staff("ann")
    events = api.event_count()
    response = api.post("/api/v1/deals", {"title": "Ghost product", "value": 10, "owner": owner,
                                          "product_id": "00000000-0000-4000-8000-000000000000"})
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["product_id"]
    assert api.event_count() == events


def test_a_reopen_dated_before_the_close_is_a_422_on_occurred_at(api: ApiClient) -> None:
    deal = api.post("/api/v1/deals", {"title": "T", "value": 10, "owner": api.staff("ann")}).get_json()["id"]
    api.post(f"/api/v1/deals/{deal}/lose", {"reason": "Budget"})
    response = api.post(f"/api/v1/deals/{deal}/reopen", {"stage": "Engaging", "reason": "x",
                                                        "occurred_at": "2026-01-01T00:00:00+00:00"})
    assert response.status_code == 422 and "occurred_at" in response.get_json()["errors"]


def test_an_open_deal_is_handed_over_and_the_new_owners_funnel_counts_it(api: ApiClient) -> None:
    deal = api.post("/api/v1/deals", {"title": "T", "value": 10, "owner": api.staff("ann")}).get_json()["id"]
    bob = api.staff("bob")
    assert api.post(f"/api/v1/deals/{deal}/hand-over", {"owner": bob, "note": "Ann moved to support"},
                    headers={"If-Match": '"1"'}).status_code == 200
    api.catch_up()
    assert api.get(f"/api/v1/deals/{deal}").get_json()["owner"] == bob
    stages = {s["name"]: s["count"] for s in api.get(f"/api/v1/funnel?owner={bob}").get_json()["stages"]}
    assert stages["Prospecting"] == 1
    assert api.post(f"/api/v1/deals/{deal}/hand-over", {"owner": "Bob"}).status_code == 422  # not a colleague ref
    api.post(f"/api/v1/deals/{deal}/win", {"close_value": 10})
    assert api.post(f"/api/v1/deals/{deal}/hand-over", {"owner": api.staff("ann")}).status_code == 409  # closed


def test_a_revised_value_counts_from_the_revision_on_and_earlier_funnels_keep_the_old_one(api: ApiClient) -> None:
    opened = api.post("/api/v1/deals", {"title": "Fleet", "value": 1000, "owner": api.staff("ann"),
                                        "expected_close_on": "2026-05-15", "occurred_at": "2026-02-01T09:00:00Z"})
    deal_id = opened.get_json()["id"]
    revised = api.post(f"/api/v1/deals/{deal_id}/revise", {
        "value": "2500.00", "expected_close_on": "2026-06-30", "note": "They want 40 units, not 16",
        "occurred_at": "2026-02-20T10:00:00Z"}, headers={"If-Match": '"1"'})
    assert revised.status_code == 200, revised.get_json()
    api.catch_up()
    found = api.get(f"/api/v1/deals/{deal_id}").get_json()
    assert (found["value"], found["expected_close_on"], found["version"]) == (2500.0, "2026-06-30", 2)

    def prospecting(as_of: str) -> float:
        stages = api.get(f"/api/v1/funnel?as_of={as_of}").get_json()["stages"]
        return float(next(s["value"] for s in stages if s["name"] == "Prospecting"))

    assert (prospecting("2026-02-10"), prospecting("2026-02-20"), prospecting("2026-03-01")) == (1000, 2500, 2500)
    months = api.get("/api/v1/forecast?as_of=2026-02-10").get_json()["by_close_month"]
    assert [(m["month"], m["value"]) for m in months] == [("2026-05", 1000.0)]


def test_a_close_date_is_cleared_with_null_and_the_value_kept(api: ApiClient) -> None:
    deal_id = api.post("/api/v1/deals", {"title": "Kiosk", "value": 300, "owner": api.staff("ann"),
                                         "expected_close_on": "2026-04-01"}).get_json()["id"]
    assert api.post(f"/api/v1/deals/{deal_id}/revise", {"expected_close_on": None}).status_code == 200
    api.catch_up()
    found = api.get(f"/api/v1/deals/{deal_id}").get_json()
    assert (found["value"], found["expected_close_on"]) == (300.0, None)


@pytest.mark.parametrize("body, field", [
    ({}, "value"),
    ({"note": "nothing else"}, "value"),
    ({"value": -5}, "value"),
    ({"value": "lots"}, "value"),
    ({"expected_close_on": "2026-13-01"}, "expected_close_on"),
    ({"expected_close_on": "2026-04-01T10:00:00Z"}, "expected_close_on"),
    ({"value": 1200.50}, "value"),  # unchanged: nothing to revise
    ({"value": 10, "note": "x" * 2001}, "note"),
    ({"value": 10, "occurred_at": "2026-02-01T00:00:00Z"}, "occurred_at"),  # before the deal entered its stage
])
def test_a_bad_revision_is_a_422_naming_the_field_and_writes_nothing(api: ApiClient, body: dict[str, Any],
                                                                       field: str) -> None:
    deal_id = deal(api, "Pumps")
    refused = api.post(f"/api/v1/deals/{deal_id}/revise", body)
    assert refused.status_code == 422, refused.get_json()
    assert field in refused.get_json()["errors"]
    assert api.services.app.get_deal(UUID(deal_id)).version == 1


def test_a_closed_deal_is_not_revised_and_a_stale_version_is_a_412(api: ApiClient) -> None:
    deal_id = deal(api, "Boiler")
    stale = api.post(f"/api/v1/deals/{deal_id}/revise", {"value": 10}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    api.post(f"/api/v1/deals/{deal_id}/win", {"close_value": 1100})
    closed = api.post(f"/api/v1/deals/{deal_id}/revise", {"value": 10})
    assert closed.status_code == 409 and "reopen" in closed.get_json()["message"]
    won = api.services.app.get_deal(UUID(deal_id))
    assert (won.version, won.value, won.close_value) == (2, Decimal("1200.50"), Decimal(1100))
