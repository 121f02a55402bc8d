"""Every list of the panel renders with data for the role that reads it (screenshots to look at)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser

LISTS = ("my_cases", "unassigned_cases", "promises_due_today", "customers", "cases", "promises", "deals",
         "touchpoints", "sla_breaches", "sla_open", "repeat_contacts", "overdue_promises", "outbox", "users",
         "tokens", "sla_policies", "pipeline")


def test_every_list_renders_for_an_admin(page: Any, server: str) -> None:
    login(page, server, "admin")
    for name in LISTS:
        response = page.goto(f"{server}/admin/{name}/")
        assert response is not None and response.status == 200, name
        screenshot(page, f"list-{name}")


def test_an_auditor_reads_the_cases_list_without_write_buttons(page: Any, server: str) -> None:
    login(page, server, "auditor")
    page.goto(f"{server}/admin/cases/")
    assert page.locator("a[href*='/admin/cases/new/']").count() == 0
    page.click("a[title='View Record']")
    page.wait_for_load_state()
    assert page.locator("#record-commands [id^=command-]").count() == 0
    screenshot(page, "case-details-auditor")
