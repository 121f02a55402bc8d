"""In a real browser: the template editor's preview follows the typing (the sandbox's objection
appears, then the rendered message), and an admin drafts, previews and publishes an article
that the public page then shows."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_the_template_preview_follows_what_the_admin_types(page: Any, server: str) -> None:
    login(page, server, "admin")
    page.goto(f"{server}/admin/message-templates/new/?purpose=customer_apology")
    assert "About our promise: Send the refund form" in page.inner_text("#template-preview")
    page.fill("#body", "Sorry {{ voucher_code }}")
    page.wait_for_selector("#template-errors:has-text('voucher_code')")
    page.fill("#body", "{{ owner }} is on it: {{ what }}.")
    page.wait_for_selector("#preview-body:has-text('Ann Agent is on it: Send the refund form.')")
    screenshot(page, "template-editor")


def test_an_admin_drafts_previews_and_publishes_an_article(page: Any, server: str) -> None:
    login(page, server, "admin")
    page.goto(f"{server}/admin/articles/new/")
    page.fill("#title", "Resetting your password")
    page.fill("#tags", "account, password")
    page.fill("#body", "Open the login page.\n\nChoose Forgot password.")
    page.click("#preview-submit")
    page.wait_for_load_state()
    assert "Choose Forgot password." in page.inner_text("#article-preview")
    page.click("input[type=submit][value=Save]")
    page.wait_for_load_state()
    page.goto(f"{server}/admin/articles/?search=password")
    page.click("text=Resetting your password")
    page.wait_for_load_state()
    page.click("#command-publish")  # nothing to fill in: the button posts at once
    page.wait_for_load_state()
    page.goto(f"{server}/admin/articles/?search=password")
    page.click("text=Resetting your password")
    page.wait_for_load_state()
    page.click("text=Public page")
    page.wait_for_load_state()
    assert page.inner_text("#article-title") == "Resetting your password"
    screenshot(page, "article-public-page")
