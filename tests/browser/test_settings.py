"""Settings in a real browser: the structured SLA policy form (a field error, then a saved policy
and its versions) and the API tokens list (screenshots to look at)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import login, screenshot
from tests.browser.test_cases_flow import submit

pytestmark = pytest.mark.browser


def test_define_an_sla_policy_with_the_structured_form(page: Any, server: str) -> None:
    login(page, server, "admin")
    page.goto(f"{server}/admin/sla_policies/new/")
    page.fill("#name", "Browser weekend cover")
    page.check("input[name=priorities][value=urgent]")
    page.fill("#t_urgent_first_response", "30")
    page.select_option("#b_urgent_first_response", "calendar")
    page.fill("#timezone", "Europe/Berlin")
    page.fill("#hours_mon", "09:00-13:00, 12:00-17:00")
    page.fill("#holidays", "2026-12-25 Christmas")
    submit(page)
    assert "must be ordered, not overlap" in page.inner_text("#hours_mon-error")
    screenshot(page, "sla-policy-form-error")
    page.fill("#hours_mon", "09:00-12:30, 13:30-17:00")
    submit(page)
    body = page.inner_text("body")
    assert "Browser weekend cover" in body and "Versions" in body
    screenshot(page, "sla-policy-details")
    page.goto(f"{server}/admin/sla_policies/")
    screenshot(page, "sla-policies-list")


def test_issue_a_token_from_the_tokens_list(page: Any, server: str) -> None:
    login(page, server, "admin")
    page.goto(f"{server}/admin/tokens/new/")
    page.fill("#name", "browser-test")
    page.check("input[name=scopes][value=read]")
    submit(page)
    assert page.inner_text("#token-secret").startswith("tl_")
    page.goto(f"{server}/admin/tokens/")
    assert "browser-test" in page.inner_text("body")
    screenshot(page, "tokens-list")
