"""Case rules: the status flow, transfers with handover notes, customer replies, closed is final."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import pytest

from domain.application import Touchline
from domain.cases.model import CaseStateError
from domain.customers.model import CustomerErasedError
from domain.errors import InvalidValueError

ACTOR = "user:agent-1"


def event_names(app: Touchline, aggregate_id: UUID) -> list[str]:
    return [type(e).__name__ for e in app.events.get(aggregate_id)]


@pytest.fixture
def closed_case(memory_app: Touchline, case_id: UUID, now: datetime) -> UUID:
    memory_app.resolve_case(case_id, resolution="Replaced the roller", occurred_at=now, actor=ACTOR)
    memory_app.close_case(case_id, occurred_at=now, actor=ACTOR)
    return case_id


ON_A_CASE: dict[str, Callable[[Touchline, UUID, datetime], Any]] = {
    "resolve": lambda app, c, t: app.resolve_case(c, resolution="Done", occurred_at=t, actor=ACTOR),
    "assign": lambda app, c, t: app.assign_case(c, assignee="user:bob", occurred_at=t, actor=ACTOR),
    "reply": lambda app, c, t: app.reply_to_case(c, body="Any news?", occurred_at=t, actor=ACTOR),
    "transfer": lambda app, c, t: app.transfer_case(c, to_assignee="user:bob", note="All yours",
                                                    occurred_at=t, actor=ACTOR),
    "pend": lambda app, c, t: app.pend_case(c, reason="awaiting_customer", occurred_at=t, actor=ACTOR),
    "customer reply": lambda app, c, t: app.record_customer_reply(c, body="Hello?", channel="email",
                                                                  occurred_at=t, actor="customer:ada"),
    "reopen": lambda app, c, t: app.reopen_case(c, reason="Not fixed", occurred_at=t, actor=ACTOR),
    "change priority": lambda app, c, t: app.change_case_priority(c, priority="high", occurred_at=t, actor=ACTOR),
}


@pytest.mark.parametrize("action", sorted(ON_A_CASE))
def test_a_closed_case_accepts_no_further_work(
    memory_app: Touchline, closed_case: UUID, now: datetime, action: str
) -> None:
    version = memory_app.get_case(closed_case).version
    with pytest.raises(CaseStateError, match="is closed"):
        ON_A_CASE[action](memory_app, closed_case, now)
    assert memory_app.get_case(closed_case).version == version


def test_a_case_moves_from_new_to_open_pending_resolved_and_closed(
    memory_app: Touchline, case_id: UUID, now: datetime
) -> None:
    statuses = [memory_app.get_case(case_id).status]
    memory_app.assign_case(case_id, assignee="user:ann", occurred_at=now, actor=ACTOR)
    statuses.append(memory_app.get_case(case_id).status)
    memory_app.pend_case(case_id, reason="on_hold", occurred_at=now, actor=ACTOR)
    statuses.append(memory_app.get_case(case_id).status)
    memory_app.resume_case(case_id, occurred_at=now, actor=ACTOR)
    statuses.append(memory_app.get_case(case_id).status)
    memory_app.resolve_case(case_id, resolution="Fixed", occurred_at=now, actor=ACTOR)
    statuses.append(memory_app.get_case(case_id).status)
    memory_app.close_case(case_id, occurred_at=now, actor=ACTOR)
    statuses.append(memory_app.get_case(case_id).status)
    assert statuses == ["new", "open", "pending", "open", "resolved", "closed"]


@pytest.mark.parametrize("note", ["", "   "])
def test_a_transfer_needs_a_handover_note(memory_app: Touchline, case_id: UUID, now: datetime, note: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        memory_app.transfer_case(case_id, to_assignee="user:bob", note=note, occurred_at=now, actor=ACTOR)
    assert caught.value.field == "note"
    assert "Transferred" not in event_names(memory_app, case_id)


def test_a_transfer_records_who_handed_over_to_whom_with_the_note(
    memory_app: Touchline, case_id: UUID, now: datetime
) -> None:
    memory_app.assign_case(case_id, assignee="user:ann", team="billing", occurred_at=now, actor=ACTOR)
    memory_app.transfer_case(case_id, to_assignee="user:bob", note="Refund approved, call back at 3",
                             occurred_at=now, actor=ACTOR)
    transferred = list(memory_app.events.get(case_id))[-1]
    assert (transferred.from_assignee, transferred.to_assignee, transferred.to_team, transferred.note) == (
        "user:ann", "user:bob", "billing", "Refund approved, call back at 3")
    assert memory_app.get_case(case_id).assignee == "user:bob"


def test_cannot_transfer_a_case_to_the_agent_who_has_it(memory_app: Touchline, case_id: UUID, now: datetime) -> None:
    memory_app.assign_case(case_id, assignee="user:ann", occurred_at=now, actor=ACTOR)
    with pytest.raises(InvalidValueError) as caught:
        memory_app.transfer_case(case_id, to_assignee="user:ann", note="Here", occurred_at=now, actor=ACTOR)
    assert caught.value.field == "to_assignee"


def test_cannot_assign_a_case_to_its_current_assignee(memory_app: Touchline, case_id: UUID, now: datetime) -> None:
    memory_app.assign_case(case_id, assignee="user:ann", occurred_at=now, actor=ACTOR)
    with pytest.raises(CaseStateError, match="already assigned"):
        memory_app.assign_case(case_id, assignee="user:ann", occurred_at=now, actor=ACTOR)


def test_a_customer_reply_reopens_a_resolved_case(memory_app: Touchline, case_id: UUID, now: datetime) -> None:
    memory_app.resolve_case(case_id, resolution="Replaced the roller", occurred_at=now, actor=ACTOR)
    memory_app.record_customer_reply(case_id, body="Still jams", channel="email", occurred_at=now,
                                     actor="customer:ada")
    assert memory_app.get_case(case_id).status == "open"
    assert event_names(memory_app, case_id)[-2:] == ["Reopened", "CustomerReplied"]


def test_a_customer_reply_resumes_a_pending_case(memory_app: Touchline, case_id: UUID, now: datetime) -> None:
    memory_app.pend_case(case_id, reason="awaiting_customer", occurred_at=now, actor=ACTOR)
    memory_app.record_customer_reply(case_id, body="Here is the photo", channel="chat", occurred_at=now,
                                     actor="customer:ada")
    assert memory_app.get_case(case_id).status == "open"
    assert event_names(memory_app, case_id)[-2:] == ["Resumed", "CustomerReplied"]


def test_an_internal_note_does_not_count_as_a_response(memory_app: Touchline, case_id: UUID, now: datetime) -> None:
    memory_app.reply_to_case(case_id, body="Checking stock", public=False, occurred_at=now, actor=ACTOR)
    assert memory_app.get_case(case_id).status == "new"
    memory_app.reply_to_case(case_id, body="We are on it", occurred_at=now, actor=ACTOR)
    assert memory_app.get_case(case_id).status == "open"


def test_cannot_reopen_a_case_that_is_not_resolved(memory_app: Touchline, case_id: UUID, now: datetime) -> None:
    with pytest.raises(CaseStateError, match="cannot reopen"):
        memory_app.reopen_case(case_id, reason="Again", occurred_at=now, actor=ACTOR)


def test_a_case_is_acknowledged_only_once(memory_app: Touchline, case_id: UUID, now: datetime) -> None:
    first = memory_app.acknowledge_case(case_id, message_id="<m1@touchline>", occurred_at=now, actor="system:mail")
    second = memory_app.acknowledge_case(case_id, message_id="<m2@touchline>", occurred_at=now, actor="system:mail")
    assert first.position is not None and second.position is None
    assert event_names(memory_app, case_id).count("Acknowledged") == 1


@pytest.mark.parametrize("score", [0, 6, 4.5, True, "5"])
def test_a_rating_is_a_whole_number_from_1_to_5(
    memory_app: Touchline, case_id: UUID, now: datetime, score: Any
) -> None:
    memory_app.resolve_case(case_id, resolution="Fixed", occurred_at=now, actor=ACTOR)
    with pytest.raises(InvalidValueError) as caught:
        memory_app.rate_case(case_id, score=score, occurred_at=now, actor="customer:ada")
    assert caught.value.field == "score"


def test_only_a_resolved_case_can_be_rated(memory_app: Touchline, case_id: UUID, now: datetime) -> None:
    with pytest.raises(CaseStateError, match="cannot rate"):
        memory_app.rate_case(case_id, score=5, occurred_at=now, actor="customer:ada")
    memory_app.resolve_case(case_id, resolution="Fixed", occurred_at=now, actor=ACTOR)
    memory_app.rate_case(case_id, score=5, comment="Quick", occurred_at=now, actor="customer:ada")
    assert memory_app.get_case(case_id).satisfaction == 5


@pytest.mark.parametrize(("field", "kwargs"), [
    ("priority", {"priority": "critical"}),
    ("channel", {"channel": "pigeon"}),
    ("subject", {"subject": "  "}),
    ("team", {"team": 7}),
])
def test_a_case_with_an_unknown_or_missing_value_is_refused(
    memory_app: Touchline, customer_id: UUID, now: datetime, field: str, kwargs: dict[str, Any]
) -> None:
    arguments: dict[str, Any] = {"subject": "Printer jams", "channel": "email", **kwargs}
    with pytest.raises(InvalidValueError) as caught:
        memory_app.open_case(customer_id=customer_id, occurred_at=now, actor=ACTOR, **arguments)
    assert caught.value.field == field


def test_an_unknown_priority_is_refused_when_changing_it(memory_app: Touchline, case_id: UUID, now: datetime) -> None:
    with pytest.raises(InvalidValueError, match="unknown value 'critical'") as caught:
        memory_app.change_case_priority(case_id, priority="critical", occurred_at=now, actor=ACTOR)
    assert caught.value.field == "priority"


def test_a_case_opened_with_its_touchpoint_links_both(memory_app: Touchline, customer_id: UUID, now: datetime) -> None:
    receipt = memory_app.open_case(
        customer_id=customer_id, subject="Invoice wrong", channel="phone", occurred_at=now, actor=ACTOR,
        touchpoint={"channel": "phone", "direction": "inbound", "kind": "complaint", "subject": "Invoice wrong"},
    )
    opened = next(iter(memory_app.events.get(receipt.id)))
    touchpoint = memory_app.get_touchpoint(opened.touchpoint_id)
    assert touchpoint.case_id == receipt.id and touchpoint.customer_id == customer_id


def test_no_reply_goes_to_an_erased_customer_but_notes_are_still_taken(
    memory_app: Touchline, case_id: UUID, now: datetime
) -> None:
    """Their addresses are gone: a reply would be recorded as sent and give up in the outbox."""
    customer_id = memory_app.get_case(case_id).customer_id
    memory_app.erase_customer(customer_id, reason="GDPR", occurred_at=now, actor="user:admin")
    version = memory_app.get_case(case_id).version
    with pytest.raises(CustomerErasedError, match="a reply would reach nobody"):
        memory_app.reply_to_case(case_id, body="We fixed it", occurred_at=now, actor="user:agent")
    assert memory_app.get_case(case_id).version == version
    memory_app.reply_to_case(case_id, body="Customer erased; closing", public=False, occurred_at=now,
                             actor="user:agent")
    assert memory_app.get_case(case_id).version == version + 1
