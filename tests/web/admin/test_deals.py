"""Deals in the panel: open one, move it through the pipeline, win or lose it; stages are
configured in Settings; who may do it; errors on the form."""

from __future__ import annotations

from uuid import UUID

from tests.web.admin.conftest import Desk, Panel
from tests.web.admin.matrix import READ, WRITE, assert_matrix, customer

ADMIN_WRITES = {"admin": "ok", "agent": "forbidden", "auditor": "forbidden", "anonymous": "login"}


def deal(panel: Panel, title: str = "Printers for the office") -> UUID:
    receipt = panel.services.app.open_deal(
        customer_id=customer(panel), product_id=None, title=title, value="1200.00",
        owner=f"user:{panel.user_id('agent')}", occurred_at=panel.clock.now(), actor="system:test")
    panel.catch_up()
    return receipt.id


def test_role_matrix_of_the_deals_views(panel: Panel) -> None:
    on = f"?id={deal(panel)}"
    cells = [("GET /admin/deals/", "", None, READ), ("GET /admin/deals/details/" + on, "", None, READ),
             ("GET /admin/deals/export/csv/", "", None, READ), ("GET /admin/deals/new/", "", None, WRITE),
             ("POST /admin/deals/new/", "", {"title": ""}, WRITE), ("GET /admin/pipeline/", "", None, READ),
             ("POST /admin/pipeline/", "", {"stages": ""}, ADMIN_WRITES)]
    for command in ("move", "win", "lose", "reopen"):
        cells += [(f"GET /admin/deals/act/{command}/" + on, "", None, WRITE),
                  (f"POST /admin/deals/act/{command}/" + on, "", {}, WRITE)]
    assert_matrix(panel, cells)


def test_open_move_and_win_a_deal(stored_desk: Desk) -> None:
    panel, agent = stored_desk
    customer_id = customer(panel)
    response = panel.post(agent, "/admin/deals/new/", {
        "customer_id": str(customer_id), "product_id": "", "title": "Ten laptops", "value": "9500.00",
        "owner": f"user:{panel.user_id('agent')}", "stage": "Prospecting"})
    assert response.status_code == 302
    deal_id = response.headers["Location"].split("id=")[1].split("&")[0]
    assert panel.post(agent, f"/admin/deals/act/move/?id={deal_id}", {"stage": "Engaging", "version": "1"}
                      ).status_code == 302
    assert panel.post(agent, f"/admin/deals/act/win/?id={deal_id}", {"close_value": "9000", "version": "2"}
                      ).status_code == 302
    page = agent.get(f"/admin/deals/details/?id={deal_id}").get_data(as_text=True)
    assert "Won" in page and "9000.00" in page
    assert "Ten laptops" in agent.get("/admin/deals/?flt0_0=Won").get_data(as_text=True)


def test_a_close_value_that_is_not_money_is_a_field_error(panel: Panel) -> None:
    deal_id = deal(panel)
    agent = panel.client("agent")
    before = panel.event_count()
    page = panel.post(agent, f"/admin/deals/act/win/?id={deal_id}",
                      {"close_value": "12.345", "version": "1"}).get_data(as_text=True)
    assert "has more than two decimals" in page.split('id="close_value"', 1)[1][:600]
    assert panel.event_count() == before


def test_a_deal_moved_meanwhile_is_a_conflict(desk: Desk) -> None:
    panel, agent = desk
    deal_id = deal(panel)
    assert 'value="1"' in agent.get(f"/admin/deals/act/lose/?id={deal_id}").get_data(as_text=True)
    panel.services.app.move_deal(deal_id, stage="Engaging", occurred_at=panel.clock.now(), actor="user:other")
    page = panel.post(agent, f"/admin/deals/act/lose/?id={deal_id}",
                      {"reason": "Too expensive", "version": "1"}).get_data(as_text=True)
    assert "someone else changed this record meanwhile" in page
    assert panel.services.app.get_deal(deal_id).stage == "Engaging"


def test_an_admin_configures_the_pipeline_stages(desk: Desk) -> None:
    panel, _ = desk
    admin = panel.client("admin")
    response = panel.post(admin, "/admin/pipeline/", {"stages": "Prospecting\nQualified\nEngaging"})
    assert response.status_code == 302
    assert panel.services.app.get_pipeline().stages == ["Prospecting", "Qualified", "Engaging"]
    bad = panel.post(admin, "/admin/pipeline/", {"stages": "Prospecting\nWon"}).get_data(as_text=True)
    assert "Won and Lost are outcomes" in bad


def test_a_stage_still_holding_open_deals_cannot_be_removed_until_they_are_moved(desk: Desk) -> None:
    panel, _ = desk
    admin = panel.client("admin")
    engaged = [deal(panel, f"Printers {n}") for n in range(3)]
    at = {"occurred_at": panel.clock.now(), "actor": "system:test"}
    for deal_id in engaged:
        panel.services.app.move_deal(deal_id, stage="Engaging", **at)
    panel.services.app.win_deal(engaged[2], close_value="1000", **at)  # won: no longer in the stage
    panel.catch_up()
    before = panel.event_count()
    page = panel.post(admin, "/admin/pipeline/", {"stages": "Prospecting\nNegotiating"}).get_data(as_text=True)
    assert "&#39;Engaging&#39; still holds 2 open deals: move them to another stage before removing it" in page
    assert panel.event_count() == before
    assert panel.services.app.get_pipeline().stages == ["Prospecting", "Engaging"]
    for deal_id in engaged[:2]:
        panel.services.app.move_deal(deal_id, stage="Prospecting", **at)
    panel.catch_up()
    assert panel.post(admin, "/admin/pipeline/", {"stages": "Prospecting\nNegotiating"}).status_code == 302
    assert panel.services.app.get_pipeline().stages == ["Prospecting", "Negotiating"]
