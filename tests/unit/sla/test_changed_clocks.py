"""Re-evaluating only the clocks each event changed (what the SLA projection stores) agrees with
computing every clock from the whole history; and attribution follows the case's holders."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.sla.clocks import TargetClock, case_clocks, changed_clocks, decided_at, held_by, holders
from tests.unit.sla.scenarios import POLICIES, V1, Step, at, case_events
from tests.unit.sla.test_clock_properties import by_key, events_of, histories

AGENTS = ("user:ann", "user:bob", "user:cy")


@st.composite
def handed_over(draw: st.DrawFn) -> list[Step]:
    """A random history with assignments and transfers between the other steps."""
    steps = draw(histories())
    mixed = steps[:1]
    for step in steps[1:]:
        if draw(st.booleans()):
            kind = draw(st.sampled_from(("assign", "transfer")))
            mixed.append((kind, step[1], {"to": draw(st.sampled_from(AGENTS)), "team": draw(st.sampled_from("ab"))}))
        mixed.append(step)
    return mixed


def stored_clocks(events: list[Any]) -> dict[tuple[str, int], TargetClock]:
    """The clocks as the projection keeps them: each as of the last event that changed it."""
    stored: dict[tuple[str, int], TargetClock | None] = {}
    for i in range(1, len(events) + 1):
        stored.update(changed_clocks(events[:i], POLICIES))
    return {key: clock for key, clock in stored.items() if clock is not None}


def as_seen_at(clock: TargetClock, now: datetime) -> tuple[object, ...]:
    """What a query makes of a stored clock at ``now``: an active one past due is a breach at due."""
    if clock.status == "active" and clock.due_at and clock.due_at <= now:
        return ("breached", clock.due_at, clock.due_at, clock.stopped_at)
    return (clock.status, clock.due_at, clock.breached_at, clock.stopped_at)


@settings(max_examples=300, deadline=None)
@given(handed_over(), st.integers(0, 20 * 1440))
def test_clocks_kept_event_by_event_agree_with_clocks_from_the_whole_history(steps: list[Step], offset: int) -> None:
    events = events_of(steps)
    now = max(e.occurred_at for e in events) + timedelta(minutes=offset)
    full, stored = by_key(case_clocks(events, POLICIES, now)), stored_clocks(events)
    assert set(stored) == set(full)
    for key, clock in stored.items():
        assert as_seen_at(clock, now) == (full[key].status, full[key].due_at, full[key].breached_at,
                                          full[key].stopped_at)
        assert (clock.started_at, clock.policy_version, clock.priority, clock.minutes) == (
            full[key].started_at, full[key].policy_version, full[key].priority, full[key].minutes)


def test_a_breach_is_attributed_to_the_agent_who_held_the_case_then_not_to_a_later_one() -> None:
    events = case_events([("open", at(3, 2, 9), {"policy": V1}), ("assign", at(3, 2, 9, 5), {"to": "user:ann"}),
                          ("transfer", at(3, 2, 11), {"to": "user:bob", "team": "second-line"}),
                          ("reply", at(3, 2, 11, 30), {})])
    first = by_key(case_clocks(events, POLICIES, at(3, 2, 12)))[("first_response", 0)]
    assert (first.status, first.breached_at) == ("breached", at(3, 2, 10))
    assert held_by(holders(events), decided_at(first)) == ("user:ann", None)
    assert held_by(holders(events), None) == ("user:bob", "second-line")


def test_a_hand_over_at_the_very_instant_of_the_decision_does_not_take_it_over() -> None:
    events = case_events([("open", at(3, 2, 9), {"policy": V1}), ("assign", at(3, 2, 9), {"to": "user:ann"}),
                          ("reply", at(3, 2, 9, 30), {}), ("transfer", at(3, 2, 9, 30), {"to": "user:bob"})])
    first = by_key(case_clocks(events, POLICIES, at(3, 2, 10)))[("first_response", 0)]
    assert (first.status, held_by(holders(events), decided_at(first))) == ("achieved", ("user:ann", None))
