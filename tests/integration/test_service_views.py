"""The read models agents and managers work from: customer 360, timeline, repeat contacts,
first-contact resolution, churn, promises and workload. Both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from domain.clock import FixedClock
from projections.queries.customers import (
    get_customer_360,
    get_timeline,
    list_churn_candidates,
    list_customers,
)
from projections.queries.funnel import list_rotting_deals
from projections.queries.paging import CursorError
from projections.queries.service import (
    get_agent_workload,
    get_contact_rates,
    list_cases,
    list_promises,
    list_repeat_contacts,
)
from projections.registry import all_projections
from projections.verify import verify_projections
from web.services import Services, build_services

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    found = build_services({"DATABASE_URL": database_url}, clock=FixedClock(NOW))
    yield found
    found.close()


def touch(s: Services, customer: UUID, at: datetime, subject: str, *, channel: str = "phone",
          direction: str = "inbound", case_id: UUID | None = None) -> UUID:
    return s.app.record_touchpoint(customer_id=customer, channel=channel, direction=direction, kind="inquiry",
                                   subject=subject, case_id=case_id, occurred_at=at, actor="user:agent-1").id


def customer(s: Services, name: str, at: datetime = NOW - 60 * DAY) -> UUID:
    return s.app.register_customer(name=name, contact_points=[{"kind": "email", "value": f"{name.lower()}@x.org"},
                                                              {"kind": "phone", "value": "+1 555 0100"}],
                                   segment={"sector": "retail"}, occurred_at=at, actor="user:agent-1").id


def caught_up(s: Services) -> Services:
    s.projection_runner().catch_up()
    return s


def test_customer_360_sums_up_touches_cases_promises_deals_and_csat(services: Services) -> None:
    app, ann = services.app, customer(services, "Ann")
    touch(services, ann, NOW - 10 * DAY, "Invoice question", channel="email")
    touch(services, ann, NOW - 9 * DAY, "Invoice question again")
    first = app.open_case(customer_id=ann, subject="Invoice wrong", channel="email", occurred_at=NOW - 9 * DAY,
                          actor="user:agent-1").id
    app.open_case(customer_id=ann, subject="Delivery late", channel="chat", occurred_at=NOW - 8 * DAY,
                  actor="user:agent-1")
    app.resolve_case(first, resolution="Credited", occurred_at=NOW - 7 * DAY, actor="user:agent-1")
    app.rate_case(first, score=4, occurred_at=NOW - 6 * DAY, actor="customer:ann")
    app.make_promise(customer_id=ann, what="Call back with the credit note", due_at=NOW + DAY, owner="user:agent-1",
                     channel="phone", occurred_at=NOW - 7 * DAY, actor="user:agent-1")
    won = app.open_deal(customer_id=ann, product_id=None, title="Upgrade", value=100, owner="user:agent-1",
                        occurred_at=NOW - 30 * DAY, actor="user:agent-1").id
    app.win_deal(won, close_value="120.50", occurred_at=NOW - 20 * DAY, actor="user:agent-1")
    app.open_deal(customer_id=ann, product_id=None, title="Second site", value=50, owner="user:agent-1",
                  stage="Engaging", occurred_at=NOW - 5 * DAY, actor="user:agent-1")
    with caught_up(services).views.connect() as conn:
        view = get_customer_360(conn, str(ann))
    assert view is not None
    summary = view["customer"]
    assert (summary["touches"], summary["touches_by_channel"]) == (2, {"email": 1, "phone": 1})
    assert (summary["first_touch_at"], summary["last_touch_at"]) == (NOW - 10 * DAY, NOW - 9 * DAY)
    assert (summary["open_cases"], summary["cases_total"], summary["open_promises"]) == (1, 2, 1)
    assert (summary["deals_open"], summary["deals_won"], summary["won_value"]) == (1, 1, Decimal("120.50"))
    assert (summary["csat_average"], summary["funnel_stage"], summary["email"]) == (4.0, "Engaging", "ann@x.org")
    assert [c["subject"] for c in view["open_cases"]] == ["Delivery late"]
    assert [p["what"] for p in view["open_promises"]] == ["Call back with the credit note"]


def test_reopening_a_won_deal_takes_its_value_out_of_lifetime_value(services: Services) -> None:
    ann = customer(services, "Ann")
    deal = services.app.open_deal(customer_id=ann, product_id=None, title="X", value=10, owner="user:a",
                                  occurred_at=NOW - 9 * DAY, actor="user:a").id
    services.app.win_deal(deal, close_value=15, occurred_at=NOW - 8 * DAY, actor="user:a")
    services.app.reopen_deal(deal, stage="Engaging", reason="contract voided", occurred_at=NOW - 7 * DAY, actor="user:a")
    with caught_up(services).views.connect() as conn:
        summary = get_customer_360(conn, str(ann))["customer"]  # type: ignore[index]
    assert (summary["won_value"], summary["deals_won"], summary["funnel_stage"]) == (Decimal("0.00"), 0, "Engaging")


def test_a_retracted_touch_no_longer_counts_and_a_retraction_is_no_contact(services: Services) -> None:
    """Logged on the wrong customer and retracted: Ann's figures are as if it had never been,
    and rebuilt from zero they come out the same."""
    app, ann = services.app, customer(services, "Ann")
    touch(services, ann, NOW - 10 * DAY, "Invoice question")
    app.open_case(customer_id=ann, subject="Invoice wrong", channel="chat", occurred_at=NOW - 8 * DAY,
                  actor="user:agent-1")
    wrong = touch(services, ann, NOW - 2 * DAY, "Was Bob, not Ann", channel="email")
    app.correct_touchpoint(wrong, changes={"channel": "sms"}, reason="was a text", occurred_at=NOW - DAY,
                           actor="user:agent-1")  # the figures count touches as first recorded
    with caught_up(services).views.connect() as conn:
        before = get_customer_360(conn, str(ann))["customer"]  # type: ignore[index]
    assert (before["touches"], before["last_contact_at"]) == (2, NOW - 2 * DAY)
    app.retract_touchpoint(wrong, reason="wrong customer", occurred_at=NOW, actor="user:agent-1")
    with caught_up(services).views.connect() as conn:
        after = get_customer_360(conn, str(ann))["customer"]  # type: ignore[index]
    assert (after["touches"], after["touches_by_channel"]) == (1, {"phone": 1})
    assert (after["first_touch_at"], after["last_touch_at"]) == (NOW - 10 * DAY, NOW - 10 * DAY)
    assert after["last_contact_at"] == NOW - 8 * DAY  # the case; neither the retracted touch nor the retraction
    reports = verify_projections(app, services.views, [p for p in all_projections() if p.name == "customer360"])
    assert [d.describe() for r in reports for d in r.differences] == []


def test_timeline_is_in_business_time_order_even_when_recorded_late(services: Services) -> None:
    ann = customer(services, "Ann", at=NOW - 30 * DAY)
    touch(services, ann, NOW - 2 * DAY, "Second call")
    touch(services, ann, NOW - 5 * DAY, "First call, logged late")
    with caught_up(services).views.connect() as conn:
        page = get_timeline(conn, str(ann))
    assert [e["summary"] for e in page.items] == [
        "Registered as a person: Ann", "Inbound phone: First call, logged late", "Inbound phone: Second call"]
    assert [e["actor"] for e in page.items] == ["user:agent-1"] * 3


def test_timeline_pages_with_a_cursor_and_refuses_a_forged_one(services: Services) -> None:
    ann = customer(services, "Ann", at=NOW - 30 * DAY)
    for i in range(5):
        touch(services, ann, NOW - (10 - i) * DAY, f"Call {i}")
    with caught_up(services).views.connect() as conn:
        first = get_timeline(conn, str(ann), limit=4)
        assert first.next_cursor is not None
        rest = get_timeline(conn, str(ann), limit=4, cursor=first.next_cursor)
        assert rest.next_cursor is None
        assert len(first.items) + len(rest.items) == 6
        assert first.items[-1]["position"] != rest.items[0]["position"]
        with pytest.raises(CursorError):
            get_timeline(conn, str(ann), cursor="not-a-cursor")


def test_repeat_contacts_are_same_topic_or_case_within_the_window(services: Services) -> None:
    ann, bob = customer(services, "Ann"), customer(services, "Bob")
    touch(services, ann, NOW - 10 * DAY, "Router broken")
    touch(services, ann, NOW - 8 * DAY, "RE: Router broken!")       # same topic, 2 days later: repeat
    touch(services, ann, NOW - 7 * DAY, "Billing address")           # another topic: not a repeat
    touch(services, ann, NOW - 1 * DAY, "Router broken")             # 7 days after the last one: repeat at 7
    touch(services, bob, NOW - 9 * DAY, "Router broken")             # another customer: not a repeat
    touch(services, ann, NOW - 9 * DAY, "Router broken", direction="outbound")  # our own call: never a repeat
    with caught_up(services).views.connect() as conn:
        within_7 = list_repeat_contacts(conn, within_days=7).items
        within_3 = list_repeat_contacts(conn, within_days=3).items
        rates = get_contact_rates(conn, within_days=7)
    assert [(r["subject"], r["occurred_at"]) for r in within_7] == [
        ("Router broken", NOW - DAY), ("RE: Router broken!", NOW - 8 * DAY)]
    assert [r["subject"] for r in within_3] == ["RE: Router broken!"]
    assert (rates["inbound_contacts"], rates["repeat_contacts"], rates["repeat_contact_rate"]) == (5, 2, 0.4)


def test_first_contact_resolution_counts_cases_solved_without_another_contact(services: Services) -> None:
    app, ann = services.app, customer(services, "Ann")
    once = app.open_case(customer_id=ann, subject="A", channel="phone", occurred_at=NOW - 5 * DAY, actor="user:a").id
    twice = app.open_case(customer_id=ann, subject="B", channel="phone", occurred_at=NOW - 5 * DAY, actor="user:a").id
    reopened = app.open_case(customer_id=ann, subject="C", channel="phone", occurred_at=NOW - 5 * DAY, actor="user:a").id
    app.record_customer_reply(twice, body="Still broken", channel="email", occurred_at=NOW - 4 * DAY, actor="customer:ann")
    for case in (once, twice, reopened):
        app.resolve_case(case, resolution="done", occurred_at=NOW - 3 * DAY, actor="user:a")
    app.reopen_case(reopened, reason="came back", occurred_at=NOW - 2 * DAY, actor="user:a")
    app.resolve_case(reopened, resolution="done again", occurred_at=NOW - DAY, actor="user:a")
    with caught_up(services).views.connect() as conn:
        rates = get_contact_rates(conn)
    assert (rates["resolved_cases"], rates["resolved_first_contact"]) == (3, 1)
    assert rates["first_contact_resolution_rate"] == pytest.approx(1 / 3, abs=1e-4)


def test_churn_candidates_bought_before_and_went_quiet(services: Services) -> None:
    app = services.app
    quiet, active, never = customer(services, "Quiet"), customer(services, "Active"), customer(services, "Never")
    for who in (quiet, active):
        deal = app.open_deal(customer_id=who, product_id=None, title="D", value=10, owner="user:a",
                             occurred_at=NOW - 400 * DAY, actor="user:a").id
        app.win_deal(deal, close_value=10, occurred_at=NOW - 300 * DAY, actor="user:a")
    touch(services, active, NOW - 10 * DAY, "Hello again")
    touch(services, never, NOW - 200 * DAY, "Just looking")
    with caught_up(services).views.connect() as conn:
        churn = list_churn_candidates(conn, now=NOW, quiet_days=90).items
    assert [(c["name"], c["quiet_days"]) for c in churn] == [("Quiet", 300)]


def test_overdue_promises_and_agent_workload(services: Services) -> None:
    app, ann = services.app, customer(services, "Ann")
    late = app.make_promise(customer_id=ann, what="Send quote", due_at=NOW - DAY, owner="user:agent-1",
                            channel="email", occurred_at=NOW - 3 * DAY, actor="user:agent-1").id
    app.make_promise(customer_id=ann, what="Call back", due_at=NOW + DAY, owner="user:agent-1", channel="phone",
                     occurred_at=NOW - 3 * DAY, actor="user:agent-1")
    kept = app.make_promise(customer_id=ann, what="Refund", due_at=NOW - 2 * DAY, owner="user:agent-2",
                            channel="email", occurred_at=NOW - 3 * DAY, actor="user:agent-2").id
    app.keep_promise(kept, evidence="Refund issued", occurred_at=NOW - 3 * DAY, actor="user:agent-2")
    case = app.open_case(customer_id=ann, subject="Refund", channel="email", occurred_at=NOW - 3 * DAY,
                         actor="user:agent-2").id
    app.assign_case(case, assignee="user:agent-2", occurred_at=NOW - 3 * DAY, actor="user:agent-2")
    with caught_up(services).views.connect() as conn:
        overdue = list_promises(conn, now=NOW, status="overdue").items
        workload = {w["agent"]: w for w in get_agent_workload(conn, now=NOW)}
        mine = list_cases(conn, status="active", assignee="user:agent-2").items
    assert [(p["id"], p["overdue"]) for p in overdue] == [(str(late), True)]
    assert (workload["user:agent-1"]["overdue_promises"], workload["user:agent-1"]["open_promises"]) == (1, 2)
    assert workload["user:agent-1"]["promise_keeping_rate"] == 0.0
    assert (workload["user:agent-2"]["active_cases"], workload["user:agent-2"]["promise_keeping_rate"]) == (1, 1.0)
    assert [c["subject"] for c in mine] == ["Refund"]


def test_customer_list_searches_and_pages_by_name(services: Services) -> None:
    for name in ("Carol", "Alice", "Bob", "Alicia"):
        customer(services, name)
    with caught_up(services).views.connect() as conn:
        first = list_customers(conn, limit=2)
        second = list_customers(conn, limit=2, cursor=first.next_cursor)
        found = list_customers(conn, search="ALI")
    assert [c["name"] for c in first.items + second.items] == ["Alice", "Alicia", "Bob", "Carol"]
    assert [c["name"] for c in found.items] == ["Alice", "Alicia"]


def test_rotting_deals_are_open_deals_without_activity_for_the_stage_limit(services: Services) -> None:
    app, ann = services.app, customer(services, "Ann")
    stale = app.open_deal(customer_id=ann, product_id=None, title="Stale", value=10, owner="user:a",
                          occurred_at=NOW - 40 * DAY, actor="user:a").id
    touched = app.open_deal(customer_id=ann, product_id=None, title="Touched", value=10, owner="user:a",
                            occurred_at=NOW - 40 * DAY, actor="user:a").id
    app.record_touchpoint(customer_id=ann, channel="phone", direction="outbound", kind="sales", subject="Demo",
                          deal_id=touched, occurred_at=NOW - 2 * DAY, actor="user:a")
    engaging = app.open_deal(customer_id=ann, product_id=None, title="Engaging", value=10, owner="user:a",
                             stage="Engaging", occurred_at=NOW - 20 * DAY, actor="user:a").id
    won = app.open_deal(customer_id=ann, product_id=None, title="Won", value=10, owner="user:a",
                        occurred_at=NOW - 90 * DAY, actor="user:a").id
    app.win_deal(won, close_value=10, occurred_at=NOW - 80 * DAY, actor="user:a")
    with caught_up(services).views.connect() as conn:
        default = list_rotting_deals(conn, now=NOW, days=30)
        strict = list_rotting_deals(conn, now=NOW, days=30, days_by_stage={"Engaging": 14})
    assert [d["id"] for d in default] == [str(stale)]
    assert {d["id"] for d in strict} == {str(stale), str(engaging)}
