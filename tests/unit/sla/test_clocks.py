"""SLA clocks, scenario by scenario: every due and breach instant computed by hand
(policies and calendar in ``scenarios``; times in the table are Berlin wall-clock times)."""

from __future__ import annotations

from datetime import datetime

import pytest

from domain.sla.clocks import case_clocks, policy_refs
from tests.unit.sla.scenarios import POLICIES, POLICY, ROUND_V1, SPLIT_V1, V1, V2, Step, at, case_events

OPEN = ("open", at(3, 2, 9), {"policy": V1})
ACHIEVED = "achieved"
# name: (steps, now, {(target, cycle): (status, due_at, breached_at, remaining or overrun minutes)})
SCENARIOS: dict[str, tuple[list[Step], datetime, dict[tuple[str, int], tuple[object, ...]]]] = {
    "opened Friday evening: due Monday morning": (
        [("open", at(3, 6, 18, 30), {"policy": V1})], at(3, 9, 10, 30),
        {("first_response", 0): ("breached", at(3, 9, 10), at(3, 9, 10), 30),
         ("resolution", 0): ("active", at(3, 9, 17), None, 390)}),
    "Christmas Eve and Day do not count": (
        [("open", at(12, 23, 16, 30), {"policy": V1}), ("reply", at(12, 28, 9, 20), {}),
         ("resolve", at(12, 28, 15), {})], at(12, 28, 18),
        {("first_response", 0): (ACHIEVED, at(12, 28, 9, 30), None, None),
         ("resolution", 0): (ACHIEVED, at(12, 28, 16, 30), None, None)}),
    "a split day: lunch does not count, nor notes or the acknowledgement": (
        [("open", at(3, 2, 12), {"policy": SPLIT_V1}), ("ack", at(3, 2, 12, 1), {}), ("note", at(3, 2, 12, 10), {}),
         ("reply", at(3, 2, 14, 5), {})], at(3, 2, 14, 30),
        {("first_response", 0): ("breached", at(3, 2, 14), at(3, 2, 14), 5),
         ("resolution", 0): ("active", at(3, 3, 14), None, 390)}),
    "pending on the customer pauses resolution, their reply resumes it": (
        [OPEN, ("reply", at(3, 2, 9, 30), {}), ("pend", at(3, 2, 11), {"reason": "awaiting_customer"}),
         ("customer", at(3, 3, 10), {}), ("reply", at(3, 3, 11), {})], at(3, 3, 15),
        {("first_response", 0): (ACHIEVED, at(3, 2, 10), None, None),
         ("next_response", 1): (ACHIEVED, at(3, 3, 12), None, None),
         ("resolution", 0): ("active", at(3, 3, 16), None, 60)}),
    "while pending, resolution is paused with its time left": (
        [OPEN, ("reply", at(3, 2, 9, 30), {}), ("pend", at(3, 2, 11), {"reason": "awaiting_customer"}),
         ("customer", at(3, 3, 10), {})], at(3, 3, 9),
        {("first_response", 0): (ACHIEVED, at(3, 2, 10), None, None),
         ("resolution", 0): ("paused", None, None, 360)}),
    "on hold pauses resolution too": (
        [OPEN, ("reply", at(3, 2, 9, 30), {}), ("pend", at(3, 2, 11), {"reason": "awaiting_customer"}),
         ("customer", at(3, 3, 10), {}), ("reply", at(3, 3, 11), {}), ("pend", at(3, 3, 15), {"reason": "on_hold"})],
        at(3, 4, 10),
        {("first_response", 0): (ACHIEVED, at(3, 2, 10), None, None),
         ("next_response", 1): (ACHIEVED, at(3, 3, 12), None, None),
         ("resolution", 0): ("paused", None, None, 60)}),
    "reopening resumes resolution with the time already used": (
        [OPEN, ("reply", at(3, 2, 9, 10), {}), ("resolve", at(3, 2, 13), {}), ("reopen", at(3, 4, 9), {})],
        at(3, 4, 14),
        {("first_response", 0): (ACHIEVED, at(3, 2, 10), None, None),
         ("resolution", 0): ("breached", at(3, 4, 13), at(3, 4, 13), 60)}),
    "a customer reply reopens and starts a next-response clock": (
        [OPEN, ("reply", at(3, 2, 9, 10), {}), ("resolve", at(3, 2, 13), {}), ("customer", at(3, 4, 9), {})],
        at(3, 4, 14),
        {("first_response", 0): (ACHIEVED, at(3, 2, 10), None, None),
         ("next_response", 1): ("breached", at(3, 4, 11), at(3, 4, 11), 180),
         ("resolution", 0): ("breached", at(3, 4, 13), at(3, 4, 13), 60)}),
    "spring forward over the weekend: due on Monday's wall clock": (
        [("open", at(3, 27, 16, 30), {"policy": V1})], at(3, 30, 9, 45),
        {("first_response", 0): ("breached", at(3, 30, 9, 30), at(3, 30, 9, 30), 15),
         ("resolution", 0): ("active", at(3, 30, 16, 30), None, 405)}),
    "calendar minutes across spring forward are elapsed time": (
        [("open", at(3, 28, 12), {"policy": ROUND_V1})], at(3, 29, 12, 30),
        {("first_response", 0): ("breached", at(3, 28, 13), at(3, 28, 13), 1350),
         ("resolution", 0): ("active", at(3, 29, 13), None, 30)}),
    "raising the priority re-targets from the opening and breaches at once if overdue": (
        [OPEN, ("priority", at(3, 2, 9, 20), {"priority": "urgent", "policy": V1})], at(3, 2, 9, 40),
        {("first_response", 0): ("breached", at(3, 2, 9, 15), at(3, 2, 9, 20), 25),
         ("resolution", 0): ("active", at(3, 2, 11), None, 80)}),
    "lowering the priority in time gives the longer target": (
        [("open", at(3, 2, 9), {"policy": V1, "priority": "high"}),
         ("priority", at(3, 2, 9, 10), {"priority": "normal", "policy": V1}), ("reply", at(3, 2, 9, 45), {})],
        at(3, 2, 10),
        {("first_response", 0): (ACHIEVED, at(3, 2, 10), None, None),
         ("resolution", 0): ("active", at(3, 2, 17), None, 420)}),
    "a breach stands when the priority is lowered afterwards": (
        [OPEN, ("priority", at(3, 2, 10, 30), {"priority": "low", "policy": V1})], at(3, 2, 11),
        {("first_response", 0): ("breached", at(3, 2, 10), at(3, 2, 10), 60),
         ("resolution", 0): ("active", at(3, 6, 17), None, 2280)}),
    "a pending case already over its new target breaches when the priority rises": (
        [OPEN, ("reply", at(3, 2, 9, 10), {}), ("pend", at(3, 2, 13), {"reason": "awaiting_customer"}),
         ("priority", at(3, 2, 14), {"priority": "urgent", "policy": V1})], at(3, 2, 15),
        {("first_response", 0): (ACHIEVED, at(3, 2, 10), None, None),
         ("resolution", 0): ("breached", at(3, 2, 11), at(3, 2, 14), 120)}),
    "a case opened before a policy edit keeps its version's targets": (
        [OPEN], at(3, 2, 10, 30),
        {("first_response", 0): ("breached", at(3, 2, 10), at(3, 2, 10), 30),
         ("resolution", 0): ("active", at(3, 2, 17), None, 390)}),
    "a case opened after the edit gets the new targets": (
        [("open", at(3, 2, 9), {"policy": V2})], at(3, 2, 10, 30),
        {("first_response", 0): ("active", at(3, 2, 13), None, 150),
         ("resolution", 0): ("active", at(3, 2, 17), None, 390)}),
    "next response runs from the oldest unanswered message, once per cycle": (
        [OPEN, ("reply", at(3, 2, 9, 10), {}), ("customer", at(3, 2, 10), {}), ("customer", at(3, 2, 10, 30), {}),
         ("reply", at(3, 2, 12, 30), {}), ("customer", at(3, 2, 13), {}), ("reply", at(3, 2, 13, 30), {})],
        at(3, 2, 14),
        {("first_response", 0): (ACHIEVED, at(3, 2, 10), None, None),
         ("next_response", 1): ("breached", at(3, 2, 12), at(3, 2, 12), 30),
         ("next_response", 2): (ACHIEVED, at(3, 2, 15), None, None),
         ("resolution", 0): ("active", at(3, 2, 17), None, 180)}),
    "resolving stops every clock, next response included": (
        [OPEN, ("reply", at(3, 2, 9, 10), {}), ("customer", at(3, 2, 10), {}), ("resolve", at(3, 2, 11), {}),
         ("close", at(3, 3, 9), {})], at(3, 9, 12),
        {("first_response", 0): (ACHIEVED, at(3, 2, 10), None, None),
         ("next_response", 1): (ACHIEVED, at(3, 2, 12), None, None),
         ("resolution", 0): (ACHIEVED, at(3, 2, 17), None, None)}),
    "customer messages before the first response start no next-response clock; bots do not answer": (
        [OPEN, ("reply", at(3, 2, 9, 6), {"actor": "system:autoresponder"}), ("customer", at(3, 2, 9, 30), {})],
        at(3, 2, 10, 15),
        {("first_response", 0): ("breached", at(3, 2, 10), at(3, 2, 10), 15),
         ("resolution", 0): ("active", at(3, 2, 17), None, 405)}),
    "a case no policy covered gets targets from its opening when one applies": (
        [("open", at(3, 2, 9), {}), ("priority", at(3, 2, 9, 5), {"priority": "urgent", "policy": V1})],
        at(3, 2, 9, 10),
        {("first_response", 0): ("active", at(3, 2, 9, 15), None, 5),
         ("resolution", 0): ("active", at(3, 2, 11), None, 110)}),
    "a target the new terms lack is no longer measured": (
        [OPEN, ("reply", at(3, 2, 9, 10), {}), ("customer", at(3, 2, 9, 30), {}),
         ("priority", at(3, 2, 9, 40), {"priority": "urgent", "policy": V1})], at(3, 2, 10),
        {("first_response", 0): (ACHIEVED, at(3, 2, 10), None, None),
         ("resolution", 0): ("active", at(3, 2, 11), None, 60)}),
    "no policy, no clocks": (
        [OPEN, ("priority", at(3, 2, 9, 20), {"priority": "high"})], at(3, 2, 12), {}),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_clocks_match_the_hand_computed_scenario(name: str) -> None:
    steps, now, expected = SCENARIOS[name]
    clocks = case_clocks(case_events(steps), POLICIES, now)
    got = {(c.target, c.cycle): (c.status, c.due_at, c.breached_at,
                                 c.overrun if c.status == "breached" else c.remaining) for c in clocks}
    assert got == expected


def test_a_clock_met_exactly_at_its_due_instant_is_achieved_and_one_still_running_is_breached() -> None:
    due = at(3, 2, 10)
    answered = case_clocks(case_events([OPEN, ("reply", due, {})]), POLICIES, due)
    waiting = case_clocks(case_events([OPEN]), POLICIES, due)
    assert (answered[0].status, waiting[0].status, waiting[0].breached_at) == (ACHIEVED, "breached", due)


def test_clocks_as_of_an_earlier_instant_ignore_later_events() -> None:
    events = case_events([OPEN, ("reply", at(3, 2, 11), {})])
    before, after = (case_clocks(events, POLICIES, now)[0] for now in (at(3, 2, 9, 30), at(3, 2, 11)))
    assert (before.status, before.remaining, before.stopped_at) == ("active", 30, None)
    assert (after.status, after.stopped_at) == ("breached", at(3, 2, 11))


def test_clocks_record_the_policy_version_and_priority_they_were_held_to() -> None:
    events = case_events([OPEN, ("priority", at(3, 2, 9, 20), {"priority": "urgent", "policy": V1})])
    first = case_clocks(events, POLICIES, at(3, 2, 9, 40))[0]
    assert (first.policy_id, first.policy_version, first.priority, first.minutes) == (POLICY, 1, "urgent", 15)
    assert policy_refs(events) == {V1}


def test_nothing_is_measured_before_the_case_opened() -> None:
    assert case_clocks(case_events([OPEN]), POLICIES, at(3, 2, 8)) == []


def test_an_event_dated_before_the_previous_one_counts_as_simultaneous() -> None:
    events = case_events([OPEN, ("pend", at(3, 2, 11), {"reason": "on_hold"}), ("resume", at(3, 2, 10), {})])
    resolution = case_clocks(events, POLICIES, at(3, 2, 12))[-1]
    assert (resolution.status, resolution.remaining, resolution.due_at) == ("active", 300, at(3, 2, 17))
