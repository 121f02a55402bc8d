"""An aggregate's history and its state as of a version, a business instant (occurred_at) or a
recorded instant (timestamp), on SQLite and PostgreSQL; and a stream that did not exist yet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

import pytest
import time_machine

from domain.application import Touchline
from domain.errors import InvalidValueError
from projections.audit import AsOf, events_page, state_as_of

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # business time of the story
R0 = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)  # recorded time: entered three days later
AGENT = "user:agent@example.com"


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def recorded(n: float) -> datetime:
    return R0 + timedelta(minutes=n)


class Story(NamedTuple):
    customer: UUID
    case: UUID


def transferred_case(app: Touchline) -> Story:
    """A case at version 3, each event recorded (timestamp) a minute after the last, from R0:
    opened (business T0-5h), assigned to first@ (T0-4h), transferred to second@ (T0-1h); and a
    BACKDATED fourth event: recorded last (R0+3m) but it happened at T0-2h (a late entry)."""
    with time_machine.travel(recorded(-1), tick=False):
        ada = app.register_customer(name="Ada", occurred_at=hours(-10), actor=AGENT).id
    with time_machine.travel(recorded(0), tick=False):
        case = app.open_case(customer_id=ada, subject="Printer jams", channel="email", occurred_at=hours(-5),
                             actor=AGENT).id
    with time_machine.travel(recorded(1), tick=False):
        app.assign_case(case, assignee="user:first@example.com", occurred_at=hours(-4), actor=AGENT)
    with time_machine.travel(recorded(2), tick=False):
        app.transfer_case(case, to_assignee="user:second@example.com", note="Call after 17:00",
                          occurred_at=hours(-1), actor="user:first@example.com")
    with time_machine.travel(recorded(3), tick=False):
        app.change_case_priority(case, priority="high", occurred_at=hours(-2), actor=AGENT)
    return Story(ada, case)


def state(app: Touchline, key: UUID, **asked: Any) -> Any:
    found = state_as_of(app, key, AsOf.checked(**asked))
    assert found is not None
    return found


def test_events_carry_actor_both_times_and_their_log_position(stored_app: Touchline) -> None:
    story = transferred_case(stored_app)
    events, more = events_page(stored_app, story.case)
    assert not more and [e["aggregate_version"] for e in events] == [1, 2, 3, 4]
    in_log = [n.id for n in stored_app.recorder.select_notifications(start=1, limit=100)
              if n.originator_id == story.case]
    assert [e["position"] for e in events] == in_log and len(in_log) == 4
    transfer = events[2]
    assert transfer["type"].endswith("Case.Transferred") and transfer["actor"] == "user:first@example.com"
    assert (transfer["occurred_at"], transfer["recorded_at"]) == (hours(-1), recorded(2))


def test_the_state_as_of_a_version_replays_up_to_it(stored_app: Touchline) -> None:
    story = transferred_case(stored_app)
    at_two = state(stored_app, story.case, version=2)
    assert (at_two.version, at_two.fields["assignee"]) == (2, "user:first@example.com")
    assert state(stored_app, story.case).version == 4


def test_as_of_a_business_instant_keeps_the_events_that_occurred_by_then(stored_app: Touchline) -> None:
    story = transferred_case(stored_app)
    # At T0-1.5h the transfer (T0-1h) had not happened, but the backdated priority change (T0-2h) had.
    before_transfer = state(stored_app, story.case, as_of=hours(-1.5))
    assert before_transfer.fields["assignee"] == "user:first@example.com"
    assert before_transfer.fields["priority"] == "high" and before_transfer.events_applied == 3
    assert state(stored_app, story.case, as_of=hours(-4.5)).fields["assignee"] is None


def test_as_known_at_a_recorded_instant_keeps_what_was_recorded_by_then(stored_app: Touchline) -> None:
    story = transferred_case(stored_app)
    known = state(stored_app, story.case, known_at=recorded(2.5))
    assert known.fields["assignee"] == "user:second@example.com" and known.fields["priority"] != "high"
    assert known.version == 3


def test_before_its_first_event_an_aggregate_did_not_exist(stored_app: Touchline) -> None:
    story = transferred_case(stored_app)
    for asked in ({"as_of": hours(-6)}, {"known_at": recorded(-0.5)}):
        found = state(stored_app, story.case, **asked)
        assert found.aggregate is None and found.version is None and found.kind == "Case"


def test_an_unknown_aggregate_has_no_state(stored_app: Touchline) -> None:
    assert state_as_of(stored_app, UUID(int=7), AsOf()) is None


@pytest.mark.parametrize("asked, field", [
    ({"version": 1, "as_of": T0}, "as_of"),
    ({"as_of": T0, "known_at": T0}, "known_at"),
    ({"version": 0}, "version"),
    ({"as_of": datetime(2026, 1, 1)}, "as_of"),
])
def test_bad_questions_name_the_field(asked: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidValueError) as raised:
        AsOf.checked(**asked)
    assert raised.value.field == field


def test_a_version_beyond_the_head_names_the_version(memory_app: Touchline) -> None:
    story = transferred_case(memory_app)
    with pytest.raises(InvalidValueError, match="versions run from 1 to 4") as raised:
        state_as_of(memory_app, story.case, AsOf.checked(version=5))
    assert raised.value.field == "version"
