"""In a real browser: an auditor sees no write buttons and its POSTs answer 403; a POST
without the CSRF token (what a forging site would send) is refused with 400 and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import login, logout, screenshot

pytestmark = pytest.mark.browser
FORGED = "Forged Customer Ltd"


def csrf_token(page: Any) -> str:
    token: str = page.locator("#account-menu input[name=csrf_token]").get_attribute("value")
    return token


def test_an_auditor_sees_no_write_buttons_and_cannot_post(page: Any, server: str) -> None:
    login(page, server, "agent")
    page.goto(f"{server}/admin/customers/")
    assert page.locator("a[href^='/admin/customers/new/']").count() > 0  # a writer has the button
    logout(page)

    login(page, server, "auditor")
    page.goto(f"{server}/admin/customers/")
    screenshot(page, "customers-auditor")
    assert page.locator("a[href^='/admin/customers/new/']").count() == 0
    assert page.locator("a[href*='/edit/'], form[action*='/delete/']").count() == 0
    token = csrf_token(page)  # a valid token: the refusal is the role's, not CSRF's
    response = page.request.post(f"{server}/admin/customers/new/", form={"csrf_token": token, "name": FORGED})
    assert response.status == 403
    assert page.request.get(f"{server}/admin/customers/new/").status == 403


def test_a_post_without_the_csrf_token_is_refused_and_writes_nothing(page: Any, server: str) -> None:
    login(page, server, "agent")
    response = page.request.post(f"{server}/admin/customers/new/", form={"name": FORGED}, max_redirects=0)
    assert response.status == 400 and "CSRF token is missing" in response.text()
    page.goto(f"{server}/admin/customers/?search={FORGED.replace(' ', '+')}")
    assert page.locator("body").inner_text().count(FORGED) == 0
