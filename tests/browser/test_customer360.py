"""The customer 360 page and the history tab in a real browser, on the demo data."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, login, screenshot

pytestmark = pytest.mark.browser


def open_first_case_history(page: Any, server: str) -> str:
    """Open CASE-000001's history through the search box; returns its customer's id."""
    page.goto(f"{server}/admin/history/")
    page.fill("#q", "CASE-000001")
    page.press("#q", "Enter")
    page.wait_for_load_state()
    assert "/admin/history/" in page.url and "History of Case" in page.inner_text("h4")
    return str(page.locator('[data-field="customer_id"] td').inner_text().strip())


def test_the_customer_page_shows_the_timeline_with_channel_icons(page: Any, server: str) -> None:
    login(page, server, "admin")  # admins and auditors open history
    customer_id = open_first_case_history(page, server)
    page.goto(f"{server}/admin/customer360/{customer_id}")

    lines = page.locator("#timeline li[data-event]")
    assert lines.count() >= 2
    assert page.locator("#timeline li[data-event='Case.Opened']").count() >= 1
    icon = page.locator("#timeline li[data-event] i.fa").first
    assert "FontAwesome" in icon.evaluate("e => getComputedStyle(e).fontFamily")
    assert page.evaluate("() => document.fonts.check('14px FontAwesome')")
    assert icon.bounding_box()["width"] > 5  # the glyph is drawn, not an empty box of zero width
    screenshot(page, "customer360")
    page.screenshot(path=str(ARTIFACTS / "customer360-top.png"))  # the first screen, at full resolution
    page.locator("#timeline").screenshot(path=str(ARTIFACTS / "customer360-timeline.png"))


def test_an_auditor_reads_a_record_as_of_an_earlier_version(page: Any, server: str) -> None:
    login(page, server, "auditor")
    open_first_case_history(page, server)
    assert page.locator("#events tr[data-version]").count() >= 2
    page.fill("#version", "1")
    page.press("#version", "Enter")
    page.wait_for_load_state()
    assert page.locator("#state-version").inner_text() == "1"
    assert page.locator('[data-field="version"] td').inner_text() == "1"
    assert page.locator("#events tr.table-info").get_attribute("data-version") == "1"
    screenshot(page, "history-case-version-1")
