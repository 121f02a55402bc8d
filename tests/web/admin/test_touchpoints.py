"""Touchpoints in the panel: record a contact (now, or back-filled), retract one; who may."""

from __future__ import annotations

from uuid import UUID

import pytest

from tests.web.admin.conftest import Desk, Panel
from tests.web.admin.matrix import READ, WRITE, assert_matrix, customer


def touchpoint(panel: Panel, subject: str = "Asked about delivery") -> UUID:
    receipt = panel.services.app.record_touchpoint(
        customer_id=customer(panel), channel="phone", direction="inbound", kind="inquiry", subject=subject,
        occurred_at=panel.clock.now(), actor="system:test")
    panel.catch_up()
    return receipt.id


def test_role_matrix_of_the_touchpoints_views(panel: Panel) -> None:
    on = f"?id={touchpoint(panel)}"
    assert_matrix(panel, [
        ("GET /admin/touchpoints/", "", None, READ), ("GET /admin/touchpoints/details/" + on, "", None, READ),
        ("GET /admin/touchpoints/export/csv/", "", None, READ), ("GET /admin/repeat_contacts/", "", None, READ),
        ("GET /admin/touchpoints/new/", "", None, WRITE), ("POST /admin/touchpoints/new/", "", {}, WRITE),
        ("GET /admin/touchpoints/act/retract/" + on, "", None, WRITE),
        ("POST /admin/touchpoints/act/retract/" + on, "", {}, WRITE)])


def test_record_a_call_made_earlier(stored_desk: Desk) -> None:
    panel, agent = stored_desk
    customer_id = customer(panel)
    response = panel.post(agent, "/admin/touchpoints/new/", {
        "customer_id": str(customer_id), "channel": "phone", "direction": "outbound", "kind": "follow_up",
        "subject": "Checked the printer works", "summary": "All good", "contact_point": "",
        "occurred_at": "2026-03-01T16:45", "case_id": ""})
    assert response.status_code == 302
    page = agent.get("/admin/touchpoints/").get_data(as_text=True)
    assert "Checked the printer works" in page and "2026-03-01 16:45 UTC" in page and "Andy Agent" in page


@pytest.mark.parametrize(("typed", "field", "message"), [
    ({"subject": ""}, "subject", "is required"),
    ({"subject": "Called", "occurred_at": "2030-01-01T09:00"}, "occurred_at", "This is in the future"),  # not yet
    ({"subject": "Called", "contact_point": "ada@example.com"}, "contact_point", "is not a phone number"),
    ({"subject": "Called", "case_id": "00000000-0000-4000-8000-000000000000"}, "case_id", "No such record"),
])
def test_a_bad_touchpoint_form_is_a_field_message_and_nothing_is_recorded(
    panel: Panel, typed: dict[str, str], field: str, message: str,
) -> None:
    customer_id = customer(panel)
    agent = panel.client("agent")
    before = panel.event_count()
    page = panel.post(agent, "/admin/touchpoints/new/", {
        "customer_id": str(customer_id), "channel": "phone", "direction": "inbound", "kind": "inquiry",
        **typed}).get_data(as_text=True)
    assert message in page.split(f'id="{field}"', 1)[1][:800]
    assert panel.event_count() == before


def test_retract_keeps_the_touchpoint_marked(desk: Desk) -> None:
    panel, agent = desk
    touchpoint_id = touchpoint(panel)
    assert panel.post(agent, f"/admin/touchpoints/act/retract/?id={touchpoint_id}",
                      {"reason": "Wrong customer"}).status_code == 302
    assert panel.services.app.get_touchpoint(touchpoint_id).retracted
    page = agent.get(f"/admin/touchpoints/details/?id={touchpoint_id}").get_data(as_text=True)
    assert "Asked about delivery" in page and "command-retract" not in page

