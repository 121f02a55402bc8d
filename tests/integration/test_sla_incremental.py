"""The SLA projection, fed one event per batch, answers exactly what the clocks computed from the
whole history say, attributes each target to whoever held the case when it was decided, and a
rebuild in big batches gives identical rows: on SQLite and PostgreSQL, over random histories."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from uuid import uuid4

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.clock import FixedClock
from domain.sla.clocks import case_clocks, decided_at, held_by, holders
from projections.queries.sla import get_case_sla, list_at_risk
from projections.verify import verify_projections
from projections.views.sla import sla_targets
from tests.unit.sla.scenarios import (
    OFFICE, POLICIES, POLICY, ROUND_V1, SPLIT, SPLIT_V1, TARGETS, Step, at, b, build_case,
)
from tests.unit.sla.test_changed_clocks import handed_over
from tests.unit.sla.test_clock_properties import accepted, by_key
from web.services import Services, build_services

ADMIN = "user:admin"


def define_scenario_policies(s: Services) -> None:
    """The scenarios' policy versions (``tests.unit.sla.scenarios.POLICIES``), stored."""
    app, when = s.app, at(1, 1, 9)
    app.define_sla_policy(id=POLICY, name="Standard", position=1, conditions=None, targets=TARGETS,
                          calendar=OFFICE, occurred_at=when, actor=ADMIN)
    app.revise_sla_policy(POLICY, name="Standard", position=1, conditions=None, calendar=OFFICE, occurred_at=when,
                          targets={**TARGETS, "normal": {**TARGETS["normal"], "first_response": b(240)}}, actor=ADMIN)
    app.define_sla_policy(id=SPLIT_V1[0], name="Split", position=2, conditions=None, targets=TARGETS,
                          calendar=SPLIT, occurred_at=when, actor=ADMIN)
    app.define_sla_policy(id=ROUND_V1[0], name="Round", position=3, conditions=None, calendar=OFFICE, targets={
        "normal": {"first_response": {"minutes": 60, "business_hours": False},
                   "resolution": {"minutes": 1440, "business_hours": False}}}, occurred_at=when, actor=ADMIN)


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    found = build_services({"DATABASE_URL": database_url}, clock=FixedClock(at(1, 1, 9)))
    define_scenario_policies(found)
    yield found
    found.close()


def test_the_projection_agrees_with_the_clocks_of_the_whole_history(services: Services) -> None:
    runner = services.projection_runner(["sla"], batch_size=1)  # every event its own batch

    @settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(handed_over(), st.integers(0, 10 * 1440), st.integers(0, 100))
    def check(steps: list[Step], offset: int, share: int) -> None:
        case = build_case(accepted(steps), uuid4())
        events = list(case.pending_events)
        services.app.save(case)
        runner.catch_up()
        last = max(e.occurred_at for e in events)
        now = last + timedelta(minutes=offset)
        full = by_key(case_clocks(events, POLICIES, now))
        with services.views.connect() as conn:
            shown = {(r["target"], r["cycle"]): r for r in get_case_sla(conn, case.id, now)}
            owners = {(r.target, r.cycle): (r.assignee, r.team) for r in conn.execute(
                sa.select(sla_targets).where(sla_targets.c.case_id == str(case.id), sla_targets.c.status != "dropped"))}
            soon = {(r["target"], r["cycle"]): r["remaining_minutes"] for r in list_at_risk(conn, now, share=share / 100)
                    if r["case_id"] == str(case.id)}
            past = events[0].occurred_at + (last - events[0].occurred_at) * share / 100
            risky = {(r["target"], r["cycle"]): r for r in list_at_risk(conn, now + timedelta(days=365),
                                                                        minutes_left=10**6, as_of=past)
                     if r["case_id"] == str(case.id)}
        assert {k: (c.status, c.due_at, c.breached_at) for k, c in full.items()} == {
            k: (r["status"], r["due_at"], r["breached_at"]) for k, r in shown.items()}
        assert owners == {k: held_by(holders(events), decided_at(c)) for k, c in full.items()}
        assert soon == {k: round(c.remaining or 0, 2) for k, c in full.items()
                        if c.status == "active" and 1 - (c.remaining or 0) / c.minutes >= share / 100}
        then = {k: c for k, c in by_key(case_clocks(events, POLICIES, past)).items() if c.status == "active"}
        assert {k: (r["due_at"], r["remaining_minutes"], r["assignee"]) for k, r in risky.items()} == {
            k: (c.due_at, round(c.remaining or 0, 2), held_by([h for h in holders(events) if h[0] <= past], None)[0])
            for k, c in then.items()}

    check()
    reports = verify_projections(services.app, services.views, [p for p in runner.projections if p.name == "sla"])
    assert [r.differences for r in reports] == [[]]

