"""The history tab: any record's events (who, business and recorded time) and its state as of
a chosen version; a bad version or id is a message, never a failure; secrets never show."""

from __future__ import annotations

import html
import re
from uuid import UUID

import pytest

from domain.tokens.model import ApiToken
from tests.web.admin.conftest import Panel
from tests.web.admin.pages_data import AGENT, hours


def text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def state(page: str) -> dict[str, str]:
    """The state table: field -> value as shown."""
    rows = re.findall(r'data-field="([^"]+)"><th>[^<]*</th><td>(.*?)</td></tr>', page, re.DOTALL)
    return {name: text(value) for name, value in rows}


def transferred_case(panel: Panel) -> UUID:
    """A case at version 3: opened (v1), assigned to first@ (v2), transferred to second@ (v3)."""
    app = panel.services.app
    ada = app.register_customer(name="Ada", occurred_at=hours(-10), actor=AGENT).id
    case = app.open_case(customer_id=ada, subject="Printer jams", channel="email", occurred_at=hours(-5), actor=AGENT).id
    app.assign_case(case, assignee="user:first@example.com", occurred_at=hours(-4), actor=AGENT)
    app.transfer_case(case, to_assignee="user:second@example.com", note="Call after 17:00", occurred_at=hours(-3),
                      actor="user:first@example.com")
    panel.catch_up()
    return case


def test_anonymous_visitors_are_sent_to_the_login_page(panel: Panel) -> None:
    case = transferred_case(panel)
    response = panel.anonymous().get(f"/admin/history/{case}")
    assert response.status_code == 302 and "/admin/account/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_admins_and_auditors_read_a_history(panel: Panel, role: str) -> None:
    case = transferred_case(panel)
    response = panel.client(role).get(f"/admin/history/{case}")
    assert response.status_code == 200 and "Case.Transferred" in response.get_data(as_text=True)


def test_agents_may_not_read_histories(panel: Panel) -> None:
    case = transferred_case(panel)
    agent = panel.client("agent")
    assert agent.get(f"/admin/history/{case}").status_code == 403
    assert agent.get("/admin/history/?q=case-000001").status_code == 403


def test_the_events_name_who_and_both_times(stored_panel: Panel) -> None:
    case = transferred_case(stored_panel)
    page = stored_panel.client("auditor").get(f"/admin/history/{case}").get_data(as_text=True)
    rows = re.findall(r'<tr class="[^"]*" data-version="(\d+)">(.*?)</tr>', page, re.DOTALL)
    assert [v for v, _ in rows] == ["1", "2", "3"]
    transfer = text(rows[2][1])
    recorded = list(stored_panel.services.app.events.get(case))[2].timestamp
    assert "Case.Transferred" in transfer and "user:first@example.com" in transfer
    assert "2026-03-02 06:00 UTC" in transfer  # business time: when it happened
    assert recorded.strftime("%Y-%m-%d %H:%M:%S UTC") in transfer  # recorded time: when it was stored
    assert '"note": "Call after 17:00"' in transfer


def test_the_state_as_of_a_version_is_the_record_replayed_to_it(stored_panel: Panel) -> None:
    case = transferred_case(stored_panel)
    client = stored_panel.client("auditor")
    at_one = state(client.get(f"/admin/history/{case}?version=1").get_data(as_text=True))
    at_two = state(client.get(f"/admin/history/{case}?version=2").get_data(as_text=True))
    now = state(client.get(f"/admin/history/{case}").get_data(as_text=True))
    assert (at_one["version"], at_one["assignee"], at_one["status"]) == ("1", "—", "new")
    assert (at_two["version"], at_two["assignee"], at_two["status"]) == ("2", "user:first@example.com", "open")
    assert (now["version"], now["assignee"]) == ("3", "user:second@example.com")


@pytest.mark.parametrize("version, message", [
    ("0", "There is no version 0: versions run from 1 to 3"),
    ("4", "There is no version 4: versions run from 1 to 3"),
    ("-1", "There is no version -1"),
    ("two", "Version 'two' is not a number"),
])
def test_a_bad_version_is_a_message_and_the_current_state_shows(panel: Panel, version: str, message: str) -> None:
    case = transferred_case(panel)
    response = panel.client("auditor").get(f"/admin/history/{case}?version={version}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in text(page) and state(page)["version"] == "3"


@pytest.mark.parametrize("record", ["not-a-uuid", "5b0c6a3e-0000-4000-8000-000000000404"])
def test_an_unknown_record_is_a_message(panel: Panel, record: str) -> None:
    response = panel.client("auditor").get(f"/admin/history/{record}")
    assert response.status_code == 404 and 'id="page-message"' in response.get_data(as_text=True)


def test_a_password_hash_never_shows(panel: Panel) -> None:
    page = panel.client("auditor").get(f"/admin/history/{panel.user_id('agent')}").get_data(as_text=True)
    assert "User.PasswordSet" in page and "must_change" in page
    assert "$argon2" not in page and "password_hash" not in page


def test_api_token_records_are_not_listed(panel: Panel) -> None:
    issued = panel.services.app.issue_api_token(name="integrator", scopes=["read"], occurred_at=hours(0),
                                                actor="system:test")
    token_ids = [n.originator_id for n in panel.services.app.recorder.select_notifications(start=1, limit=1000)
                 if n.topic.endswith(f":{ApiToken.__qualname__}.Created")]
    assert token_ids and issued.token
    response = panel.client("admin").get(f"/admin/history/{token_ids[0]}")
    assert response.status_code == 404


def test_a_case_code_opens_its_history(panel: Panel) -> None:
    case = transferred_case(panel)
    client = panel.client("auditor")
    response = client.get("/admin/history/?q=case-000001")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/history/{case}")
    assert client.get("/admin/history/?q=CASE-999999").status_code == 404


def test_long_histories_come_in_pages(panel: Panel, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("web.admin.pages.history.EVENTS_PAGE", 2)
    case = transferred_case(panel)
    client = panel.client("auditor")
    first = client.get(f"/admin/history/{case}").get_data(as_text=True)
    assert re.findall(r'data-version="(\d+)"', first) == ["1", "2"]
    later = re.search(r'href="([^"]+)" id="later-events"', first)
    assert later
    rest = client.get(html.unescape(later.group(1))).get_data(as_text=True)
    assert re.findall(r'data-version="(\d+)"', rest) == ["3"]


def test_the_state_as_of_a_business_instant_and_as_known_at_a_recorded_one(panel: Panel) -> None:
    case = transferred_case(panel)
    client = panel.client("auditor")
    as_of = client.get(f"/admin/history/{case}", query_string={"as_of": hours(-3.5).isoformat()})
    assert state(as_of.get_data(as_text=True))["assignee"] == "user:first@example.com"
    recorded = next(iter(panel.services.app.events.get(case))).timestamp
    known = client.get(f"/admin/history/{case}", query_string={"known_at": recorded.isoformat()})
    assert state(known.get_data(as_text=True))["version"] == "1"
    before = client.get(f"/admin/history/{case}", query_string={"as_of": hours(-9).isoformat()})
    assert "did not exist yet" in text(before.get_data(as_text=True))


@pytest.mark.parametrize("query, message", [
    ({"as_of": "yesterday"}, "as_of 'yesterday' is not a date and time"),
    ({"known_at": "2026-03-01T00:00:00"}, "needs a timezone"),
    ({"version": "1", "as_of": "2026-03-01T00:00:00+00:00"}, "give at most one of version, as_of and known_at"),
])
def test_a_bad_instant_is_a_message_and_the_current_state_shows(panel: Panel, query: dict[str, str],
                                                                message: str) -> None:
    case = transferred_case(panel)
    page = panel.client("auditor").get(f"/admin/history/{case}", query_string=query).get_data(as_text=True)
    assert message in text(page) and state(page)["version"] == "3"


def test_every_view_of_a_history_is_recorded(panel: Panel) -> None:
    from eventsourcing.utils import get_topic

    from domain.audit.model import AuditRead

    case = transferred_case(panel)
    panel.client("auditor").get(f"/admin/history/{case}?version=2")
    app = panel.services.app
    reads = [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(
        start=1, limit=1000, topics=[get_topic(AuditRead.Recorded)])]
    assert [(r.channel, r.subject, r.query) for r in reads] == [("panel", str(case), {"version": "2"})]
    assert reads[0].actor == f"user:{panel.user_id('auditor')}"
