"""Clock invariants over random case histories: breaches are facts that later instants keep,
statuses agree with their numbers, and remaining time is what the calendar says is left."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.sla.clocks import TargetClock, case_clocks
from tests.unit.sla.scenarios import POLICIES, ROUND_V1, SPLIT_V1, V1, V2, Step, at, case_events

ACTIONS = ("reply", "note", "customer", "pend", "resume", "resolve", "reopen", "priority")
PRIORITIES = ("low", "normal", "high", "urgent")
REFS = (V1, V2, SPLIT_V1, ROUND_V1, None)


@st.composite
def histories(draw: st.DrawFn) -> list[Step]:
    when = at(3, 6, 8) + timedelta(minutes=draw(st.integers(0, 4 * 1440)))  # around a weekend
    ref = draw(st.sampled_from(REFS))
    steps: list[Step] = [("open", when, {"policy": ref, "priority": draw(st.sampled_from(PRIORITIES))})]
    for _ in range(draw(st.integers(0, 12))):
        when += timedelta(minutes=draw(st.integers(0, 900)))
        action = draw(st.sampled_from(ACTIONS))
        how: dict[str, Any] = {}
        if action == "pend":
            how = {"reason": draw(st.sampled_from(("awaiting_customer", "on_hold")))}
        elif action == "priority":
            how = {"priority": draw(st.sampled_from(PRIORITIES)), "policy": draw(st.sampled_from(REFS))}
        steps.append((action, when, how))
    return steps


def accepted(steps: list[Step]) -> list[Step]:
    """The steps the Case accepts, in order, skipping refused ones."""
    kept: list[Step] = steps[:1]
    for step in steps[1:]:
        try:
            case_events([*kept, step])
        except DomainError:
            continue
        kept.append(step)
    return kept


def events_of(steps: list[Step]) -> list[Any]:
    """The events of the steps the Case accepts."""
    return case_events(accepted(steps))


def by_key(clocks: list[TargetClock]) -> dict[tuple[str, int], TargetClock]:
    return {(c.target, c.cycle): c for c in clocks}


@settings(max_examples=200, deadline=None)
@given(histories(), st.lists(st.integers(0, 20 * 1440), min_size=2, max_size=4))
def test_breaches_are_never_backdated_and_once_seen_stay_the_same(steps: list[Step], offsets: list[int]) -> None:
    events = events_of(steps)
    breached: dict[tuple[str, int], TargetClock] = {}
    fine_at: dict[tuple[str, int], datetime] = {}  # the last instant a clock was seen not breached
    for now in sorted(steps[0][1] + timedelta(minutes=m) for m in offsets):
        clocks = by_key(case_clocks(events, POLICIES, now))
        for key, clock in clocks.items():
            if key in breached:
                assert (clock.status, clock.due_at, clock.breached_at) == (
                    "breached", breached[key].due_at, breached[key].breached_at)
            elif clock.status == "breached":
                assert clock.breached_at and (key not in fine_at or clock.breached_at > fine_at[key])
                breached[key] = clock
            else:
                fine_at[key] = now
        assert set(breached) <= set(clocks)


@settings(max_examples=200, deadline=None)
@given(histories(), st.integers(0, 20 * 1440))
def test_every_status_agrees_with_its_instants_and_minutes(steps: list[Step], offset: int) -> None:
    now: datetime = steps[0][1] + timedelta(minutes=offset)
    for clock in case_clocks(events_of(steps), POLICIES, now):
        left = clock.minutes - clock.used
        if clock.status == "breached":
            assert clock.due_at and clock.breached_at and clock.due_at <= clock.breached_at <= now
            assert clock.overrun == -left and left <= 0
            assert clock.stopped_at is None or clock.breached_at < clock.stopped_at
        elif clock.status == "achieved":  # stopped within its time (possibly paused at the due instant)
            assert clock.stopped_at and left >= 0
            assert clock.due_at is None or clock.stopped_at <= clock.due_at or left == 0
        elif clock.status == "active":
            assert clock.due_at and clock.due_at > now and clock.remaining == left and left > 0
            target = POLICIES[(clock.policy_id, clock.policy_version)].target(clock.priority, clock.target)
            assert target and abs(target.basis.minutes_between(now, clock.due_at) - left) < 1e-6
        else:
            assert clock.status == "paused" and clock.due_at is None and clock.remaining == left and left >= 0
