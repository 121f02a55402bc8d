"""Bad SLA policies are refused with a 422 naming the field, on every input path (define and
revise), and nothing is written."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import TestResponse

from tests.web.conftest import ApiClient
from tests.web.test_api_sla_policies import POLICIES, policy, put


def with_calendar(**changes: Any) -> dict[str, Any]:
    body = policy(position=1)
    body["calendar"] = {**copy.deepcopy(body["calendar"]), **changes}
    return body


def with_target(priority: str, kind: str, target: Any) -> dict[str, Any]:
    return policy(position=1, targets={priority: {kind: target}})


MISTAKES: dict[str, tuple[dict[str, Any], str]] = {
    "bad timezone": (with_calendar(timezone="Mars/Olympus"), "calendar.timezone"),
    "no timezone": (with_calendar(timezone=None), "calendar.timezone"),
    "overlapping hours": (with_calendar(hours={"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}), "calendar.hours.mon"),
    "hours out of order": (with_calendar(hours={"tue": [["13:30", "17:00"], ["09:00", "12:30"]]}),
                           "calendar.hours.tue"),
    "an empty interval": (with_calendar(hours={"wed": [["09:00", "09:00"]]}), "calendar.hours.wed"),
    "overnight into the next day's hours": (
        with_calendar(hours={"mon": [["22:00", "10:00"]], "tue": [["09:00", "17:00"]]}), "calendar.hours.mon"),
    "overnight before the day's last interval": (
        with_calendar(hours={"thu": [["22:00", "02:00"], ["23:00", "23:30"]]}), "calendar.hours.thu"),
    "a time that is no time": (with_calendar(hours={"fri": [["9am", "17:00"]]}), "calendar.hours.fri[0][0]"),
    "an interval of three times": (with_calendar(hours={"fri": [["09:00", "12:00", "17:00"]]}),
                                   "calendar.hours.fri[0]"),
    "an unknown weekday": (with_calendar(hours={"monday": [["09:00", "17:00"]]}), "calendar.hours.monday"),
    "no hours in the week": (with_calendar(hours={}), "calendar.hours"),
    "an impossible holiday": (with_calendar(holidays=["2026-02-30"]), "calendar.holidays"),
    "a holiday that is no date": (with_calendar(holidays=["25.12.2026"]), "calendar.holidays[0]"),
    "an unknown calendar field": (with_calendar(holiday=["2026-12-25"]), "calendar.holiday"),
    "an unknown priority": (with_target("critical", "resolution", {"minutes": 60}), "targets.critical"),
    "an unknown target": (with_target("normal", "first_reply", {"minutes": 60}), "targets.normal.first_reply"),
    "negative minutes": (with_target("normal", "first_response", {"minutes": -5}),
                         "targets.normal.first_response.minutes"),
    "zero minutes": (with_target("normal", "resolution", {"minutes": 0}), "targets.normal.resolution.minutes"),
    "fractional minutes": (with_target("low", "resolution", {"minutes": 1.5}), "targets.low.resolution.minutes"),
    "minutes as text": (with_target("low", "resolution", {"minutes": "60"}), "targets.low.resolution.minutes"),
    "more than a year": (with_target("low", "resolution", {"minutes": 10**7}), "targets.low.resolution.minutes"),
    "an unknown target field": (with_target("high", "resolution", {"minutes": 60, "hours": 1}),
                                "targets.high.resolution.hours"),
    "a priority without targets": (policy(position=1, targets={"low": {}}), "targets.low"),
    "no targets": (policy(position=1, targets={}), "targets"),
    "an unknown channel": (policy(position=1, conditions={"channel": ["fax"]}), "conditions.channel[0]"),
    "a segment that is no attribute=value": (policy(position=1, conditions={"segment": ["retail"]}),
                                             "conditions.segment[0]"),
    "an empty condition": (policy(position=1, conditions={"priority": []}), "conditions.priority"),
    "an unknown condition": (policy(position=1, conditions={"region": ["EU"]}), "conditions.region"),
    "a position out of range": (policy(position=10**12), "position"),
    "a blank name": (policy(position=1, name=""), "name"),
    "an unknown field": (policy(position=1, colour="red"), "colour"),
}


def define(api: ApiClient, body: dict[str, Any]) -> TestResponse:
    return api.post(POLICIES, body)


def revise(api: ApiClient, body: dict[str, Any]) -> TestResponse:
    return put(api, f"{POLICIES}/{api.existing}", body)  # type: ignore[attr-defined]


@pytest.fixture
def existing(api: ApiClient) -> ApiClient:
    api.existing = api.post(POLICIES, policy(position=1)).get_json()["id"]  # type: ignore[attr-defined]
    return api


@pytest.mark.parametrize("send", [define, revise], ids=["define", "revise"])
@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_a_bad_policy_is_a_422_naming_the_field_and_writes_nothing(
    existing: ApiClient, send: Callable[[ApiClient, dict[str, Any]], TestResponse], mistake: str
) -> None:
    body, field = MISTAKES[mistake]
    events = existing.event_count()
    response = send(existing, body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"], response.get_json()
    assert existing.event_count() == events


def test_an_overnight_shift_is_kept_as_given(api: ApiClient) -> None:
    nights = with_calendar(hours={"sat": [["22:00", "06:00"]]})
    created = api.post(POLICIES, nights).get_json()
    api.catch_up()
    assert api.get(f"{POLICIES}/{created['id']}").get_json()["calendar"]["hours"] == {"sat": [["22:00", "06:00"]]}
