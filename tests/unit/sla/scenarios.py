"""Scenario helpers for clock tests: policies on Berlin office hours and a real Case driven step by step.

Office hours are Mon-Fri 09:00-17:00 in Berlin with 24 and 25 December off; 2 March 2026
is a Monday. Times are Berlin wall-clock times, turned into UTC instants by ``at``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo

from domain.cases.model import Case
from domain.sla.clocks import PolicyRef
from domain.sla.terms import PolicyTerms

Step = tuple[str, datetime, dict[str, Any]]

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = ("mon", "tue", "wed", "thu", "fri")
OFFICE = {"timezone": "Europe/Berlin", "hours": {d: [["09:00", "17:00"]] for d in WEEK},
          "holidays": ["2026-12-24", "2026-12-25"]}
SPLIT = {"timezone": "Europe/Berlin", "hours": {d: [["09:00", "12:30"], ["13:30", "17:00"]] for d in WEEK}}


def b(minutes: int) -> dict[str, Any]:
    return {"minutes": minutes, "business_hours": True}


TARGETS = {
    "low": {"first_response": b(240), "resolution": b(2400)},
    "normal": {"first_response": b(60), "next_response": b(120), "resolution": b(480)},
    "high": {"first_response": b(30), "next_response": b(60), "resolution": b(240)},
    "urgent": {"first_response": b(15), "resolution": b(120)},  # no next-response target
}
POLICY = uuid5(NAMESPACE_URL, "/test/sla/standard")
V1: PolicyRef = (POLICY, 1)
V2: PolicyRef = (POLICY, 2)  # the same policy after an edit: normal first response 240 minutes
SPLIT_V1: PolicyRef = (uuid5(NAMESPACE_URL, "/test/sla/split"), 1)
ROUND_V1: PolicyRef = (uuid5(NAMESPACE_URL, "/test/sla/round-the-clock"), 1)
POLICIES = {
    V1: PolicyTerms.of(TARGETS, OFFICE),
    V2: PolicyTerms.of({**TARGETS, "normal": {**TARGETS["normal"], "first_response": b(240)}}, OFFICE),
    SPLIT_V1: PolicyTerms.of(TARGETS, SPLIT),
    ROUND_V1: PolicyTerms.of({"normal": {"first_response": {"minutes": 60, "business_hours": False},
                                         "resolution": {"minutes": 1440, "business_hours": False}}}, OFFICE),
}
AGENT, CUSTOMER = "user:agent-1", "customer:ada"


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN).astimezone(timezone.utc)


def case_events(steps: list[Step]) -> list[Any]:
    """Drive a real Case through the steps and return its events."""
    return list(build_case(steps).collect_events())


CASE_ID = uuid5(NAMESPACE_URL, "/test/case")


def build_case(steps: list[Step], case_id: UUID = CASE_ID) -> Case:
    """A real Case driven through the steps, its events pending (to save it, or collect them)."""
    (_, opened, how), *rest = steps
    policy = how.get("policy")
    case = Case.open(id=case_id, tracking_code="CASE-000001",
                     customer_id=uuid5(NAMESPACE_URL, "/test/ada"), subject="Printer jams", channel="email",
                     priority=how.get("priority", "normal"), sla_policy_id=policy[0] if policy else None,
                     sla_policy_version=policy[1] if policy else None, occurred_at=opened, actor=CUSTOMER)
    for step, when, how in rest:
        actor = how.get("actor", AGENT)
        if step in ("reply", "note"):
            case.reply(body="On it", public=step == "reply", occurred_at=when, actor=actor)
        elif step == "ack":
            case.acknowledge(message_id="<ack@touchline>", occurred_at=when, actor="system:mailer")
        elif step == "customer":
            case.customer_reply(body="Any news?", channel="email", occurred_at=when, actor=CUSTOMER)
        elif step == "pend":
            case.pend(reason=how["reason"], occurred_at=when, actor=actor)
        elif step in ("resume", "close"):
            getattr(case, step)(occurred_at=when, actor=actor)
        elif step == "resolve":
            case.resolve(resolution="Replaced the roller", occurred_at=when, actor=actor)
        elif step == "reopen":
            case.reopen(reason="Still jams", occurred_at=when, actor=actor)
        elif step == "assign":
            case.assign(assignee=how["to"], team=how.get("team"), occurred_at=when, actor=actor)
        elif step == "transfer":
            case.transfer(to_assignee=how["to"], to_team=how.get("team"), note="Handover", occurred_at=when,
                          actor=actor)
        elif step == "priority":  # as the Application does: the change, then the policy now in force
            case.change_priority(priority=how["priority"], occurred_at=when, actor=actor)
            ref = how.get("policy")
            case.retarget_sla(policy_id=ref and ref[0], policy_version=ref and ref[1], occurred_at=when, actor=actor)
    return case
