"""SLA clocks of one case, computed from its events alone: a pure function of history and ``now``.

What each clock measures is in ``domain.sla.runs``.

Targets and terms: the case records the policy version that applies (``Opened``) and, on a
priority change, the one that applies now (``SlaRetargeted``, with the new priority). A
clock is held to the terms in force when it starts; when they change while it runs, its due
instant is recomputed from its original start with the new target (and the new policy's
calendar), as Zendesk and Freshdesk do. A breach is a fact: a clock breached under the old
terms stays breached, with them; a clock the new terms make overdue breaches at the moment
they apply, even while paused (``breached_at`` = the change, ``due_at`` = the earlier
instant): breaches are never backdated.
Terms that come into force the instant a clock stops do not apply to it. A kind without a
target in the terms in force is not reported (unless it breached while it had one).

Each clock gets a status as of ``now`` (only events with ``occurred_at <= now`` count):
- **active**: counting; ``due_at`` is when its time runs out, ``remaining`` what is left.
- **paused**: ``due_at`` None, ``remaining`` frozen (it may be 0: paused at its due instant,
  it breaches the moment it counts again).
- **achieved**: stopped in time; ``due_at`` is the due instant as it stood when it stopped
  (None if it stopped while paused).
- **breached**: ``breached_at`` is when its time ran out (or when terms it already exceeded
  came into force); ``overrun`` the minutes counted beyond the target, growing until it stops.
A clock stopping exactly at its due instant is achieved; one still counting then is breached.
``used`` is the time counted so far. Minutes are in the target's own basis: business minutes
of the policy's calendar, or calendar (elapsed) minutes. Events whose ``occurred_at`` goes
backwards count as simultaneous with the one before, so a clock never runs backwards.

Attribution (compliance per agent and team): a target belongs to whoever held the case when
its outcome was decided: when it was met (``stopped_at``), when it breached (``breached_at``),
or, still counting, when it will breach (``due_at``); a paused one to the current holder. A
hand-over at that very instant does not count: the previous holder let it come to that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.cases.model import Case
from domain.sla.runs import PolicyRef, Run, TermsChange, effective_times, measure, policy_refs
from domain.sla.shape import TARGET_KINDS
from domain.sla.terms import PolicyTerms, Target

__all__ = ["PolicyRef", "TargetClock", "case_clocks", "changed_clocks", "decided_at", "held_by", "holders",
           "policy_refs"]
Holder = tuple[datetime, str | None, str | None]  # from (effective time), assignee, team


@dataclass(frozen=True)
class TargetClock:
    target: str  # first_response, next_response or resolution
    cycle: int  # 0, or 1, 2... for next_response
    status: str  # active, paused, achieved, breached
    started_at: datetime
    due_at: datetime | None
    breached_at: datetime | None
    stopped_at: datetime | None  # reply or resolution that ended it (None while it may still count)
    used: float  # minutes counted so far (until it stopped, or now)
    remaining: float | None  # active or paused: minutes - used
    overrun: float | None  # breached: used - minutes
    minutes: int
    business_hours: bool
    policy_id: UUID
    policy_version: int
    priority: str


def _target(policies: Mapping[PolicyRef, PolicyTerms], terms: TermsChange, kind: str) -> Target | None:
    return policies[terms.policy].target(terms.priority, kind) if terms.policy else None


def _clock(run: Run, target: Target, terms: TermsChange, now: datetime, status: str, due_at: datetime | None,
           breached_at: datetime | None = None) -> TargetClock:
    assert terms.policy is not None
    used = run.used(target, run.stopped_at or now)
    return TargetClock(
        target=run.kind, cycle=run.cycle, status=status, started_at=run.started_at, due_at=due_at,
        breached_at=breached_at, stopped_at=run.stopped_at, used=used,
        remaining=target.minutes - used if status in ("active", "paused") else None,
        overrun=used - target.minutes if status == "breached" else None,
        minutes=target.minutes, business_hours=target.business_hours, policy_id=terms.policy[0],
        policy_version=terms.policy[1], priority=terms.priority,
    )


def _breach(run: Run, target: Target, since: datetime, until: datetime | None,
            now: datetime) -> tuple[datetime, datetime] | None:
    """(due_at, breached_at) if the run breaches ``target`` while it is in force, from
    ``since`` until ``until`` (None: from then on, as far as ``now``)."""
    due = run.crossing(target)
    if due is None:
        return None
    breach = max(due, since)  # over the new target already: breached the moment it applies
    if breach >= until if until else breach > now:
        return None
    return due, breach


def _evaluate(run: Run, terms: list[TermsChange], policies: Mapping[PolicyRef, PolicyTerms],
              now: datetime) -> TargetClock | None:
    # The terms in force when the run started, then every change before it stopped counting.
    periods = [[t for t in terms if t.seq <= run.seq][-1],
               *(t for t in terms if t.seq > run.seq and (run.stopped_at is None or t.at < run.stopped_at))]
    for i, period in enumerate(periods):
        target = _target(policies, period, run.kind)
        until = periods[i + 1].at if i + 1 < len(periods) else None
        found = _breach(run, target, period.at, until, now) if target else None
        if target and found:
            return _clock(run, target, period, now, "breached", *found)
    target = _target(policies, periods[-1], run.kind)
    if target is None:
        return None
    if run.stopped_at:
        stopped_counting = run.segments[-1][1] == run.stopped_at
        return _clock(run, target, periods[-1], now, "achieved",
                      run.crossing(target, open_last=True) if stopped_counting else None)
    if run.counting:
        return _clock(run, target, periods[-1], now, "active", run.crossing(target))
    return _clock(run, target, periods[-1], now, "paused", None)


def case_clocks(events: Iterable[Any], policies: Mapping[PolicyRef, PolicyTerms], now: datetime) -> list[TargetClock]:
    """Every SLA clock of the case whose events (in stream order) are given, as of ``now``;
    ``policies`` holds the terms of each version in ``policy_refs(events)``."""
    runs, terms = measure(events, now)
    clocks = [c for c in (_evaluate(r, terms, policies, now) for r in runs) if c is not None]
    return sorted(clocks, key=lambda c: (TARGET_KINDS.index(c.target), c.cycle))


def changed_clocks(events: Sequence[Any], policies: Mapping[PolicyRef, PolicyTerms]) -> dict[tuple[str, int],
                                                                                             TargetClock | None]:
    """The clocks the last of ``events`` started or changed, as of that event, by (target,
    cycle); None for one no longer measured. Every other clock is as it was after the event
    that last changed it, but for time passing: ``case_clocks`` at any later instant agrees."""
    now = max(e.occurred_at for e in events)
    runs, terms = measure(events, now)
    last = len(events) - 1
    return {(r.kind, r.cycle): _evaluate(r, terms, policies, now) for r in runs if r.touched == last}


def decided_at(clock: TargetClock) -> datetime | None:
    """The instant that decides whom the clock is attributed to (None while paused: now)."""
    return {"achieved": clock.stopped_at, "breached": clock.breached_at, "active": clock.due_at}.get(clock.status)


def holders(events: Iterable[Any]) -> list[Holder]:
    """Who held the case from when: the opening's team, then each assignment and transfer."""
    found: list[Holder] = []
    for _, at, e in effective_times(events):
        if isinstance(e, Case.Opened):
            found.append((at, None, e.team))
        elif isinstance(e, Case.Assigned):
            found.append((at, e.assignee, e.team))
        elif isinstance(e, Case.Transferred):
            found.append((at, e.to_assignee, e.to_team))
    return found


def held_by(found: Sequence[Holder], instant: datetime | None) -> tuple[str | None, str | None]:
    """(assignee, team) holding the case just before ``instant`` (None: the latest holder)."""
    holder = found[0] if found else (None, None, None)
    for candidate in found[1:]:
        if instant is not None and candidate[0] >= instant:
            break
        holder = candidate
    return holder[1], holder[2]
