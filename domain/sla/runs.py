"""What SLA clocks measure, from a case's events: when each metric counted time, whatever the targets.

- **first_response** runs from opening to the first public reply by an agent. Internal notes
  (``public=False``), the automatic acknowledgement (``Acknowledged``) and public replies by
  Touchline's own processes (``system:`` actors) do not count. Pending does not pause it:
  the customer is still waiting for an answer.
- **next_response** runs, once first response is over, from the oldest customer message no
  agent has answered to the next public agent reply; each such run is a cycle (1, 2, ...).
  Customer messages while first response runs are answered by the first response, so the
  two never overlap (Zammad's "update time overrides first response" cannot happen).
- **resolution** runs from opening to resolution, paused while the case is pending (on the
  customer or on hold) and while it is resolved; reopening resumes it with the time used so far.
- **Resolving stops every clock**: reply clocks still running at resolution stop too (met,
  unless already breached), so nothing keeps counting on a resolved case (Chatwoot's bug).

Only ``SLA_EVENTS`` matter (other case events, such as the acknowledgement or a rating, are
passed over entirely), and an event dated before the previous one of them counts as
simultaneous with it, so a clock never runs backwards. Each run notes the last event that
changed it (``touched``): between such events only time passes, which is what lets the SLA
projection re-evaluate just the runs an event changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from domain.cases.model import Case
from domain.sla.terms import Target

PolicyRef = tuple[UUID, int]
CLOCK_EVENTS = (Case.Opened, Case.SlaRetargeted, Case.AgentReplied, Case.CustomerReplied, Case.Pended,
                Case.Resumed, Case.Resolved, Case.Reopened)
SLA_EVENTS = (*CLOCK_EVENTS, Case.Assigned, Case.Transferred)  # the clocks, and who holds the case


class TermsChange(NamedTuple):
    """The policy version and priority in force from ``at`` on (``Opened``, ``SlaRetargeted``)."""

    seq: int  # position of the event in the case's stream
    at: datetime
    policy: PolicyRef | None
    priority: str


class Run:
    """One run of one metric: the periods it counted ([start, end), end None while counting)."""

    def __init__(self, kind: str, cycle: int, at: datetime, seq: int) -> None:
        self.kind, self.cycle, self.started_at, self.seq = kind, cycle, at, seq
        self.segments: list[list[Any]] = [[at, None]]
        self.stopped_at: datetime | None = None
        self.touched = seq  # the last event that changed it
        self._crossings: dict[tuple[Target, bool], datetime | None] = {}  # forgotten on every change

    @property
    def counting(self) -> bool:
        return self.segments[-1][1] is None

    def pause(self, at: datetime, seq: int) -> None:
        if self.counting:
            self.segments[-1][1] = at
            self.touched, self._crossings = seq, {}

    def resume(self, at: datetime, seq: int) -> None:
        if not self.counting and self.stopped_at is None:
            self.segments.append([at, None])
            self.touched, self._crossings = seq, {}

    def stop(self, at: datetime, seq: int) -> None:
        if self.stopped_at is None:
            self.pause(at, seq)
            self.stopped_at, self.touched, self._crossings = at, seq, {}

    def restart(self, at: datetime, seq: int) -> None:
        if self.stopped_at is not None:
            self.stopped_at, self.touched, self._crossings = None, seq, {}
        self.resume(at, seq)

    def crossing(self, target: Target, *, open_last: bool = False) -> datetime | None:
        """The first instant it counts with the target used up (None if it never does, or
        not within the ten years a calendar is searched: a target its hours cannot reach)."""
        key = (target, open_last)
        if key not in self._crossings:
            self._crossings[key] = self._crossing(target, open_last)
        return self._crossings[key]

    def _crossing(self, target: Target, open_last: bool) -> datetime | None:
        used = 0.0
        for i, (start, end) in enumerate(self.segments):
            try:
                due = target.basis.add(start, max(0.0, target.minutes - used))
            except ValueError:
                return None
            if end is None or due < end or (open_last and i == len(self.segments) - 1):
                return due
            used += target.basis.minutes_between(start, end)
        return None

    def used(self, target: Target, now: datetime) -> float:
        return sum(target.basis.minutes_between(s, min(e or now, now)) for s, e in self.segments if s < now)


def policy_refs(events: Iterable[Any]) -> set[PolicyRef]:
    """The policy versions a case's events refer to (look their terms up for ``case_clocks``)."""
    return {(e.sla_policy_id, e.sla_policy_version) for e in events
            if isinstance(e, (Case.Opened, Case.SlaRetargeted)) and e.sla_policy_id is not None}


def effective_times(events: Iterable[Any]) -> Iterator[tuple[int, datetime, Any]]:
    """(position in the stream, effective time, event) of each of ``SLA_EVENTS``: its
    ``occurred_at``, or the previous one's when dated before it."""
    last: datetime | None = None
    for seq, e in enumerate(events):
        if isinstance(e, SLA_EVENTS):
            last = max(e.occurred_at, last) if last else e.occurred_at
            yield seq, last, e


def measure(events: Iterable[Any], now: datetime) -> tuple[list[Run], list[TermsChange]]:
    """The runs of every metric and the terms in force over time, from events up to ``now``."""
    runs: list[Run] = []
    terms: list[TermsChange] = []
    first = resolution = reply = None
    for seq, at, e in effective_times(events):
        if e.occurred_at > now:
            break
        if isinstance(e, (Case.Opened, Case.SlaRetargeted)):
            ref = (e.sla_policy_id, e.sla_policy_version) if e.sla_policy_id is not None else None
            terms.append(TermsChange(seq, at, ref, e.priority))
            for run in runs:  # new terms re-target every clock that has not stopped
                if run.stopped_at is None:
                    run.touched = seq
        if isinstance(e, Case.Opened):
            first, resolution = Run("first_response", 0, at, seq), Run("resolution", 0, at, seq)
            runs += [first, resolution]
        elif first is None or resolution is None:
            continue
        elif isinstance(e, Case.AgentReplied) and e.public and not e.actor.startswith("system:"):
            for run in (first, reply):
                if run:
                    run.stop(at, seq)
            reply = None
        elif isinstance(e, Case.CustomerReplied) and first.stopped_at and reply is None:
            reply = Run("next_response", sum(r.kind == "next_response" for r in runs) + 1, at, seq)
            runs.append(reply)
        elif isinstance(e, Case.Pended):
            resolution.pause(at, seq)
        elif isinstance(e, Case.Resumed):
            resolution.resume(at, seq)
        elif isinstance(e, Case.Resolved):
            for run in (first, reply, resolution):
                if run:
                    run.stop(at, seq)
            reply = None
        elif isinstance(e, Case.Reopened):
            resolution.restart(at, seq)
    return runs, terms
