"""The SLA projection and its queries on SQLite and PostgreSQL: breaches appear at query time,
met targets stay met, pauses do not count, compliance is exact, a rebuild gives the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa

from domain.clock import FixedClock
from projections.queries.sla import SlaFilter, get_case_sla, get_compliance, list_at_risk, list_breaches
from projections.verify import verify_projections
from projections.views.sla import sla_targets
from web.services import Services, build_services

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
AGENT = "user:agent-1"
OFFICE = {"timezone": "Europe/Berlin", "hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}}
# Calendar minutes, so every instant below is plain arithmetic on T0.
TARGETS = {"normal": {"first_response": {"minutes": 60, "business_hours": False},
                      "resolution": {"minutes": 240, "business_hours": False}}}


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    found = build_services({"DATABASE_URL": database_url}, clock=FixedClock(T0))
    found.app.define_sla_policy(name="Standard", position=1, conditions=None, targets=TARGETS, calendar=OFFICE,
                                occurred_at=T0, actor="user:admin")
    yield found
    found.close()


def open_case(s: Services, at: datetime = T0) -> UUID:
    customer = s.app.register_customer(name="Ada", occurred_at=at, actor=AGENT).id
    return s.app.open_case(customer_id=customer, subject="Printer jams", channel="email", occurred_at=at,
                           actor=AGENT).id


def reply(s: Services, case_id: UUID, at: datetime) -> None:
    s.app.reply_to_case(case_id, body="On it", occurred_at=at, actor=AGENT)


def query(s: Services, fetch: Any) -> Any:
    s.projection_runner().catch_up()
    with s.views.connect() as conn:
        return fetch(conn)


def first_response(found: list[dict[str, Any]]) -> dict[str, Any]:
    return next(t for t in found if t["target"] == "first_response")


def test_an_overdue_first_response_is_a_breach_at_query_time_without_any_event(services: Services) -> None:
    case_id = open_case(services)
    assert query(services, lambda c: list_breaches(c, minutes(59))) == []
    breaches = query(services, lambda c: list_breaches(c, minutes(61)))
    assert [(b["case_id"], b["target"], b["due_at"], b["breached_at"], b["overrun_minutes"]) for b in breaches] == [
        (str(case_id), "first_response", minutes(60), minutes(60), 1.0)]
    shown = first_response(query(services, lambda c: get_case_sla(c, case_id, minutes(61))))
    assert (shown["status"], shown["breached_at"]) == ("breached", minutes(60))
    stored = query(services, lambda c: c.execute(sa.select(sla_targets.c.status).where(
        sla_targets.c.target == "first_response")).scalar())
    assert stored == "active"  # the breach came from the clock, not from an event


def test_a_reply_before_due_achieves_the_first_response(services: Services) -> None:
    case_id = open_case(services)
    reply(services, case_id, minutes(30))
    shown = first_response(query(services, lambda c: get_case_sla(c, case_id, minutes(500))))
    assert (shown["status"], shown["due_at"], shown["breached_at"]) == ("achieved", minutes(60), None)
    assert [b["target"] for b in query(services, lambda c: list_breaches(c, minutes(200)))] == []


def test_time_pending_on_the_customer_does_not_count_towards_resolution(services: Services) -> None:
    case_id = open_case(services)
    reply(services, case_id, minutes(10))
    services.app.pend_case(case_id, reason="awaiting_customer", occurred_at=minutes(60), actor=AGENT)
    services.app.resume_case(case_id, occurred_at=minutes(180), actor=AGENT)
    found = query(services, lambda c: get_case_sla(c, case_id, minutes(200)))
    resolution = next(t for t in found if t["target"] == "resolution")
    assert (resolution["status"], resolution["due_at"]) == ("active", minutes(240 + 120))


def test_a_breach_still_counting_reports_its_overrun_as_of_the_query(services: Services) -> None:
    case_id = open_case(services)
    reply(services, case_id, minutes(100))  # breached at 60, stopped at 100
    breaches = query(services, lambda c: list_breaches(c, minutes(300), SlaFilter(target="first_response")))
    assert [(b["breached_at"], b["overrun_minutes"], b["stopped_at"]) for b in breaches] == [
        (minutes(60), 40.0, minutes(100))]
    resolution = query(services, lambda c: list_breaches(c, minutes(300), SlaFilter(target="resolution")))
    assert [(b["breached_at"], b["overrun_minutes"]) for b in resolution] == [(minutes(240), 60.0)]


@pytest.fixture
def decided(services: Services) -> Services:
    """Four first responses: met at 20 (a), late at 90 (a), met at 40 (b), never answered (c)."""
    for agent, replied_at in (("user:a", 20), ("user:a", 90), ("user:b", 40), ("user:c", None)):
        case_id = open_case(services)
        services.app.assign_case(case_id, assignee=agent, team="support", occurred_at=minutes(1), actor=AGENT)
        if replied_at is not None:
            reply(services, case_id, minutes(replied_at))
    return services


def test_compliance_counts_met_and_breached_first_responses_per_agent(decided: Services) -> None:
    found = query(decided, lambda c: get_compliance(c, T0, minutes(24 * 60), "agent", minutes(120)))
    assert [(g["group"], g["met"], g["breached"], g["share_met"]) for g in found] == [
        ("user:a", 1, 1, 0.5), ("user:b", 1, 0, 1.0), ("user:c", 0, 1, 0.0)]


def test_compliance_per_target_counts_an_unanswered_overdue_target_as_breached(decided: Services) -> None:
    found = query(decided, lambda c: get_compliance(c, T0, minutes(24 * 60), "target", minutes(120)))
    assert [(g["group"], g["met"], g["breached"], g["share_met"]) for g in found] == [("first_response", 2, 2, 0.5)]


def test_compliance_as_of_a_past_instant_counts_only_what_was_decided_by_then(decided: Services) -> None:
    found = query(decided, lambda c: get_compliance(c, T0, minutes(24 * 60), "target", minutes(120),
                                                    as_of=minutes(50)))
    assert [(g["group"], g["met"], g["breached"]) for g in found] == [("first_response", 2, 0)]


def test_breaches_as_of_a_past_instant_leave_out_later_ones(decided: Services) -> None:
    at_50 = query(decided, lambda c: list_breaches(c, minutes(300), as_of=minutes(50)))
    at_70 = query(decided, lambda c: list_breaches(c, minutes(300), as_of=minutes(70)))
    assert at_50 == []
    assert sorted((b["assignee"], b["overrun_minutes"]) for b in at_70) == [("user:a", 10.0), ("user:c", 10.0)]


@pytest.mark.parametrize(("threshold", "listed"), [
    ({"share": 0.75}, True), ({"share": 0.9}, False), ({"minutes_left": 10}, True), ({"minutes_left": 5}, False),
])
def test_at_risk_lists_targets_past_the_threshold(services: Services, threshold: dict[str, float],
                                                  listed: bool) -> None:
    open_case(services)  # first response due at 60; at 50, 5/6 is used and 10 minutes are left
    found = query(services, lambda c: list_at_risk(c, minutes(50), SlaFilter(target="first_response"), **threshold))
    assert [(r["target"], r["remaining_minutes"]) for r in found] == ([("first_response", 10.0)] if listed else [])


def test_a_rebuild_gives_identical_sla_rows(decided: Services) -> None:
    case_id = open_case(decided)
    reply(decided, case_id, minutes(5))
    decided.app.resolve_case(case_id, resolution="Fixed", occurred_at=minutes(30), actor=AGENT)
    runner = decided.projection_runner()
    runner.catch_up()
    sla = [p for p in runner.projections if p.name == "sla"]
    reports = verify_projections(decided.app, decided.views, sla)
    assert [r.differences for r in reports] == [[]]
    assert reports[0].rows_compared > 10


def test_minutes_left_count_business_minutes_over_a_weekend(services: Services) -> None:
    services.app.define_sla_policy(
        name="Office hours", position=0, conditions={"priority": ["high"]}, calendar=OFFICE,
        targets={"high": {"first_response": {"minutes": 60, "business_hours": True}}},
        occurred_at=T0, actor="user:admin")
    friday = datetime(2026, 3, 6, 15, 30, tzinfo=timezone.utc)  # 16:30 in Berlin: 30 office minutes left today
    customer = services.app.register_customer(name="Ada", occurred_at=friday, actor=AGENT).id
    services.app.open_case(customer_id=customer, subject="Down", channel="email", priority="high",
                           occurred_at=friday, actor=AGENT)
    now = friday + timedelta(minutes=25)  # due Monday 09:30 Berlin, 35 office minutes (64 hours) away
    found = query(services, lambda c: list_at_risk(c, now, minutes_left=40))
    assert [(r["remaining_minutes"], r["due_at"]) for r in found] == [
        (35.0, datetime(2026, 3, 9, 8, 30, tzinfo=timezone.utc))]
