"""SLA policy shape: conditions, targets per priority, a calendar; every mistake names its field."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from domain.application import Touchline
from domain.errors import InvalidValueError

ACTOR = "user:admin"


def policy(**changes: Any) -> dict[str, Any]:
    """A valid policy definition with ``changes`` applied."""
    definition: dict[str, Any] = {
        "name": "Standard", "position": 1,
        "conditions": {"channel": ["email", "web_form"], "segment": ["sector=retail"]},
        "targets": {
            "urgent": {"first_response": {"minutes": 30}, "resolution": {"minutes": 240, "business_hours": False}},
            "normal": {"first_response": {"minutes": 240}},
        },
        "calendar": {
            "timezone": "Europe/Berlin",
            "hours": {"mon": [["09:00", "12:00"], ["13:00", "17:00"]], "fri": [["09:00", "15:00"]]},
            "holidays": ["2026-12-25", "2026-12-24", "2026-12-25"],
        },
    }
    definition.update(changes)
    return definition


def with_calendar(**changes: Any) -> dict[str, Any]:
    calendar = copy.deepcopy(policy()["calendar"])
    calendar.update(changes)
    return policy(calendar=calendar)


def test_a_valid_policy_is_kept_in_normal_form(memory_app: Touchline, now: datetime) -> None:
    policy_id = memory_app.define_sla_policy(**policy(), occurred_at=now, actor=ACTOR).id
    saved = memory_app.get_sla_policy(policy_id)
    assert saved.targets["urgent"] == {"first_response": {"minutes": 30, "business_hours": True},
                                       "resolution": {"minutes": 240, "business_hours": False}}
    assert saved.calendar["holidays"] == ["2026-12-24", "2026-12-25"]
    assert (saved.revision, saved.version) == (1, 1)


MISTAKES: dict[str, tuple[Callable[[], dict[str, Any]], str]] = {
    "bad timezone": (lambda: with_calendar(timezone="Mars/Olympus"), "calendar.timezone"),
    "missing timezone": (lambda: with_calendar(timezone=None), "calendar.timezone"),
    "overlapping intervals": (lambda: with_calendar(hours={"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}),
                              "calendar.hours.mon"),
    "unordered intervals": (lambda: with_calendar(hours={"tue": [["13:00", "17:00"], ["09:00", "12:00"]]}),
                            "calendar.hours.tue"),
    "empty interval": (lambda: with_calendar(hours={"wed": [["09:00", "09:00"]]}), "calendar.hours.wed"),
    "bad time": (lambda: with_calendar(hours={"thu": [["9am", "17:00"]]}), "calendar.hours.thu"),
    "day not a list": (lambda: with_calendar(hours={"thu": None}), "calendar.hours.thu"),
    "unknown weekday": (lambda: with_calendar(hours={"monday": [["09:00", "17:00"]]}), "calendar.hours"),
    "impossible holiday": (lambda: with_calendar(holidays=["2026-02-30"]), "calendar.holidays"),
    "holiday not a date": (lambda: with_calendar(holidays=["25.12.2026"]), "calendar.holidays"),
    "zero minutes": (lambda: policy(targets={"high": {"resolution": {"minutes": 0}}}),
                     "targets.high.resolution.minutes"),
    "negative minutes": (lambda: policy(targets={"high": {"first_response": {"minutes": -5}}}),
                         "targets.high.first_response.minutes"),
    "fractional minutes": (lambda: policy(targets={"low": {"resolution": {"minutes": 1.5}}}),
                           "targets.low.resolution.minutes"),
    "unknown target kind": (lambda: policy(targets={"normal": {"first_reply": {"minutes": 60}}}),
                            "targets.normal.first_reply"),
    "unknown priority": (lambda: policy(targets={"critical": {"resolution": {"minutes": 60}}}), "targets"),
    "no targets": (lambda: policy(targets={}), "targets"),
    "priority without targets": (lambda: policy(targets={"low": {}}), "targets.low"),
    "unknown condition": (lambda: policy(conditions={"region": ["EU"]}), "conditions"),
    "unknown channel condition": (lambda: policy(conditions={"channel": ["fax"]}), "conditions.channel"),
    "segment not attribute=value": (lambda: policy(conditions={"segment": ["retail"]}), "conditions.segment"),
    "empty condition": (lambda: policy(conditions={"priority": []}), "conditions.priority"),
    "position not a number": (lambda: policy(position="first"), "position"),
    "blank name": (lambda: policy(name=" "), "name"),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_a_policy_of_the_wrong_shape_is_refused_naming_the_field(
    memory_app: Touchline, now: datetime, mistake: str
) -> None:
    make, field = MISTAKES[mistake]
    with pytest.raises(InvalidValueError) as caught:
        memory_app.define_sla_policy(**make(), occurred_at=now, actor=ACTOR)
    assert caught.value.field == field
    assert memory_app.recorder.max_notification_id() in (None, 0)


def test_a_revision_is_a_new_version_and_is_validated_too(memory_app: Touchline, now: datetime) -> None:
    policy_id = memory_app.define_sla_policy(**policy(), occurred_at=now, actor=ACTOR).id
    memory_app.revise_sla_policy(policy_id, **policy(name="Standard 2026"), occurred_at=now, actor=ACTOR)
    with pytest.raises(InvalidValueError):
        memory_app.revise_sla_policy(policy_id, **with_calendar(timezone="Nowhere"), occurred_at=now, actor=ACTOR)
    revised = memory_app.get_sla_policy(policy_id)
    assert (revised.name, revised.revision, revised.version) == ("Standard 2026", 2, 2)


@pytest.mark.parametrize(("case", "expected"), [
    ({"priority": "urgent", "channel": "email", "segment": {"sector": "retail"}}, True),
    ({"priority": "urgent", "channel": "phone", "segment": {"sector": "retail"}}, False),
    ({"priority": "urgent", "channel": "email", "segment": {"sector": "medical"}}, False),
    ({"priority": "low", "channel": "email", "segment": {"sector": "retail"}}, False),
])
def test_a_policy_covers_the_cases_its_conditions_and_targets_match(
    memory_app: Touchline, now: datetime, case: dict[str, Any], expected: bool
) -> None:
    policy_id = memory_app.define_sla_policy(**policy(), occurred_at=now, actor=ACTOR).id
    assert memory_app.get_sla_policy(policy_id).matches(**case) is expected


@pytest.mark.parametrize(("hours", "field"), [
    ({"mon": [["22:00", "06:00"], ["07:00", "08:00"]]}, "calendar.hours.mon"),  # overnight must come last
    ({"mon": [["22:00", "06:00"]], "tue": [["05:00", "09:00"]]}, "calendar.hours.mon"),  # runs into Tuesday's hours
    ({"sun": [["22:00", "01:00"]], "mon": [["00:30", "09:00"]]}, "calendar.hours.sun"),  # ... across the week's end
    ({"mon": [["24:00", "06:00"]]}, "calendar.hours.mon"),
    ({"mon": [], "tue": []}, "calendar.hours"),  # no business hours at all
])
def test_overnight_hours_that_overlap_and_weeks_without_hours_are_refused(
    memory_app: Touchline, now: datetime, hours: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        memory_app.define_sla_policy(**with_calendar(hours=hours), occurred_at=now, actor=ACTOR)
    assert caught.value.field == field


def test_overnight_hours_are_kept_as_given(memory_app: Touchline, now: datetime) -> None:
    hours = {"fri": [["09:00", "12:00"], ["22:00", "06:00"]], "sat": [["06:00", "10:00"]]}
    policy_id = memory_app.define_sla_policy(**with_calendar(hours=hours), occurred_at=now, actor=ACTOR).id
    assert memory_app.get_sla_policy(policy_id).calendar["hours"] == hours
