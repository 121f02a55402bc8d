"""Users (admins only): register a colleague, change a profile, deactivate (access ends at once)."""

from __future__ import annotations

from tests.web.admin.conftest import PASSWORD, Panel, email_of, projecting
from tests.web.admin.matrix import assert_matrix

ADMIN_ONLY = {"admin": "ok", "agent": "forbidden", "auditor": "forbidden", "anonymous": "login"}


def test_role_matrix_of_the_users_views(panel: Panel) -> None:
    on = f"?id={panel.user_id('auditor')}"
    cells = [("GET /admin/users/", "", None, ADMIN_ONLY), ("GET /admin/users/details/" + on, "", None, ADMIN_ONLY),
             ("GET /admin/users/export/csv/", "", None, ADMIN_ONLY), ("GET /admin/users/new/", "", None, ADMIN_ONLY),
             ("POST /admin/users/new/", "", {"email": ""}, ADMIN_ONLY),
             ("GET /admin/users/edit/" + on, "", None, ADMIN_ONLY),
             ("POST /admin/users/edit/" + on, "", {"name": ""}, ADMIN_ONLY),
             ("GET /admin/users/act/deactivate/" + on, "", None, ADMIN_ONLY),
             ("POST /admin/users/act/reactivate/" + on, "", {}, ADMIN_ONLY)]
    assert_matrix(panel, cells)


def test_register_a_colleague_then_change_their_team(panel: Panel) -> None:
    admin = panel.client("admin")
    with projecting(panel):
        response = panel.post(admin, "/admin/users/new/", {"email": "Grace@Example.com", "name": "Grace Hopper",
                                                           "role": "agent", "team": "Billing", "region": "West"})
        assert response.status_code == 302
        user_id = response.headers["Location"].split("id=")[1].split("&")[0]
        details = admin.get(f"/admin/users/details/?id={user_id}").get_data(as_text=True)
        assert "grace@example.com" in details and "Reset password" in details
        edit = f"/admin/users/edit/?id={user_id}"
        assert panel.post(admin, edit, {"name": "Grace Hopper", "role": "agent", "team": "Support",
                                        "region": "West"}).status_code == 302
        assert "Support" in admin.get("/admin/users/?search=grace").get_data(as_text=True)


def test_a_duplicate_email_is_refused_on_the_form(panel: Panel) -> None:
    admin = panel.client("admin")
    before = panel.event_count()
    page = panel.post(admin, "/admin/users/new/", {"email": email_of("agent"), "name": "Again", "role": "agent"}
                      ).get_data(as_text=True)
    assert "already exists" in page
    assert panel.event_count() == before


def test_deactivating_a_user_ends_their_access_at_once(panel: Panel) -> None:
    agent, admin = panel.client("agent"), panel.client("admin")
    with projecting(panel):
        response = panel.post(admin, f"/admin/users/act/deactivate/?id={panel.user_id('agent')}",
                              {"reason": "Left the company"})
        assert response.status_code == 302
        assert agent.get("/admin/cases/").status_code == 302  # to the login page
    relogin = panel.anonymous()
    assert panel.login(relogin, email_of("agent"), PASSWORD).status_code == 401
