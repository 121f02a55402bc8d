"""Managing policies: a default position after the others, reordering all at once, a shape that
refuses unknown fields, and targets a calendar cannot reach (never due, never a crash)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import pytest

from domain.application import Touchline
from domain.errors import ConflictError, InvalidValueError
from domain.sla.clocks import case_clocks
from domain.sla.index import SlaPolicyIndex
from domain.sla.terms import PolicyTerms
from tests.unit.sla.scenarios import at, case_events
from tests.unit.sla.test_selection import ADMIN, ALL_PRIORITIES, OFFICE, customer, define, open_case, policy_of, now  # noqa: F401


def positions(app: Touchline) -> list[tuple[str, int]]:
    return [(p.name, p.position) for p in app.sla_policies_in_force()]


def test_a_policy_without_a_position_is_tried_after_every_other(memory_app: Touchline, now: datetime) -> None:  # noqa: F811
    define(memory_app, now, "Specific", 35, {"channel": ["chat"]})
    memory_app.define_sla_policy(name="Fallback", conditions=None, targets=ALL_PRIORITIES, calendar=OFFICE,
                                 occurred_at=now, actor=ADMIN)
    assert positions(memory_app) == [("Specific", 35), ("Fallback", 45)]


def test_reordering_saves_every_moved_policy_at_once_and_changes_which_wins(
    memory_app: Touchline, now: datetime  # noqa: F811
) -> None:
    first, second, third = (define(memory_app, now, name, 10 * i) for i, name in enumerate("abc", start=1))
    receipt = memory_app.reorder_sla_policies([third, first, second], occurred_at=now, actor=ADMIN)
    assert positions(memory_app) == [("c", 10), ("a", 20), ("b", 30)]
    assert [memory_app.get_sla_policy(i).version for i in (first, second, third)] == [2, 2, 2]
    assert receipt.position == memory_app.recorder.max_notification_id()
    assert policy_of(memory_app, open_case(memory_app, now, customer(memory_app, now))) == (third, 2)


def test_reordering_into_the_same_order_changes_nothing(memory_app: Touchline, now: datetime) -> None:  # noqa: F811
    ids = [define(memory_app, now, name, 10 * i) for i, name in enumerate("ab", start=1)]
    head = memory_app.recorder.max_notification_id()
    assert memory_app.reorder_sla_policies(ids, occurred_at=now, actor=ADMIN).position is None
    assert memory_app.recorder.max_notification_id() == head


@pytest.mark.parametrize("wrong", ["missing", "twice", "retired", "empty"])
def test_an_order_must_name_every_policy_in_force_once(memory_app: Touchline, now: datetime, wrong: str) -> None:  # noqa: F811
    a, b = define(memory_app, now, "a", 1), define(memory_app, now, "b", 2)
    retired = define(memory_app, now, "old", 3)
    memory_app.retire_sla_policy(retired, reason="Replaced", occurred_at=now, actor=ADMIN)
    order = {"missing": [a], "twice": [a, b, a], "retired": [a, b, retired], "empty": []}[wrong]
    head = memory_app.recorder.max_notification_id()
    with pytest.raises(InvalidValueError) as caught:
        memory_app.reorder_sla_policies(order, occurred_at=now, actor=ADMIN)
    assert caught.value.field == "policy_ids" and memory_app.recorder.max_notification_id() == head


def test_a_reorder_racing_another_policy_change_is_refused_whole(
    memory_app: Touchline, now: datetime, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    a, b = define(memory_app, now, "a", 1), define(memory_app, now, "b", 2)
    loaded = memory_app._get

    def racing_get(cls: Any, *args: Any, **kwargs: Any) -> Any:
        found = loaded(cls, *args, **kwargs)
        if cls is SlaPolicyIndex and "version" not in kwargs and not raced:
            raced.append(True)  # right after the reorder read the index it will save, another admin saves a change
            memory_app.revise_sla_policy(a, name="a (renamed)", position=1, conditions=None, targets=ALL_PRIORITIES,
                                         calendar=OFFICE, occurred_at=now, actor=ADMIN)
        return found
    raced: list[Any] = []
    monkeypatch.setattr(memory_app, "_get", racing_get)
    with pytest.raises(ConflictError):
        memory_app.reorder_sla_policies([b, a], occurred_at=now, actor=ADMIN)
    assert positions(memory_app) == [("a (renamed)", 1), ("b", 2)]


UNKNOWN_FIELDS: dict[str, tuple[dict[str, Any], str]] = {
    "calendar": ({"calendar": {**OFFICE, "holiday": ["2026-12-25"]}}, "calendar.holiday"),
    "target": ({"targets": {"normal": {"resolution": {"minutes": 60, "hours": 1}}}}, "targets.normal.resolution.hours"),
    "business hours not a boolean": ({"targets": {"normal": {"resolution": {"minutes": 60, "business_hours": "no"}}}},
                                     "targets.normal.resolution.business_hours"),
    "over a year": ({"targets": {"normal": {"resolution": {"minutes": 366 * 1440 + 1}}}},
                    "targets.normal.resolution.minutes"),
    "position out of range": ({"position": 10**9}, "position"),
}


@pytest.mark.parametrize("mistake", list(UNKNOWN_FIELDS))
def test_fields_a_policy_does_not_have_are_refused_by_name(memory_app: Touchline, now: datetime, mistake: str) -> None:  # noqa: F811
    changes, field = UNKNOWN_FIELDS[mistake]
    definition = {"name": "Standard", "position": 1, "conditions": None, "targets": ALL_PRIORITIES,
                  "calendar": OFFICE, **changes}
    with pytest.raises(InvalidValueError) as caught:
        memory_app.define_sla_policy(**definition, occurred_at=now, actor=ADMIN)
    assert caught.value.field == field


def test_a_target_the_calendar_cannot_reach_is_never_due() -> None:
    one_minute_a_week = {"timezone": "UTC", "hours": {"mon": [["09:00", "09:01"]]}, "holidays": []}
    ref = (uuid5(NAMESPACE_URL, "/test/sla/one-minute-a-week"), 1)
    terms = {ref: PolicyTerms.of({"normal": {"resolution": {"minutes": 366 * 1440, "business_hours": True}}},
                                 one_minute_a_week)}
    events = case_events([("open", at(3, 2, 9), {"policy": ref})])
    [resolution] = case_clocks(events, terms, at(3, 2, 9) + timedelta(days=5000))
    assert (resolution.status, resolution.due_at) == ("active", None)
