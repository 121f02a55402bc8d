"""Which policy covers a case: first match by position, recorded at opening and re-targeted
when the priority changes; edits and retirements never rewrite what cases recorded."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.application import Touchline
from domain.clock import FixedClock
from domain.errors import InvalidValueError, NotFoundError
from domain.sla.index import INDEX_ID
from domain.sla.model import SlaPolicyRetiredError

ADMIN, AGENT = "user:admin", "user:agent-1"
OFFICE = {"timezone": "Europe/Berlin", "hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}}
ALL_PRIORITIES = {p: {"first_response": {"minutes": 60}} for p in ("low", "normal", "high", "urgent")}


@pytest.fixture
def now(clock: FixedClock) -> datetime:
    return clock.now()  # Monday 2 March 2026, 09:00 UTC


def define(app: Touchline, now: datetime, name: str, position: int, conditions: dict[str, Any] | None = None,
           targets: dict[str, Any] | None = None) -> UUID:
    return app.define_sla_policy(name=name, position=position, conditions=conditions,
                                 targets=targets or ALL_PRIORITIES, calendar=OFFICE, occurred_at=now, actor=ADMIN).id


def customer(app: Touchline, now: datetime, **segment: str) -> UUID:
    return app.register_customer(name="Ada", segment=segment, occurred_at=now, actor=AGENT).id


def open_case(app: Touchline, now: datetime, customer_id: UUID, channel: str = "email",
              priority: str = "normal") -> UUID:
    return app.open_case(customer_id=customer_id, subject="Printer jams", channel=channel, priority=priority,
                         occurred_at=now, actor=AGENT).id


def policy_of(app: Touchline, case_id: UUID) -> tuple[UUID | None, int | None]:
    case = app.get_case(case_id)
    return case.sla_policy_id, case.sla_policy_version


@pytest.mark.parametrize(("segment", "channel", "expected"), [
    ({"tier": "vip"}, "phone", "VIP"),
    ({"tier": "vip"}, "email", "VIP"),  # position 1 is tried before position 2
    ({"tier": "basic"}, "email", "Email"),
    ({}, "phone", "Everything else"),
])
def test_the_first_matching_policy_in_position_order_covers_the_case(
    memory_app: Touchline, now: datetime, segment: dict[str, str], channel: str, expected: str
) -> None:
    ids = {"Everything else": define(memory_app, now, "Everything else", 3),
           "Email": define(memory_app, now, "Email", 2, {"channel": ["email"]}),
           "VIP": define(memory_app, now, "VIP", 1, {"segment": ["tier=vip"]})}
    case_id = open_case(memory_app, now, customer(memory_app, now, **segment), channel)
    assert policy_of(memory_app, case_id) == (ids[expected], 1)


def test_equal_positions_are_tried_in_order_of_definition(memory_app: Touchline, now: datetime) -> None:
    first = define(memory_app, now, "First", 5)
    define(memory_app, now, "Second", 5)
    assert policy_of(memory_app, open_case(memory_app, now, customer(memory_app, now)))[0] == first


def test_a_policy_without_targets_for_the_priority_is_passed_over(memory_app: Touchline, now: datetime) -> None:
    define(memory_app, now, "Urgent only", 1, targets={"urgent": {"resolution": {"minutes": 60}}})
    fallback = define(memory_app, now, "Fallback", 2)
    assert policy_of(memory_app, open_case(memory_app, now, customer(memory_app, now)))[0] == fallback


def test_a_case_no_policy_covers_records_none(memory_app: Touchline, now: datetime) -> None:
    define(memory_app, now, "Chat", 1, {"channel": ["chat"]})
    case_id = open_case(memory_app, now, customer(memory_app, now), channel="email")
    assert policy_of(memory_app, case_id) == (None, None)
    assert memory_app.get_case_sla(case_id, at=now + timedelta(days=30)) == []


def test_moving_a_policy_up_makes_it_win(memory_app: Touchline, now: datetime) -> None:
    define(memory_app, now, "First", 1)
    later = define(memory_app, now, "Later", 2)
    memory_app.revise_sla_policy(later, name="Later", position=0, conditions=None, targets=ALL_PRIORITIES,
                                 calendar=OFFICE, occurred_at=now, actor=ADMIN)
    assert policy_of(memory_app, open_case(memory_app, now, customer(memory_app, now))) == (later, 2)


def test_a_revision_covers_cases_opened_after_it_and_earlier_cases_keep_their_targets(
    memory_app: Touchline, now: datetime
) -> None:
    policy_id = define(memory_app, now, "Standard", 1)
    ada = customer(memory_app, now)
    before = open_case(memory_app, now, ada)
    memory_app.revise_sla_policy(policy_id, name="Standard", position=1, conditions=None, calendar=OFFICE,
                                 targets={**ALL_PRIORITIES, "normal": {"first_response": {"minutes": 240}}},
                                 occurred_at=now, actor=ADMIN)
    after = open_case(memory_app, now, ada)
    assert (policy_of(memory_app, before), policy_of(memory_app, after)) == ((policy_id, 1), (policy_id, 2))
    # Monday 09:00 UTC is 10:00 in Berlin: one business hour later vs four.
    due = [memory_app.get_case_sla(c, at=now)[0].due_at for c in (before, after)]
    assert due == [now + timedelta(hours=1), now + timedelta(hours=4)]
    assert memory_app.get_sla_policy(policy_id, version=1).targets["normal"]["first_response"]["minutes"] == 60


def test_a_retired_policy_covers_no_new_case_and_cannot_change(memory_app: Touchline, now: datetime) -> None:
    retired = define(memory_app, now, "Old", 1)
    fallback = define(memory_app, now, "New", 2)
    ada = customer(memory_app, now)
    earlier = open_case(memory_app, now, ada)
    memory_app.retire_sla_policy(retired, reason="Replaced by New", occurred_at=now, actor=ADMIN)
    assert policy_of(memory_app, open_case(memory_app, now, ada)) == (fallback, 1)
    assert policy_of(memory_app, earlier) == (retired, 1)
    with pytest.raises(SlaPolicyRetiredError):
        memory_app.retire_sla_policy(retired, reason="Again", occurred_at=now, actor=ADMIN)
    with pytest.raises(SlaPolicyRetiredError):
        memory_app.revise_sla_policy(retired, name="Old", position=1, conditions=None, targets=ALL_PRIORITIES,
                                     calendar=OFFICE, occurred_at=now, actor=ADMIN)


def test_changing_the_priority_retargets_in_the_same_save(memory_app: Touchline, now: datetime) -> None:
    define(memory_app, now, "Normal", 2)
    urgent = define(memory_app, now, "Urgent", 1, {"priority": ["urgent"]})
    case_id = open_case(memory_app, now, customer(memory_app, now))
    receipt = memory_app.change_case_priority(case_id, priority="urgent", occurred_at=now, actor=AGENT)
    *_, changed, retargeted = memory_app.events.get(case_id)
    assert (type(changed).__name__, type(retargeted).__name__, receipt.version) == (
        "PriorityChanged", "SlaRetargeted", 3)
    assert (retargeted.sla_policy_id, retargeted.sla_policy_version, retargeted.priority) == (urgent, 1, "urgent")
    assert policy_of(memory_app, case_id) == (urgent, 1)


def test_changing_to_a_priority_no_policy_covers_records_that_none_applies(
    memory_app: Touchline, now: datetime
) -> None:
    define(memory_app, now, "Normal only", 1, {"priority": ["normal"]})
    case_id = open_case(memory_app, now, customer(memory_app, now))
    memory_app.change_case_priority(case_id, priority="low", occurred_at=now, actor=AGENT)
    assert type(list(memory_app.events.get(case_id))[-1]).__name__ == "SlaRetargeted"
    assert policy_of(memory_app, case_id) == (None, None)


def test_a_case_no_policy_ever_covered_records_no_retarget(memory_app: Touchline, now: datetime) -> None:
    case_id = open_case(memory_app, now, customer(memory_app, now))
    memory_app.change_case_priority(case_id, priority="high", occurred_at=now, actor=AGENT)
    assert [type(e).__name__ for e in memory_app.events.get(case_id)] == ["Opened", "PriorityChanged"]


def test_retargeting_uses_the_customers_segment_at_the_time(memory_app: Touchline, now: datetime) -> None:
    vip = define(memory_app, now, "VIP", 1, {"segment": ["tier=vip"]})
    define(memory_app, now, "Others", 2)
    ada = customer(memory_app, now, tier="basic")
    case_id = open_case(memory_app, now, ada)
    memory_app.change_customer_details(ada, segment={"tier": "vip"}, occurred_at=now, actor=AGENT)
    memory_app.change_case_priority(case_id, priority="high", occurred_at=now, actor=AGENT)
    assert policy_of(memory_app, case_id) == (vip, 1)


def test_opening_a_case_reads_no_policy_once_they_are_cached(
    memory_app: Touchline, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    policies = {define(memory_app, now, f"Policy {i}", i, {"channel": ["chat"]}) for i in range(5)}
    ada = customer(memory_app, now)
    open_case(memory_app, now, ada)  # fills the cache
    read: list[UUID] = []
    select_events = memory_app.recorder.select_events

    def counting(originator_id: UUID, **kwargs: Any) -> Any:
        read.append(originator_id)
        return select_events(originator_id, **kwargs)

    monkeypatch.setattr(memory_app.recorder, "select_events", counting)
    open_case(memory_app, now, ada)
    assert read == [INDEX_ID] and not policies & set(read)


def test_the_sla_of_an_unknown_case_is_not_found(memory_app: Touchline, now: datetime) -> None:
    with pytest.raises(NotFoundError):
        memory_app.get_case_sla(uuid4(), at=now)
    with pytest.raises(NotFoundError):
        memory_app.get_case_sla(customer(memory_app, now), at=now)


def test_a_retarget_names_a_policy_with_its_version_or_neither(memory_app: Touchline, now: datetime) -> None:
    case = memory_app.get_case(open_case(memory_app, now, customer(memory_app, now)))
    with pytest.raises(InvalidValueError, match="version"):
        case.retarget_sla(policy_id=uuid4(), policy_version=None, occurred_at=now, actor=AGENT)
