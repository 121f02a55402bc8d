"""An agent's day in a real browser: record a touchpoint, open a case for the customer,
transfer it with a handover note, and resolve it; each step shows its result."""

from __future__ import annotations

from typing import Any

import pytest

from domain.users.model import user_id_for
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def open_customer(page: Any, server: str, name: str) -> None:
    """The customer's details page, found by searching the customers list."""
    page.goto(f"{server}/admin/customers/?search={name}")
    page.click("a[title='View Record']")
    page.wait_for_load_state()


def submit(page: Any) -> None:
    page.click("#command-submit, input[type=submit].btn-primary")
    page.wait_for_load_state()


def test_record_a_touchpoint_open_transfer_and_resolve_a_case(page: Any, server: str) -> None:
    login(page, server, "agent")
    open_customer(page, server, "Acme Corporation")
    page.click("text=Record a touchpoint")
    page.select_option("#channel", "phone")
    page.select_option("#direction", "inbound")
    page.select_option("#kind", "complaint")
    page.fill("#subject", "Invoice charged twice (browser test)")
    page.fill("#summary", "Customer was billed twice for March.")
    screenshot(page, "touchpoint-form")
    submit(page)
    assert "Invoice charged twice (browser test)" in page.inner_text("body")

    open_customer(page, server, "Acme Corporation")
    page.click("text=Open a case")
    page.fill("#subject", "Double charge on the March invoice")
    page.select_option("#priority", "high")
    submit(page)
    assert "/admin/cases/details/" in page.url
    body = page.inner_text("body")
    assert "Double charge on the March invoice" in body and "CASE-" in body
    screenshot(page, "case-details")

    page.click("#command-transfer")
    admin = f"user:{user_id_for('admin@example.com')}"
    page.select_option("#to_assignee", admin)
    admin_name = page.locator(f"#to_assignee option[value='{admin}']").inner_text().split(" (")[0]
    page.fill("#note", "Refund approved by finance; customer prefers email.")
    screenshot(page, "case-transfer-form")
    submit(page)
    assert "Transfer: done" in page.inner_text("body")
    assert admin_name in page.inner_text("table.searchable")  # the new assignee

    page.click("#command-resolve")
    page.fill("#resolution", "Refunded the second charge.")
    submit(page)
    body = page.inner_text("body")
    assert "Resolve: done" in body and "resolved" in body
    screenshot(page, "case-resolved")
