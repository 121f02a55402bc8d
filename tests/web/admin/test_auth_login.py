"""Logging in to the panel: argon2 passwords, a generic message for any failure, throttling
per account and per address, sessions that end the moment the user is deactivated."""

from __future__ import annotations

import threading
import time

import pytest

from tests.web.admin.conftest import PASSWORD, Panel, email_of, form_token

WRONG = "Wrong email or password."


def logged_in(panel: Panel, client) -> bool:  # type: ignore[no-untyped-def]
    return client.get("/admin/").status_code == 200


def test_an_anonymous_visitor_is_sent_to_the_login_page_and_back(panel: Panel) -> None:
    client = panel.anonymous()
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/account/login?next=/admin/"
    token = form_token(client.get(response.headers["Location"]))
    after = client.post("/admin/account/login?next=/admin/account/password",
                        data={"email": "Agent@Example.com ", "password": PASSWORD, "csrf_token": token})
    assert after.status_code == 302 and after.headers["Location"] == "/admin/account/password"
    assert logged_in(panel, client)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_the_next_page_is_only_ever_on_this_site(panel: Panel, target: str) -> None:
    client = panel.anonymous()
    token = form_token(client.get("/admin/account/login"))
    response = client.post(f"/admin/account/login?next={target}",
                           data={"email": email_of("agent"), "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/admin/"


def test_every_role_can_log_in_and_sees_who_it_is(panel: Panel) -> None:
    for role in ("admin", "agent", "auditor"):
        page = panel.client(role).get("/admin/").get_data(as_text=True)
        assert f"{role}@example.com ({role})" in page


@pytest.mark.parametrize("email, password", [
    (email_of("agent"), "not-the-password"),  # wrong password
    ("nobody@example.com", PASSWORD),  # no such user
    ("not an address", PASSWORD),  # not even an address
])
def test_a_failed_login_says_only_wrong_email_or_password(panel: Panel, email: str, password: str) -> None:
    client = panel.anonymous()
    response = panel.login(client, email, password)
    assert response.status_code == 401 and WRONG in response.get_data(as_text=True)
    assert not logged_in(panel, client)


@pytest.mark.parametrize("field", ["email", "password"])
def test_an_empty_field_is_named_on_the_form(panel: Panel, field: str) -> None:
    client = panel.anonymous()
    data = {"email": email_of("agent"), "password": PASSWORD, field: ""}
    response = panel.post(client, "/admin/account/login", data)
    assert response.status_code == 200 and "This field is required." in response.get_data(as_text=True)
    assert not logged_in(panel, client)


def test_a_login_without_the_csrf_token_is_refused(panel: Panel) -> None:
    client = panel.anonymous()
    client.get("/admin/account/login")
    response = client.post("/admin/account/login", data={"email": email_of("agent"), "password": PASSWORD})
    assert response.status_code == 400 and "CSRF token is missing" in response.get_data(as_text=True)
    assert not logged_in(panel, client)


def test_five_failures_lock_the_account_for_fifteen_minutes(stored_panel: Panel) -> None:
    panel, client = stored_panel, stored_panel.anonymous()
    for _ in range(5):
        assert panel.login(client, email_of("agent"), "wrong-password").status_code == 401
    refused = panel.login(client, email_of("agent"), PASSWORD)  # even the right password, now
    assert refused.status_code == 429
    assert "Too many failed logins: try again in 15 minute(s)." in refused.get_data(as_text=True)
    assert panel.login(panel.anonymous(), email_of("admin"), PASSWORD).status_code == 302  # others still can
    panel.clock.advance(minutes=14)
    assert panel.login(client, email_of("agent"), PASSWORD).status_code == 429
    panel.clock.advance(minutes=1)
    assert panel.login(client, email_of("agent"), PASSWORD).status_code == 302


def test_a_successful_login_forgets_the_accounts_failures(panel: Panel) -> None:
    client = panel.anonymous()
    for _ in range(4):
        panel.login(client, email_of("agent"), "wrong-password")
    assert panel.login(client, email_of("agent"), PASSWORD).status_code == 302
    for _ in range(4):
        panel.login(panel.anonymous(), email_of("agent"), "wrong-password")
    assert panel.login(panel.anonymous(), email_of("agent"), PASSWORD).status_code == 302


def test_twenty_failures_from_one_address_lock_that_address(panel: Panel) -> None:
    for n in range(20):
        panel.login(panel.anonymous(), f"guess{n}@example.com", "wrong-password")
    assert panel.login(panel.anonymous(), email_of("admin"), PASSWORD).status_code == 429
    elsewhere = panel.anonymous()
    token = form_token(elsewhere.get("/admin/account/login"))
    response = elsewhere.post("/admin/account/login", environ_base={"REMOTE_ADDR": "10.0.0.7"},
                              data={"email": email_of("admin"), "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_deactivating_a_user_ends_their_session_at_once(stored_panel: Panel) -> None:
    panel = stored_panel
    client = panel.client("agent")
    assert logged_in(panel, client)
    panel.services.app.deactivate_user(panel.user_id("agent"), reason="left the company",
                                       occurred_at=panel.clock.now(), actor="user:admin@example.com")
    assert client.get("/admin/").status_code == 302  # no projection run needed: the loader reads the user
    response = panel.login(panel.anonymous(), email_of("agent"), PASSWORD)
    assert response.status_code == 401 and WRONG in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["admin", "agent", "auditor"])
def test_logging_out_needs_a_post_with_the_token(panel: Panel, role: str) -> None:
    client = panel.client(role)
    assert client.get("/admin/account/logout").status_code == 200  # a confirmation form, still logged in
    assert logged_in(panel, client)
    assert client.post("/admin/account/logout").status_code == 400  # a forged logout
    assert logged_in(panel, client)
    response = panel.post(client, "/admin/account/logout", token_from="/admin/account/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/account/login"
    assert not logged_in(panel, client)


def test_a_failed_login_waits_for_the_projection_runners_write_lock(panel: Panel) -> None:
    """On SQLite the runner holds the views file's write lock while it commits a batch; counting a
    failure waits for it (bounded) instead of answering 500 "database is locked"."""
    client = panel.anonymous()
    held = threading.Event()

    def hold_the_lock() -> None:
        with panel.services.views_writer.begin():  # BEGIN IMMEDIATE, as the runner commits
            held.set()
            time.sleep(0.5)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    held.wait()
    try:
        response = panel.login(client, email_of("agent"), "not-the-password")
    finally:
        holder.join()
    assert response.status_code == 401 and WRONG in response.get_data(as_text=True)
