"""Keeping a promise in a real browser: from the open promises, with how it was kept."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import login, screenshot
from tests.browser.test_cases_flow import submit

pytestmark = pytest.mark.browser


def test_keep_a_promise(page: Any, server: str) -> None:
    login(page, server, "agent")
    page.goto(f"{server}/admin/promises/?flt0_0=open")
    screenshot(page, "promises-open")
    page.click("a[title='View Record']")
    page.wait_for_load_state()
    page.click("#command-keep")
    page.fill("#evidence", "Called back as promised (browser test).")
    submit(page)
    body = page.inner_text("body")
    assert "Keep: done" in body and "kept" in body
    assert "command-keep" not in page.content()  # a kept promise offers no more commands
    screenshot(page, "promise-kept")
