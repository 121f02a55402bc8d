"""Saved queues and read-only lists: my open cases, unassigned cases by team, SLA breaches,
repeat contacts, the outbox; each shows what it promises and nothing else."""

from __future__ import annotations

from datetime import timedelta

from tests.web.admin.conftest import Panel
from tests.web.admin.matrix import READ, assert_matrix, customer, open_case


def test_role_matrix_of_the_read_only_lists(panel: Panel) -> None:
    assert_matrix(panel, [(f"GET /admin/{name}/", "", None, READ) for name in
                          ("my_cases", "unassigned_cases", "promises_due_today", "sla_breaches", "sla_open",
                           "repeat_contacts", "overdue_promises", "outbox")])


def test_my_open_cases_are_the_active_cases_assigned_to_me(panel: Panel) -> None:
    app, now = panel.services.app, panel.clock.now()
    customer_id = customer(panel)
    mine, theirs, done = (open_case(panel, customer_id, subject) for subject in ("Printer on fire", "Toner empty", "Paper jam"))
    me = f"user:{panel.user_id('agent')}"
    app.assign_case(mine, assignee=me, occurred_at=now, actor="system:test")
    app.assign_case(theirs, assignee=f"user:{panel.user_id('admin')}", occurred_at=now, actor="system:test")
    app.assign_case(done, assignee=me, occurred_at=now, actor="system:test")
    app.resolve_case(done, resolution="ok", occurred_at=now, actor="system:test")
    panel.catch_up()
    page = panel.client("agent").get("/admin/my_cases/").get_data(as_text=True)
    assert "Printer on fire" in page and "Toner empty" not in page and "Paper jam" not in page


def test_unassigned_cases_are_grouped_by_team(panel: Panel) -> None:
    customer_id = customer(panel)
    open_case(panel, customer_id, "Billing question", team="Billing")
    open_case(panel, customer_id, "Broken screen", team="Hardware")
    taken = open_case(panel, customer_id, "Taken already", team="Billing")
    panel.services.app.assign_case(taken, assignee="user:x", occurred_at=panel.clock.now(), actor="system:test")
    panel.catch_up()
    page = panel.client("agent").get("/admin/unassigned_cases/").get_data(as_text=True)
    assert page.index("Billing question") < page.index("Broken screen")  # team order
    assert "Taken already" not in page


def test_sla_breaches_include_targets_past_due_now(panel: Panel) -> None:
    app = panel.services.app
    app.define_sla_policy(name="Fast", position=1, conditions=None,
                          targets={"normal": {"first_response": {"minutes": 30, "business_hours": False}}},
                          calendar={"timezone": "UTC", "hours": {"mon": [["00:00", "24:00"]]}},
                          occurred_at=panel.clock.now(), actor="system:test")
    case_id = open_case(panel, customer(panel), "Waiting for an answer")
    auditor = panel.client("auditor")
    assert "Waiting for an answer" not in auditor.get("/admin/sla_breaches/").get_data(as_text=True)
    assert app.get_case(case_id).tracking_code in auditor.get("/admin/sla_open/").get_data(as_text=True)
    panel.clock.advance(minutes=31)
    code = app.get_case(case_id).tracking_code
    assert code in auditor.get("/admin/sla_breaches/").get_data(as_text=True)
    assert code not in auditor.get("/admin/sla_open/").get_data(as_text=True)


def test_repeat_contacts_are_inbound_contacts_on_the_same_topic_within_a_week(panel: Panel) -> None:
    app, customer_id = panel.services.app, customer(panel)
    for days, subject in ((0, "Router keeps dropping"), (2, "RE: Router keeps dropping"), (3, "New order")):
        app.record_touchpoint(customer_id=customer_id, channel="phone", direction="inbound", kind="complaint",
                              subject=subject, occurred_at=panel.clock.now() + timedelta(days=days),
                              actor="system:test")
    panel.catch_up()
    page = panel.client("auditor").get("/admin/repeat_contacts/").get_data(as_text=True)
    assert "RE: Router keeps dropping" in page and "2 d 0 h" in page
    assert "New order" not in page
