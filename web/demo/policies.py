"""The demo's SLA policies: defined once, before the history they cover.

Their ids are fixed (one demo namespace, not per seed), so every demo shares them and a
re-run stores nothing. Targets are tuned to the demo's reply timings (``web.demo.cases``):
most are met, a visible share breached, and recent cases' targets run close to now.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.application import Touchline
from domain.errors import AlreadyExistsError
from web.demo.population import ACTOR


def _policy_id(name: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/demo/sla-policy/{name}")


def _targets(first: int, following: int, resolution: int, *, business_hours: bool) -> dict[str, Any]:
    return {kind: {"minutes": minutes, "business_hours": business_hours} for kind, minutes in
            (("first_response", first), ("next_response", following), ("resolution", resolution))}


_WEEKDAYS = ("mon", "tue", "wed", "thu")
OFFICE = {"timezone": "America/Chicago",  # the agents' office (see ``web.demo.timeline``)
          "hours": {**{d: [["08:00", "18:00"]] for d in _WEEKDAYS}, "fri": [["08:00", "12:00"], ["13:00", "18:00"]]}}
ROUND_THE_CLOCK = {"timezone": "UTC", "hours": {d: [["00:00", "24:00"]] for d in (*_WEEKDAYS, "fri", "sat", "sun")}}
EXTENDED = {"timezone": "America/Chicago", "hours": {d: [["07:00", "22:00"]] for d in ROUND_THE_CLOCK["hours"]}}

POLICIES: tuple[dict[str, Any], ...] = (
    dict(name="Urgent and high, 24x7", position=10, conditions={"priority": ["urgent", "high"]},
         calendar=ROUND_THE_CLOCK,
         targets={"urgent": _targets(240, 1440, 4320, business_hours=False),
                  "high": _targets(960, 2880, 7200, business_hours=False)}),
    dict(name="Social and messaging, 7 days", position=20, conditions={"channel": ["social", "messenger"]},
         calendar=EXTENDED,
         targets={"normal": _targets(180, 2700, 4500, business_hours=True),
                  "low": _targets(360, 4500, 9000, business_hours=True)}),
    dict(name="Standard business hours", position=30, conditions=None, calendar=OFFICE,
         targets={"normal": _targets(240, 1800, 3000, business_hours=True),
                  "low": _targets(480, 3000, 6000, business_hours=True)}),
)


def define_policies(app: Touchline, *, at: datetime) -> int:
    """Define the demo's policies that are not stored yet (as of ``at``); how many were."""
    defined = 0
    for policy in POLICIES:
        policy_id = _policy_id(policy["name"])
        if app.recorder.select_events(policy_id, limit=1):
            continue  # stored by an earlier demo (and perhaps revised or retired since: left as it is)
        try:
            app.define_sla_policy(id=policy_id, occurred_at=at, actor=ACTOR, **policy)
        except AlreadyExistsError:  # another demo run got there first
            continue
        defined += 1
    return defined
