"""Contact rates and agent workload read counts the projections keep with their rows: over a
generated history (corrections, retractions, reopens, reassignments, an erasure, back-dated
contacts), caught up in small batches, they equal the figures counted from every row, and a
rebuild from zero gives the same count rows. Both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from domain.clock import FixedClock
from projections.queries.service import get_agent_workload, get_contact_rates
from projections.verify import verify_projections
from projections.views.cases import (
    CasesProjection,
    assignee_cases,
    cases,
    resolved_days,
)
from projections.views.periods import DAY as DAY_UNIT
from projections.views.periods import MONTH, YEAR, day_of
from projections.views.promises import PromisesProjection, owner_promises
from projections.views.touchpoints import (
    TouchpointsProjection,
    inbound_days,
    touchpoints,
)
from tests.integration.counters_support import (
    AGENTS,
    DAY,
    MIDNIGHT,
    NOW,
    History,
    agent_workload_from_rows,
    contact_rates_from_rows,
)
from web.services import Services, build_services

SINCES = (None, MIDNIGHT - 6 * DAY, MIDNIGHT - 6 * DAY + timedelta(hours=7, minutes=13, seconds=5),
          MIDNIGHT - 30 * DAY - timedelta(microseconds=1), MIDNIGHT, NOW, NOW + DAY, NOW - 500 * DAY,
          # Where the counts switch from days to months to years: a month's and a year's first
          # day, the instant before, and the days around them.
          *(edge + shift for edge in (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC),
                                      datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC))
            for shift in (-DAY, -timedelta(microseconds=1), timedelta(0), timedelta(hours=1), DAY)))
WINDOWS = (1, 3, 7, 30, 365)


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    found = build_services({"DATABASE_URL": database_url}, clock=FixedClock(NOW))
    yield found
    found.close()


@pytest.fixture
def history(services: Services) -> History:
    found = History(services, seed=5)
    found.write(400)
    return found


def test_contact_rates_from_counts_equal_the_rates_counted_from_every_row(history: History) -> None:
    with history.s.views.connect() as conn:
        # Also at and just after the instants of contacts and openings: the partial first day's edges.
        instants = [r[0] for r in conn.execute(sa.select(touchpoints.c.occurred_at).order_by(touchpoints.c.id).limit(15))]
        instants += [r[0] for r in conn.execute(sa.select(cases.c.opened_at).order_by(cases.c.id).limit(15))]
        for since in (*SINCES, *instants, *(i + timedelta(microseconds=1) for i in instants)):
            for within_days in WINDOWS:
                assert get_contact_rates(conn, since=since, within_days=within_days) == contact_rates_from_rows(
                    conn, since=since, within_days=within_days), (since, within_days)
        everything = get_contact_rates(conn, within_days=7)
    assert everything["inbound_contacts"] > 50 and everything["repeat_contacts"] > 5
    assert everything["resolved_cases"] > 5 and everything["resolved_first_contact"] > 0


def test_workload_from_counts_equals_the_workload_counted_from_every_row(history: History) -> None:
    with history.s.views.connect() as conn:
        for now in (NOW, NOW - 5 * DAY, NOW + 10 * DAY, NOW - 400 * DAY):
            assert get_agent_workload(conn, now=now) == agent_workload_from_rows(conn, now=now), now
        workload = get_agent_workload(conn, now=NOW)
    assert {w["agent"] for w in workload} == set(AGENTS)
    assert all(sum(w[figure] for w in workload) > 0 for figure in ("active_cases", "overdue_promises", "kept_on_time"))


def test_a_rebuild_from_zero_gives_the_same_counts_as_following_in_small_batches(history: History) -> None:
    reports = verify_projections(history.s.app, history.s.views,
                                 [TouchpointsProjection(), CasesProjection(), PromisesProjection()])
    assert [r.differences for r in reports] == [[], [], []]
    with history.s.views.connect() as conn:
        counted = {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                   for t in (inbound_days, resolved_days, assignee_cases, owner_promises)}
    assert all(n > 0 for n in counted.values()), counted


def count_rows(s: Services) -> dict[str, list[dict[str, Any]]]:
    with s.views.connect() as conn:
        return {t.name: [dict(r) for r in conn.execute(sa.select(t)).mappings()]
                for t in (inbound_days, resolved_days, assignee_cases, owner_promises)}


def test_a_count_row_goes_when_what_it_counted_is_gone(services: Services) -> None:
    app, runner = services.app, services.projection_runner()
    ann = app.register_customer(name="Ann", occurred_at=NOW - 9 * DAY, actor=AGENTS[0]).id
    touch = app.record_touchpoint(customer_id=ann, channel="phone", direction="inbound", kind="inquiry",
                                  subject="Router", occurred_at=NOW - 2 * DAY, actor=AGENTS[0]).id
    case = app.open_case(customer_id=ann, subject="Router", channel="phone", occurred_at=NOW - 2 * DAY,
                         actor=AGENTS[0]).id
    app.assign_case(case, assignee="user:ann", occurred_at=NOW - DAY, actor=AGENTS[0])
    promise = app.make_promise(customer_id=ann, what="Call", due_at=NOW + DAY, owner="user:bob", channel="phone",
                               occurred_at=NOW - DAY, actor=AGENTS[0]).id
    runner.catch_up()
    day, march, year = day_of(NOW - 2 * DAY), day_of(datetime(2026, 3, 1, tzinfo=UTC)), day_of(datetime(2026, 1, 1, tzinfo=UTC))
    periods = [(DAY_UNIT, day), (MONTH, march), (YEAR, year)]  # NOW is 2026-03-20
    assert count_rows(services) == {
        "inbound_days": [{"node": 0, "unit": unit, "day": first, "contacts": 1} for unit, first in periods],
        "resolved_days": [], "assignee_cases": [{"assignee": "user:ann", "active": 1}],
        "owner_promises": [{"owner": "user:bob", "open": 1, "kept": 0, "kept_on_time": 0}]}
    app.retract_touchpoint(touch, reason="wrong customer", occurred_at=NOW, actor=AGENTS[0])
    app.resolve_case(case, resolution="done", occurred_at=NOW, actor=AGENTS[0])
    app.cancel_promise(promise, reason="moot", occurred_at=NOW, actor=AGENTS[0])
    runner.catch_up()
    assert count_rows(services) == {
        "inbound_days": [], "resolved_days": [{"unit": unit, "day": first, "resolved": 1, "first_contact": 1}
                                              for unit, first in periods],
        "assignee_cases": [], "owner_promises": []}


@pytest.mark.parametrize("within_days", [0, 366])
def test_contact_rates_refuse_a_window_the_counts_cannot_answer(services: Services, within_days: int) -> None:
    with services.views.connect() as conn, pytest.raises(ValueError, match="within_days"):
        get_contact_rates(conn, within_days=within_days)
