"""API tokens in the panel (admins only): issue one (its secret shown once), revoke it."""

from __future__ import annotations

from tests.web.admin.conftest import Panel, projecting
from tests.web.admin.matrix import assert_matrix
from tests.web.admin.test_users import ADMIN_ONLY


def test_role_matrix_of_the_tokens_page(panel: Panel) -> None:
    issued = panel.services.app.issue_api_token(name="website", scopes=["read"], occurred_at=panel.clock.now(),
                                                actor="system:test")
    assert_matrix(panel, [("GET /admin/tokens/", "", None, ADMIN_ONLY),
                          ("POST /admin/tokens/issue", "", {"name": ""}, ADMIN_ONLY),
                          (f"POST /admin/tokens/revoke/{issued.receipt.id}", "", {}, ADMIN_ONLY)])


def test_a_new_token_is_shown_once_and_works(panel: Panel) -> None:
    admin = panel.client("admin")
    with projecting(panel):
        response = panel.post(admin, "/admin/tokens/issue", {"name": "telephony", "scopes": ["read", "write:cases"]},
                              token_from="/admin/tokens/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = page.split('id="token-secret">', 1)[1].split("<", 1)[0]
    assert secret.startswith("tl_")
    assert panel.app.test_client().get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"}
                                       ).status_code == 200
    listing = admin.get("/admin/tokens/").get_data(as_text=True)
    assert "telephony" in listing and secret not in listing


def test_a_bad_scope_is_a_field_error(panel: Panel) -> None:
    admin = panel.client("admin")
    before = panel.event_count()
    page = panel.post(admin, "/admin/tokens/issue", {"name": "x", "scopes": []}, token_from="/admin/tokens/"
                      ).get_data(as_text=True)
    assert "at least one scope is required" in page
    assert panel.event_count() == before


def test_revoking_a_token_stops_it(panel: Panel) -> None:
    issued = panel.services.app.issue_api_token(name="old-site", scopes=["read"], occurred_at=panel.clock.now(),
                                                actor="system:test")
    admin = panel.client("admin")
    with projecting(panel):
        response = panel.post(admin, f"/admin/tokens/revoke/{issued.receipt.id}", {"reason": "replaced"},
                              token_from="/admin/tokens/")
    assert response.status_code == 302
    assert panel.app.test_client().get("/api/v1/cases", headers={"Authorization": f"Bearer {issued.token}"}
                                       ).status_code == 401
