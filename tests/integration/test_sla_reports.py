"""SLA reports on SQLite and PostgreSQL: targets belong to whoever held the case when they were met
or breached (not whoever holds it now), at-risk as of a past instant, compliance per period."""

from __future__ import annotations

from uuid import UUID

import pytest

from projections.queries.sla import SlaFilter, get_case_sla, get_compliance, list_at_risk, list_breaches
from tests.integration.test_sla_projection import AGENT, T0, minutes, open_case, query, reply, services  # noqa: F401
from web.services import Services

FIRST = SlaFilter(target="first_response")


def assign(s: Services, case_id: UUID, agent: str, team: str, at: float) -> None:
    s.app.assign_case(case_id, assignee=agent, team=team, occurred_at=minutes(at), actor=AGENT)


def transfer(s: Services, case_id: UUID, agent: str, team: str, at: float) -> None:
    s.app.transfer_case(case_id, to_assignee=agent, to_team=team, note="Handover", occurred_at=minutes(at),
                        actor=AGENT)


@pytest.fixture
def handed_over(services: Services) -> Services:  # noqa: F811 - the fixture imported above
    """First responses due at 60: one breached by ann and handed to bob afterwards (who answers at
    100), one met by ann at 30 and handed to bob at 40, one bob got before it breached."""
    late, met, early = open_case(services), open_case(services), open_case(services)
    for case_id in (late, met, early):
        assign(services, case_id, "user:ann", "support", 1)
    transfer(services, late, "user:bob", "second-line", 90)
    reply(services, late, minutes(100))
    reply(services, met, minutes(30))
    transfer(services, met, "user:bob", "second-line", 40)
    transfer(services, early, "user:bob", "second-line", 50)
    return services


def test_compliance_per_agent_counts_a_breach_for_whoever_held_the_case_when_it_breached(
    handed_over: Services
) -> None:
    found = query(handed_over, lambda c: get_compliance(c, T0, minutes(1440), "agent", minutes(120), FIRST))
    assert [(g["group"], g["met"], g["breached"]) for g in found] == [("user:ann", 1, 1), ("user:bob", 0, 1)]


def test_compliance_per_team_follows_the_same_holder(handed_over: Services) -> None:
    found = query(handed_over, lambda c: get_compliance(c, T0, minutes(1440), "team", minutes(120), FIRST))
    assert [(g["group"], g["met"], g["breached"]) for g in found] == [("second-line", 0, 1), ("support", 1, 1)]


def test_a_breach_lists_the_agent_it_happened_under(handed_over: Services) -> None:
    breaches = query(handed_over, lambda c: list_breaches(c, minutes(120), FIRST))
    assert sorted((b["assignee"], b["team"], b["breached_at"]) for b in breaches) == [
        ("user:ann", "support", minutes(60)), ("user:bob", "second-line", minutes(60))]


def test_a_running_target_moves_with_the_case(handed_over: Services) -> None:
    resolution = SlaFilter(target="resolution")
    at_risk = query(handed_over, lambda c: list_at_risk(c, minutes(200), resolution, share=0.5))
    assert {r["assignee"] for r in at_risk} == {"user:bob"}


def test_at_risk_as_of_a_past_instant_lists_a_target_answered_since(services: Services) -> None:  # noqa: F811
    case_id = open_case(services)
    assign(services, case_id, "user:ann", "support", 1)
    reply(services, case_id, minutes(55))  # first response due at 60: at 50 it had 10 minutes left
    then = query(services, lambda c: list_at_risk(c, minutes(120), FIRST, share=0.75, as_of=minutes(50)))
    assert [(r["case_id"], r["remaining_minutes"], r["due_at"], r["assignee"]) for r in then] == [
        (str(case_id), 10.0, minutes(60), "user:ann")]
    assert query(services, lambda c: list_at_risk(c, minutes(120), FIRST, as_of=minutes(40), share=0.75)) == []
    assert query(services, lambda c: list_at_risk(c, minutes(120), FIRST, share=0.75)) == []


def test_compliance_per_day_week_and_month_groups_by_the_instant_of_the_decision(
    services: Services  # noqa: F811
) -> None:
    for days in (0, 1, 8):  # Monday 2 March, Tuesday 3 March, Tuesday 10 March: met at 09:30 UTC
        case_id = open_case(services, minutes(days * 1440))
        reply(services, case_id, minutes(days * 1440 + 30))
    args = (T0, minutes(40 * 1440), minutes(40 * 1440))

    def groups(unit: str) -> list[tuple[str, int]]:
        found = query(services, lambda c: get_compliance(c, *args[:2], unit, args[2], FIRST))
        return [(g["group"], g["met"]) for g in found]
    assert groups("day") == [("2026-03-02", 1), ("2026-03-03", 1), ("2026-03-10", 1)]
    assert groups("week") == [("2026-03-02", 2), ("2026-03-09", 1)]
    assert groups("month") == [("2026-03", 3)]


def test_a_target_a_retarget_took_away_is_still_at_risk_as_of_before_it(services: Services) -> None:  # noqa: F811
    case_id = open_case(services)  # the policy has targets for normal priority only
    services.app.change_case_priority(case_id, priority="high", occurred_at=minutes(55), actor=AGENT)
    assert query(services, lambda c: get_case_sla(c, case_id, minutes(120))) == []
    then = query(services, lambda c: list_at_risk(c, minutes(120), FIRST, share=0.75, as_of=minutes(50)))
    assert [(r["case_id"], r["remaining_minutes"]) for r in then] == [(str(case_id), 10.0)]
