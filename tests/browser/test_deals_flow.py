"""Moving a deal in a real browser: from Prospecting to Engaging; the stage shows at once."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import login, screenshot
from tests.browser.test_cases_flow import submit

pytestmark = pytest.mark.browser


def test_move_a_deal_to_the_next_stage(page: Any, server: str) -> None:
    login(page, server, "agent")
    page.goto(f"{server}/admin/deals/?flt0_0=Prospecting")
    screenshot(page, "deals-prospecting")
    page.click("a[title='View Record']")
    page.wait_for_load_state()
    page.click("#command-move")
    page.select_option("#stage", "Engaging")
    submit(page)
    body = page.inner_text("body")
    assert "Move: done" in body and "Engaging" in body
    screenshot(page, "deal-moved")
