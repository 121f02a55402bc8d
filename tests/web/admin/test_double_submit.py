"""A create form sent twice (a double click, a resend after a timeout) saves one record: the
form carries a one-time submission id, and the record's id is derived from it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.web.admin.conftest import Panel
from tests.web.admin.matrix import customer

SUBMISSION = re.compile(r'id="submission" name="submission" type="hidden" value="([0-9a-f]{32})"')

FORMS: dict[str, Callable[[Panel], dict[str, str]]] = {
    "cases": lambda p: {"customer_id": str(customer(p)), "subject": "Printer jams", "channel": "phone",
                        "priority": "normal", "team": ""},
    "touchpoints": lambda p: {"customer_id": str(customer(p)), "channel": "phone", "direction": "inbound",
                              "kind": "inquiry", "subject": "Asked about prices", "summary": "", "contact_point": "",
                              "occurred_at": "", "case_id": ""},
    "promises": lambda p: {"customer_id": str(customer(p)), "kind": "callback", "what": "Call about the renewal",
                           "due_at": "2026-03-03T14:30", "owner": f"user:{p.user_id('agent')}", "channel": "phone",
                           "contact_point": "+44 20 7946 0000", "case_id": ""},
    "deals": lambda p: {"customer_id": str(customer(p)), "product_id": "", "title": "Ten laptops", "value": "9500.00",
                        "owner": f"user:{p.user_id('agent')}", "stage": "Prospecting", "expected_close_on": ""},
    "customers": lambda p: {"kind": "company", "name": "Globex Ltd", "email": "buyers@globex.example",
                            "phone": "+1 555 0100", "sector": "", "size": "", "location": ""},
}


@pytest.mark.parametrize("records", sorted(FORMS))
def test_the_same_create_form_sent_twice_saves_one_record(panel: Panel, records: str) -> None:
    data = FORMS[records](panel)
    agent = panel.client("agent")
    url = f"/admin/{records}/new/"
    found = SUBMISSION.search(agent.get(url).get_data(as_text=True))
    assert found, "the form carries no submission id"
    before = panel.event_count()
    first = panel.post(agent, url, {**data, "submission": found.group(1)})
    assert first.status_code == 302, first.get_data(as_text=True)[-2000:]
    written = panel.event_count() - before
    again = panel.post(agent, url, {**data, "submission": found.group(1)})
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert panel.event_count() - before == written  # nothing more
    shown = agent.get(again.headers["Location"]).get_data(as_text=True)
    assert "sent twice" in shown and "successfully created" not in shown


def test_the_form_sent_again_with_other_content_is_a_new_record(panel: Panel) -> None:
    """Back, edit, save: what was typed the second time is saved too, never silently dropped."""
    agent = panel.client("agent")
    found = SUBMISSION.search(agent.get("/admin/customers/new/").get_data(as_text=True))
    assert found
    data = FORMS["customers"](panel)
    first = panel.post(agent, "/admin/customers/new/", {**data, "submission": found.group(1)})
    other = panel.post(agent, "/admin/customers/new/", {**data, "name": "Initech Ltd", "email": "it@initech.example",
                                                        "submission": found.group(1)})
    assert first.status_code == other.status_code == 302
    panel.catch_up()
    listed = agent.get("/admin/customers/?search=ltd").get_data(as_text=True)
    assert "Globex Ltd" in listed and "Initech Ltd" in listed


def test_each_opening_of_a_form_draws_a_new_submission_and_a_form_without_one_still_saves(panel: Panel) -> None:
    agent = panel.client("agent")
    drawn = [SUBMISSION.findall(agent.get("/admin/cases/new/").get_data(as_text=True)) for _ in range(2)]
    assert [len(d) for d in drawn] == [1, 1] and drawn[0] != drawn[1]
    data: dict[str, Any] = FORMS["cases"](panel)
    before = panel.event_count()
    for submission in ("", "not-a-uuid"):  # stripped or crafted: an ordinary create
        assert panel.post(agent, "/admin/cases/new/", {**data, "submission": submission}).status_code == 302
    assert panel.event_count() > before
