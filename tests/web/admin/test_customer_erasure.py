"""The panel's GDPR erasure of a customer: admins only (the form included), a reason required,
and afterwards the customer's pages show "[erased]"."""

from __future__ import annotations

from uuid import UUID

import pytest

from domain.personal import ERASED
from tests.web.admin.conftest import Panel, projecting
from tests.web.admin.matrix import assert_matrix

ADMIN_ONLY = {"admin": "ok", "agent": "forbidden", "auditor": "forbidden", "anonymous": "login"}


@pytest.fixture
def zelda(panel: Panel) -> UUID:
    app = panel.services.app
    found = app.register_customer(name="Zelda Zimmer", contact_points=[{"kind": "email", "value": "zz@example.com"}],
                                  occurred_at=panel.clock.now(), actor="system:test").id
    panel.catch_up()
    return found


def test_only_admins_reach_the_erase_form(panel: Panel, zelda: UUID) -> None:
    on = f"?id={zelda}"
    assert_matrix(panel, [("GET /admin/customers/act/erase/" + on, "", None, ADMIN_ONLY)])
    agent = panel.client("agent")
    token = panel.csrf(agent, f"/admin/customers/details/{on}")
    response = agent.post(f"/admin/customers/act/erase/{on}", data={"reason": "GDPR", "csrf_token": token})
    assert response.status_code == 403
    assert not panel.services.app.get_customer(zelda).erased


def test_the_erase_button_shows_to_admins_only(panel: Panel, zelda: UUID) -> None:
    page = f"/admin/customers/details/?id={zelda}"
    assert "/admin/customers/act/erase/" in panel.client("admin").get(page).get_data(as_text=True)
    assert "/admin/customers/act/erase/" not in panel.client("agent").get(page).get_data(as_text=True)


def test_an_erasure_needs_a_reason(panel: Panel, zelda: UUID) -> None:
    admin = panel.client("admin")
    response = panel.post(admin, f"/admin/customers/act/erase/?id={zelda}", {"reason": "  "})
    assert response.status_code == 200
    assert "is required" in response.get_data(as_text=True).split('id="reason"', 1)[1][:600]  # on the field
    form = admin.get(f"/admin/customers/act/erase/?id={zelda}").get_data(as_text=True)
    assert "every record merged with them" in form  # what erasing reaches
    assert not panel.services.app.get_customer(zelda).erased


def test_an_admin_erases_a_customer(panel: Panel, zelda: UUID) -> None:
    admin = panel.client("admin")
    with projecting(panel):
        response = panel.post(admin, f"/admin/customers/act/erase/?id={zelda}", {"reason": "GDPR request 9"})
        assert response.status_code == 302
    page = admin.get(f"/admin/customer360/{zelda}").get_data(as_text=True)
    assert "Zelda" not in page and "zz@example.com" not in page and ERASED in page
    assert "Personal data erased: GDPR request 9" in page
    # The message after it names what happened, not the record by its name (now "[erased]").
    assert "Personal data erased: this customer and every record merged with them read [erased]" in page
    assert "done for" not in page
    details = admin.get(f"/admin/customers/details/?id={zelda}").get_data(as_text=True)
    assert "/admin/customers/act/erase/" not in details  # nothing left to erase
    assert not any(label in details for label in ("Record a touchpoint", "Open a case", "Make a promise",
                                                  "Open a deal"))  # each would only be refused
