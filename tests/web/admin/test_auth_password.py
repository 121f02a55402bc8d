"""Changing one's own password (the current one required) and an admin's reset (a temporary
password the user must replace at the next login). Other sessions end; nothing is half-written."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from projections.views.directory import users
from tests.web.admin.conftest import PASSWORD, Panel, email_of

NEW = "a-much-better-secret-9"
CHANGE = "/admin/account/password"


def change(panel: Panel, client, current: str = PASSWORD, new: str = NEW, repeat: str | None = None):  # type: ignore[no-untyped-def]
    return panel.post(client, CHANGE, {"current": current, "new": new, "repeat": NEW if repeat is None else repeat})


def reset_url(panel: Panel, role: str) -> str:
    return f"/admin/account/reset/{panel.user_id(role)}"


def test_a_user_changes_their_password_and_their_other_sessions_end(stored_panel: Panel) -> None:
    panel = stored_panel
    here, elsewhere = panel.client("agent"), panel.client("agent")
    response = change(panel, here)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert here.get("/admin/").status_code == 200  # this session goes on
    assert elsewhere.get("/admin/").status_code == 302  # the other one ends
    assert panel.login(panel.anonymous(), email_of("agent"), PASSWORD).status_code == 401
    assert panel.login(panel.anonymous(), email_of("agent"), NEW).status_code == 302


@pytest.mark.parametrize("fields, message", [
    ({"current": "wrong-current-password"}, "This is not your current password."),
    ({"new": "short"}, "Use at least 12 characters."),
    ({"new": "agent@example.com-1", "repeat": "agent@example.com-1"}, "Too easy to guess"),
    ({"new": "aaaaaaaaaaaaaaaa", "repeat": "aaaaaaaaaaaaaaaa"}, "Use more different characters."),
    ({"repeat": "something-else-entirely"}, "The two differ."),
    ({"current": ""}, "This field is required."),
    ({"new": PASSWORD, "repeat": PASSWORD}, "Choose a password other than your current one."),
])
def test_a_bad_change_is_explained_on_the_form_and_changes_nothing(panel: Panel, fields: dict[str, str],
                                                                     message: str) -> None:
    client, before = panel.client("agent"), panel.event_count()
    response = change(panel, client, **fields)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert panel.event_count() == before
    assert panel.login(panel.anonymous(), email_of("agent"), PASSWORD).status_code == 302


@pytest.mark.parametrize("role", ["admin", "agent", "auditor"])
def test_every_role_may_change_its_own_password(panel: Panel, role: str) -> None:
    assert panel.client(role).get(CHANGE).status_code == 200
    assert change(panel, panel.client(role)).status_code == 302


def test_an_anonymous_visitor_has_no_password_page(panel: Panel) -> None:
    assert panel.anonymous().get(CHANGE).headers["Location"] == f"/admin/account/login?next={CHANGE}"


@pytest.mark.parametrize("role, status", [("admin", 200), ("agent", 403), ("auditor", 403)])
def test_only_admins_may_reset_a_password(panel: Panel, role: str, status: int) -> None:
    client, before = panel.client(role), panel.event_count()
    assert client.get(reset_url(panel, "agent")).status_code == status
    token = panel.csrf(client, CHANGE)
    assert client.post(reset_url(panel, "agent"), data={"csrf_token": token}).status_code == status
    assert (panel.event_count() == before) == (status == 403)


def test_an_anonymous_reset_goes_to_the_login_page(panel: Panel) -> None:
    response = panel.anonymous().get(reset_url(panel, "agent"))
    assert response.status_code == 302 and "/admin/account/login" in response.headers["Location"]


def test_a_reset_shows_a_temporary_password_once_that_must_be_replaced(stored_panel: Panel) -> None:
    panel = stored_panel
    agent = panel.client("agent")
    page = panel.post(panel.client("admin"), reset_url(panel, "agent")).get_data(as_text=True)
    temporary = re.search(r'<pre class="border p-2" id="temporary-password">([^<]+)</pre>', page).group(1)  # type: ignore[union-attr]
    assert agent.get("/admin/").status_code == 302  # the agent's session ended
    assert panel.login(panel.anonymous(), email_of("agent"), PASSWORD).status_code == 401
    client = panel.anonymous()
    response = panel.login(client, email_of("agent"), temporary)
    assert response.headers["Location"] == CHANGE
    assert client.get("/admin/").headers["Location"] == CHANGE  # nothing else until it is replaced
    assert "reset by an administrator" in client.get(CHANGE).get_data(as_text=True)
    assert change(panel, client, current=temporary).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_an_admin_may_type_the_temporary_password_but_not_a_weak_one(panel: Panel) -> None:
    admin, before = panel.client("admin"), panel.event_count()
    weak = panel.post(admin, reset_url(panel, "agent"), {"password": "short"})
    assert weak.status_code == 200 and "Use at least 12 characters." in weak.get_data(as_text=True)
    assert panel.event_count() == before
    typed = panel.post(admin, reset_url(panel, "agent"), {"password": "typed-temporary-77"})
    assert "typed-temporary-77" in typed.get_data(as_text=True)
    assert panel.login(panel.anonymous(), email_of("agent"), "typed-temporary-77").headers["Location"] == CHANGE


def test_the_temporary_password_cannot_be_kept_as_the_new_one(panel: Panel) -> None:
    """The admin who set it knows it: the user must choose their own."""
    temporary = "typed-temporary-77"
    panel.post(panel.client("admin"), reset_url(panel, "agent"), {"password": temporary})
    client, before = panel.anonymous(), panel.event_count()
    panel.login(client, email_of("agent"), temporary)
    response = change(panel, client, current=temporary, new=temporary, repeat=temporary)
    assert response.status_code == 200
    assert "Choose a password other than the temporary one." in response.get_data(as_text=True)
    assert panel.event_count() == before
    assert client.get("/admin/").headers["Location"] == CHANGE  # still to be replaced


def test_resetting_an_unknown_user_is_a_404(panel: Panel) -> None:
    assert panel.client("admin").get("/admin/account/reset/00000000-0000-0000-0000-000000000000").status_code == 404


def test_a_forged_password_change_without_the_token_is_refused(panel: Panel) -> None:
    client, before = panel.client("agent"), panel.event_count()
    response = client.post(CHANGE, data={"current": PASSWORD, "new": NEW, "repeat": NEW})
    assert response.status_code == 400 and panel.event_count() == before


def test_the_hash_appears_in_no_read_model_nor_the_api(stored_panel: Panel) -> None:
    panel = stored_panel
    change(panel, panel.client("agent"))
    panel.catch_up()
    assert not any("password" in column.name for column in users.columns)
    with panel.services.views.connect() as conn:
        assert "$argon2" not in repr(conn.execute(sa.select(users)).all())
    token = panel.services.app.issue_api_token(name="auditor-feed", scopes=["read"], occurred_at=panel.clock.now(),
                                               actor="system:test").token
    headers = {"Authorization": f"Bearer {token}"}
    client = panel.app.test_client()
    feed = client.get("/api/v1/events?limit=500", headers=headers).get_data(as_text=True)
    history = client.get(f"/api/v1/aggregates/{panel.user_id('agent')}/events", headers=headers).get_json()
    assert "PasswordSet" in feed and "argon2" not in feed
    assert [e["type"] for e in history["events"]][-1].endswith("PasswordSet")
    assert "argon2" not in repr(history)
