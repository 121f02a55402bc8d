"""Users (admins only): register a colleague, change a profile, deactivate (access ends at once)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
import sqlalchemy as sa

from projections.views.deals import deals
from projections.views.promises import promises
from tests.web.admin.conftest import PASSWORD, Panel, email_of, projecting
from tests.web.admin.matrix import assert_matrix

ADMIN_ONLY = {"admin": "ok", "agent": "forbidden", "auditor": "forbidden", "anonymous": "login"}
AUDITED = {"admin": "ok", "agent": "forbidden", "auditor": "ok", "anonymous": "login"}  # read by auditors too


def test_role_matrix_of_the_users_views(panel: Panel) -> None:
    on = f"?id={panel.user_id('auditor')}"
    cells = [("GET /admin/users/", "", None, AUDITED), ("GET /admin/users/details/" + on, "", None, AUDITED),
             ("GET /admin/users/export/csv/", "", None, AUDITED), ("GET /admin/users/new/", "", None, ADMIN_ONLY),
             ("POST /admin/users/new/", "", {"email": ""}, ADMIN_ONLY),
             ("GET /admin/users/edit/" + on, "", None, ADMIN_ONLY),
             ("POST /admin/users/edit/" + on, "", {"name": ""}, ADMIN_ONLY),
             ("GET /admin/users/act/deactivate/" + on, "", None, ADMIN_ONLY),
             ("POST /admin/users/act/reactivate/" + on, "", {}, ADMIN_ONLY)]
    assert_matrix(panel, cells)
    auditor = panel.client("auditor").get("/admin/users/details/" + on).get_data(as_text=True)
    assert "Aude Auditor" in auditor
    assert not any(button in auditor for button in ("Deactivate", "Reset password", "/admin/users/edit/"))


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


def user_form(**fields: str) -> dict[str, str]:
    return {"name": "Grace Hopper", "role": "agent", "team": "", "region": "", "manager_id": ""} | fields


def test_a_new_colleague_gets_a_manager_who_can_be_changed(panel: Panel) -> None:
    admin, app = panel.client("admin"), panel.services.app
    with projecting(panel):
        form = admin.get("/admin/users/new/").get_data(as_text=True)
        assert f'value="{panel.user_id("agent")}"' in form  # active users are offered
        response = panel.post(admin, "/admin/users/new/",
                              user_form(email="grace@example.com", manager_id=str(panel.user_id("agent"))))
        assert response.status_code == 302
        user_id = UUID(response.headers["Location"].split("id=")[1].split("&")[0])
        assert app.get_user(user_id).manager_id == panel.user_id("agent")
        assert "Andy Agent" in admin.get(f"/admin/users/details/?id={user_id}").get_data(as_text=True)
        edit = f"/admin/users/edit/?id={user_id}"
        assert panel.post(admin, edit, user_form(manager_id=str(panel.user_id("admin")))).status_code == 302
        assert app.get_user(user_id).manager_id == panel.user_id("admin")
        assert panel.post(admin, edit, user_form()).status_code == 302
        assert app.get_user(user_id).manager_id is None


@pytest.mark.parametrize("manager", ["00000000-0000-4000-8000-0000000000aa", "not-an-id"])  # nobody, and no id
def test_a_manager_the_form_does_not_offer_is_refused_and_nothing_is_written(panel: Panel, manager: str) -> None:
    admin = panel.client("admin")
    before = panel.event_count()
    page = panel.post(admin, "/admin/users/new/", user_form(email="grace@example.com", manager_id=manager))
    assert "Pick a manager from the list (an active user)." in page.get_data(as_text=True)
    assert panel.event_count() == before


def test_a_user_cannot_be_their_own_manager(panel: Panel) -> None:
    admin, agent_id = panel.client("admin"), panel.user_id("agent")
    before = panel.event_count()
    page = panel.post(admin, f"/admin/users/edit/?id={agent_id}",
                      user_form(name="Andy Agent", manager_id=str(agent_id))).get_data(as_text=True)
    assert "a user cannot manage themselves" in page.split('id="manager_id"', 1)[1]
    assert panel.event_count() == before


def test_a_manager_deactivated_since_does_not_block_editing_whom_they_manage(panel: Panel) -> None:
    app, now = panel.services.app, panel.clock.now()
    app.change_user_profile(panel.user_id("agent"), name="Andy Agent", role="agent", team=None, region=None,
                            manager_id=panel.user_id("auditor"), occurred_at=now, actor="system:test")
    app.deactivate_user(panel.user_id("auditor"), reason="Left", occurred_at=now, actor="system:test")
    panel.catch_up()
    admin = panel.client("admin")
    edit = f"/admin/users/edit/?id={panel.user_id('agent')}"
    assert "Aude Auditor" in admin.get(edit).get_data(as_text=True)
    assert panel.post(admin, edit, user_form(name="Andy Agent", team="Support",
                                             manager_id=str(panel.user_id("auditor")))).status_code == 302
    assert app.get_user(panel.user_id("agent")).team == "Support"


def give_work(panel: Panel, role: str) -> UUID:
    """An active case, an open promise and an open deal held by ``role``'s user; returns the case."""
    app, now, ref = panel.services.app, panel.clock.now(), f"user:{panel.user_id(role)}"
    customer_id = app.register_customer(name="Ada Lovelace", contact_points=[{"kind": "email", "value": "a@b.org"}],
                                        occurred_at=now, actor="system:test").id
    case_id = app.open_case(customer_id=customer_id, subject="Printer jams", channel="email", occurred_at=now,
                            actor="system:test").id
    app.assign_case(case_id, assignee=ref, occurred_at=now, actor="system:test")
    app.make_promise(customer_id=customer_id, what="Call back", due_at=now + timedelta(hours=2), owner=ref,
                     channel="email", occurred_at=now, actor="system:test")
    app.open_deal(customer_id=customer_id, product_id=None, title="Printers", value=900, owner=ref, occurred_at=now,
                  actor="system:test")
    panel.catch_up()
    return case_id


def test_the_deactivate_form_says_what_they_still_hold_and_where_to_reassign_it(panel: Panel) -> None:
    give_work(panel, "agent")
    page = panel.client("admin").get(f"/admin/users/act/deactivate/?id={panel.user_id('agent')}")
    text = page.get_data(as_text=True)
    assert "Andy Agent still holds 1 active case, 1 open promise and 1 open deal" in text
    assert "pick a colleague here to take them all" in text
    assert "Deactivate form" not in text  # it is this form: no sending the reader to it
    offered = text.split('id="reassign_to"', 1)[1].split("</select>", 1)[0]
    assert f'value="user:{panel.user_id("agent")}"' not in offered  # not their own work back
    assert f'value="user:{panel.user_id("admin")}"' in offered


def test_deactivating_hands_their_cases_and_promises_to_the_colleague_picked(stored_panel: Panel) -> None:
    panel, app = stored_panel, stored_panel.services.app
    case_id = give_work(panel, "agent")
    admin = panel.client("admin")
    with projecting(panel):
        response = panel.post(admin, f"/admin/users/act/deactivate/?id={panel.user_id('agent')}",
                              {"reason": "Left the company", "reassign_to": f"user:{panel.user_id('admin')}"})
        page = admin.get(response.headers["Location"]).get_data(as_text=True)
    code, admin_ref = app.get_case(case_id).tracking_code, f"user:{panel.user_id('admin')}"
    assert f"Handed over to Ada Admin: {code}, promise &#39;Call back&#39;, deal &#39;Printers&#39;" in page
    assert "still holds" not in page  # nothing of theirs is left with nobody
    assert app.get_case(case_id).assignee == admin_ref
    assert "Left the company" in list(app.events.get(case_id))[-1].note
    with panel.services.views.connect() as conn:
        assert conn.execute(sa.select(promises.c.owner)).scalars().all() == [admin_ref]
        assert conn.execute(sa.select(deals.c.owner)).scalars().all() == [admin_ref]
    assert not app.get_user(panel.user_id("agent")).active


@pytest.mark.parametrize("role, message", [("agent", "Pick a colleague from the list"),  # not offered
                                           ("auditor", "Pick a colleague from the list")])
def test_cases_go_only_to_a_colleague_who_can_take_them(panel: Panel, role: str, message: str) -> None:
    give_work(panel, "agent")
    before = panel.event_count()
    page = panel.post(panel.client("admin"), f"/admin/users/act/deactivate/?id={panel.user_id('agent')}",
                      {"reason": "Left", "reassign_to": f"user:{panel.user_id(role)}"}).get_data(as_text=True)
    assert message in page.split('id="reassign_to"', 1)[1]
    assert panel.event_count() == before


def test_an_admin_cannot_lock_themselves_out(panel: Panel) -> None:
    """The only admin deactivating themselves, or making themselves an agent, would leave the
    installation with no admin: both are refused on the form, and nothing is written."""
    admin, me = panel.client("admin"), panel.user_id("admin")
    before = panel.event_count()
    page = panel.post(admin, f"/admin/users/act/deactivate/?id={me}", {"reason": "Leaving"}).get_data(as_text=True)
    assert "you cannot deactivate your own account: ask another admin" in page
    page = panel.post(admin, f"/admin/users/edit/?id={me}", user_form(name="Ada Admin", role="agent"))
    assert page.status_code == 200
    assert "you cannot give up your own admin role" in page.get_data(as_text=True).split('id="role"', 1)[1]
    assert panel.event_count() == before
    assert panel.client("admin").get("/admin/users/").status_code == 200  # still an admin
