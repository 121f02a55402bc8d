"""The hand-computed clock scenarios (``tests.unit.sla.test_clocks.SCENARIOS``: Friday evening, a
holiday, a split day, a pause and resume, a reopen, DST changes, a priority change mid-case, a
policy edited after opening...) stored and read back through the SLA projection and its queries,
on SQLite and PostgreSQL: the same due instants, breach instants, overruns and time left."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import NAMESPACE_URL, uuid5

import pytest

from domain.clock import FixedClock
from projections.queries.sla import get_case_sla, list_at_risk, list_breaches
from tests.integration.test_sla_incremental import define_scenario_policies
from tests.unit.sla.scenarios import at, build_case
from tests.unit.sla.test_clocks import SCENARIOS
from web.services import Services, build_services


@pytest.fixture(scope="module")
def services(module_database_url: str) -> Iterator[Services]:
    found = build_services({"DATABASE_URL": module_database_url}, clock=FixedClock(at(1, 1, 9)))
    define_scenario_policies(found)
    yield found
    found.close()


# The projection's reads are as of now: scenarios that look at an instant before their last step
# ("while pending, ...") are for the pure clocks only.
CURRENT = [name for name, (steps, now, _) in SCENARIOS.items() if max(step[1] for step in steps) <= now]


@pytest.mark.parametrize("name", CURRENT)
def test_the_projection_reports_the_hand_computed_scenario(services: Services, name: str) -> None:
    steps, now, expected = SCENARIOS[name]
    case = build_case(steps, uuid5(NAMESPACE_URL, f"/test/scenario/{name}"))
    services.app.save(case)
    services.projection_runner(["sla"]).catch_up()
    with services.views.connect() as conn:
        shown = get_case_sla(conn, case.id, now)
        breaches = [b for b in list_breaches(conn, now, limit=1000) if b["case_id"] == str(case.id)]
        left = [r for r in list_at_risk(conn, now, minutes_left=10**6) if r["case_id"] == str(case.id)]
    assert {(r["target"], r["cycle"]): (r["status"], r["due_at"], r["breached_at"]) for r in shown} == {
        key: found[:3] for key, found in expected.items()}
    assert {(b["target"], b["cycle"]): b["overrun_minutes"] for b in breaches} == {
        key: found[3] for key, found in expected.items() if found[0] == "breached"}
    assert {(r["target"], r["cycle"]): r["remaining_minutes"] for r in left} == {
        key: found[3] for key, found in expected.items() if found[0] == "active"}
