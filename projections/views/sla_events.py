"""The SLA projection's own copy of each case's SLA events, as compact JSON.

The projection reads only its own tables, so it keeps what ``domain.sla.runs`` and the
attribution of targets read of every event in ``domain.sla.runs.SLA_EVENTS`` (opening,
replies, pauses, resolution, re-targets, assignments); queries rebuild events from it to
recompute clocks as of any instant.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from domain.cases.model import Case
from domain.sla.runs import SLA_EVENTS

_KINDS = {cls.__name__: cls for cls in SLA_EVENTS}
_policy_id = lru_cache(maxsize=1024)(UUID)  # a few policies, named by every case: parsed once


def compact(e: Any) -> dict[str, Any]:
    """What the clocks and their attribution read of an event, as JSON."""
    data: dict[str, Any] = {"kind": type(e).__name__, "at": e.occurred_at.isoformat()}
    if isinstance(e, (Case.Opened, Case.SlaRetargeted)):
        data.update(policy=str(e.sla_policy_id) if e.sla_policy_id else None, version=e.sla_policy_version,
                    priority=e.priority)
    if isinstance(e, Case.Opened):
        data.update(team=e.team)
    elif isinstance(e, Case.AgentReplied):
        data.update(public=e.public, actor=e.actor)
    elif isinstance(e, Case.Assigned):
        data.update(assignee=e.assignee, team=e.team)
    elif isinstance(e, Case.Transferred):
        data.update(assignee=e.to_assignee, team=e.to_team)
    return data


def case_events(stored: list[dict[str, Any]]) -> list[Any]:
    """Events rebuilt from ``compact`` data, carrying only what is read of them. Built without
    their constructors (which want every field, bodies included): the readers look at
    attributes and classes, nothing else."""
    found = []
    for data in stored:
        cls = _KINDS[data["kind"]]
        event = object.__new__(cls)
        attributes: dict[str, Any] = {"occurred_at": datetime.fromisoformat(data["at"])}
        if "priority" in data:
            attributes.update(sla_policy_id=_policy_id(data["policy"]) if data["policy"] else None,
                              sla_policy_version=data["version"], priority=data["priority"])
        if "public" in data:
            attributes.update(public=data["public"], actor=data["actor"])
        if cls is Case.Opened:
            attributes.update(team=data.get("team"))
        elif cls is Case.Assigned:
            attributes.update(assignee=data["assignee"], team=data["team"])
        elif cls is Case.Transferred:
            attributes.update(to_assignee=data["assignee"], to_team=data["team"])
        event.__dict__.update(attributes)
        found.append(event)
    return found
