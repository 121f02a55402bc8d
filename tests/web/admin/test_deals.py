"""Deals in the panel: open one, move it through the pipeline, win or lose it; stages are
configured in Settings; who may do it; errors on the form."""

from __future__ import annotations

import re
from uuid import UUID

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.web.admin.conftest import Desk, Panel
from tests.web.admin.matrix import READ, WRITE, assert_matrix, customer

VERSION = re.compile(r'name="version" type="hidden" value="(\d*)"')
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
             ("POST /admin/pipeline/", "", {"stages": ""}, ADMIN_WRITES),
             ("POST /admin/pipeline/probabilities", "", {"stage_0": "200"}, ADMIN_WRITES)]
    for command in ("revise", "move", "win", "lose", "reopen"):
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


def test_open_a_deal_for_a_product_and_only_a_listed_product(desk: Desk) -> None:
    panel, agent = desk
    product = panel.services.app.register_product(name="GTX Pro", series="GTX", list_price="4821.00",
                                                  occurred_at=panel.clock.now(), actor="system:test").id
    panel.catch_up()
    form = {"customer_id": str(customer(panel)), "title": "A GTX Pro", "value": "4800.00",
            "owner": f"user:{panel.user_id('agent')}", "stage": "Prospecting"}
    response = panel.post(agent, "/admin/deals/new/", {**form, "product_id": str(product)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    deal_id = UUID(response.headers["Location"].split("id=")[1].split("&")[0])
    assert panel.services.app.get_deal(deal_id).product_id == product
    before = panel.event_count()
    for crafted in ("not-an-id", str(UUID(int=7))):  # never a 500, nor a deal for a product nobody listed
        page = panel.post(agent, "/admin/deals/new/", {**form, "title": "Crafted", "product_id": crafted})
        assert page.status_code == 200 and "Pick a product from the list" in page.get_data(as_text=True)
    assert panel.event_count() == before


def test_a_close_value_that_is_not_money_is_a_field_error(panel: Panel) -> None:
    deal_id = deal(panel)
    agent = panel.client("agent")
    before = panel.event_count()
    page = panel.post(agent, f"/admin/deals/act/win/?id={deal_id}",
                      {"close_value": "12.345", "version": "1"}).get_data(as_text=True)
    assert "has more than two decimals" in page.split('id="close_value"', 1)[1][:600]
    assert panel.event_count() == before


def test_hand_a_deal_over_to_a_colleague_and_nobody_is_refused(desk: Desk) -> None:
    panel, agent = desk
    made = deal(panel)
    admin_ref = f"user:{panel.user_id('admin')}"
    before = panel.event_count()
    page = panel.post(agent, f"/admin/deals/act/hand_over/?id={made}", {"to_owner": "", "version": "1"})
    assert "Pick a colleague from the list" in page.get_data(as_text=True) and panel.event_count() == before
    assert panel.post(agent, f"/admin/deals/act/hand_over/?id={made}",
                      {"to_owner": admin_ref, "note": "Call them on Monday", "version": "1"}).status_code == 302
    assert panel.services.app.get_deal(made).owner == admin_ref


def test_a_deal_moved_meanwhile_is_a_conflict(desk: Desk) -> None:
    panel, agent = desk
    deal_id = deal(panel)
    assert 'value="1"' in agent.get(f"/admin/deals/act/lose/?id={deal_id}").get_data(as_text=True)
    panel.services.app.move_deal(deal_id, stage="Engaging", occurred_at=panel.clock.now(), actor="user:other")
    page = panel.post(agent, f"/admin/deals/act/lose/?id={deal_id}",
                      {"reason": "Too expensive", "version": "1"}).get_data(as_text=True)
    assert "someone else changed this record meanwhile" in page
    assert panel.services.app.get_deal(deal_id).stage == "Engaging"


def shown_version(page: str) -> str:
    """The version a form carries (its hidden field)."""
    found = VERSION.search(page)
    assert found, "no version field in the form"
    return found.group(1)


def save_stages(panel: Panel, admin: FlaskClient, stages: str, version: str | None = None) -> TestResponse:
    """Post the stages form as an admin, with the version the form shows now unless given."""
    version = version or shown_version(admin.get("/admin/pipeline/").get_data(as_text=True))
    return panel.post(admin, "/admin/pipeline/", {"stages": stages, "version": version})


def test_an_admin_configures_the_pipeline_stages(desk: Desk) -> None:
    panel, _ = desk
    admin = panel.client("admin")
    response = save_stages(panel, admin, "Prospecting\nQualified\nEngaging")
    assert response.status_code == 302
    assert panel.services.app.get_pipeline().stages == ["Prospecting", "Qualified", "Engaging"]
    bad = save_stages(panel, admin, "Prospecting\nWon").get_data(as_text=True)
    assert "Won and Lost are outcomes" in bad


def test_stages_saved_by_another_admin_meanwhile_are_a_conflict_not_lost(stored_panel: Panel) -> None:
    panel = stored_panel
    first, second = panel.client("admin"), panel.client("admin")
    seen = shown_version(second.get("/admin/pipeline/").get_data(as_text=True))  # both open the form
    assert save_stages(panel, first, "Prospecting\nEngaging\nProposal", seen).status_code == 302
    before = panel.event_count()
    page = save_stages(panel, second, "Prospecting\nQualified\nEngaging", seen).get_data(as_text=True)
    assert "someone else changed this record meanwhile" in page
    assert panel.event_count() == before
    assert panel.services.app.get_pipeline().stages == ["Prospecting", "Engaging", "Proposal"]
    # What they typed is shown again with the current version: saving it again is their choice.
    assert "Qualified" in page and shown_version(page) == str(panel.services.app.get_pipeline().version)
    assert save_stages(panel, second, "Prospecting\nQualified\nEngaging", shown_version(page)).status_code == 302
    assert panel.services.app.get_pipeline().stages == ["Prospecting", "Qualified", "Engaging"]


@pytest.mark.parametrize("version", [None, "", "abc"])
def test_a_stages_form_without_the_version_it_showed_is_refused(panel: Panel, version: str | None) -> None:
    admin = panel.client("admin")
    before = panel.event_count()
    data = {"stages": "Prospecting\nEngaging"} | ({} if version is None else {"version": version})
    page = panel.post(admin, "/admin/pipeline/", data).get_data(as_text=True)
    assert "did not say which version of the record you saw" in page
    assert panel.event_count() == before


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
    page = save_stages(panel, admin, "Prospecting\nNegotiating").get_data(as_text=True)
    assert "&#39;Engaging&#39; still holds 2 open deals: move them to another stage before removing it" in page
    assert panel.event_count() == before
    assert panel.services.app.get_pipeline().stages == ["Prospecting", "Engaging"]
    for deal_id in engaged[:2]:
        panel.services.app.move_deal(deal_id, stage="Prospecting", **at)
    panel.catch_up()
    assert save_stages(panel, admin, "Prospecting\nNegotiating").status_code == 302
    assert panel.services.app.get_pipeline().stages == ["Prospecting", "Negotiating"]


def test_revise_a_deals_value_and_expected_close_date(desk: Desk) -> None:
    panel, agent = desk
    deal_id = deal(panel)
    response = panel.post(agent, f"/admin/deals/act/revise/?id={deal_id}", {
        "value": "1500.00", "expected_close_on": "2026-06-30", "note": "Two more printers", "version": "1"})
    assert response.status_code == 302
    found = panel.services.app.get_deal(deal_id)
    assert (str(found.value), found.expected_close_on) == ("1500.00", "2026-06-30")
    page = agent.get(f"/admin/deals/details/?id={deal_id}").get_data(as_text=True)
    assert "1500.00" in page and "2026-06-30" in page
    assert panel.post(agent, f"/admin/deals/act/revise/?id={deal_id}", {"clear_close_date": "y", "version": "2"}
                      ).status_code == 302
    assert panel.services.app.get_deal(deal_id).expected_close_on is None


@pytest.mark.parametrize("data, field, message", [
    ({}, "value", "nothing to revise"),
    ({"value": "lots"}, "value", "is not a number"),
    ({"expected_close_on": "next week"}, "expected_close_on", "Not a valid date value"),
    ({"expected_close_on": "2026-07-01", "clear_close_date": "y"}, "expected_close_on", "give a date or clear it"),
])
def test_a_bad_revision_is_a_field_error_and_writes_nothing(panel: Panel, data: dict[str, str], field: str,
                                                            message: str) -> None:
    deal_id = deal(panel)
    agent = panel.client("agent")
    before = panel.event_count()
    page = panel.post(agent, f"/admin/deals/act/revise/?id={deal_id}", {**data, "version": "1"}).get_data(as_text=True)
    assert message in page.split(f'id="{field}"', 1)[1][:800]
    assert panel.event_count() == before


def test_an_admin_sets_win_probabilities_and_a_stage_left_blank_is_learnt(desk: Desk) -> None:
    panel, agent = desk
    admin = panel.client("admin")
    version = shown_version(admin.get("/admin/pipeline/").get_data(as_text=True))
    assert panel.post(admin, "/admin/pipeline/probabilities", {"stage_0": "20", "stage_1": "", "version": version},
                      token_from="/admin/pipeline/").status_code == 302
    assert panel.services.app.get_pipeline().probabilities == {"Prospecting": 20}
    page = agent.get("/admin/pipeline/").get_data(as_text=True)
    row = page.split('data-stage="Prospecting"', 1)[1][:300]
    assert "20 %" in row and "no closed deals" in row
    before = panel.event_count()
    refused = panel.post(admin, "/admin/pipeline/probabilities", {"stage_0": "150", "stage_1": "40",
                                                                  "version": str(int(version) + 1)},
                         token_from="/admin/pipeline/")
    assert "a whole percent from 0 to 100" in refused.get_data(as_text=True)
    assert panel.event_count() == before
