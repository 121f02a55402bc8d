"""Logging in and out in a real browser; an auditor sees no write buttons and cannot post."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import login, logout, screenshot

pytestmark = pytest.mark.browser


def test_a_wrong_password_shows_a_message_and_keeps_you_out(page: Any, server: str) -> None:
    page.goto(f"{server}/admin/")
    assert "/admin/account/login" in page.url
    page.fill("#email", "agent@example.com")
    page.fill("#password", "not the password at all")
    page.click("#login-form button[type=submit]")
    assert page.locator(".alert-danger").inner_text() == "Wrong email or password."
    screenshot(page, "login-wrong-password")
    page.goto(f"{server}/admin/")
    assert "/admin/account/login" in page.url


def test_logging_in_leads_to_the_page_asked_for_and_logging_out_ends_the_session(page: Any, server: str) -> None:
    page.goto(f"{server}/admin/account/password")
    login(page, server, "agent")
    screenshot(page, "dashboard-agent")
    assert "agent@example.com (agent)" in page.locator("#account-menu").inner_text()
    logout(page)
    assert "You are logged out." in page.inner_text("body")
    page.goto(f"{server}/admin/")
    assert "/admin/account/login" in page.url
