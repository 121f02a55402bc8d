"""Follow-ups appended after a known version: the promise then reads as if it had recorded them
itself; a version that is no longer the latest is refused by the store and nothing is written."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError

from domain.application import Touchline
from domain.errors import InvalidValueError
from domain.messages.appends import follow_ups_after
from domain.messages.model import Draft, Message
from domain.messages.notices import PromiseFollowUp

ACTOR = "system:scheduler"


def notice(app: Touchline, customer_id: UUID, now: datetime, version: int | None, purpose: str = "customer_apology"
           ) -> tuple[PromiseFollowUp, list[Message]]:
    promise_id = app.make_promise(customer_id=customer_id, what="Call back", due_at=now - timedelta(minutes=1),
                                  owner="user:ann", channel="email", occurred_at=now, actor="user:ann").id
    draft = Draft(cause=f"test/{promise_id}", purpose=purpose, channel="email", audience="customer",
                  recipient="ada@example.com", subject="Sorry", body="Soon", promise_id=promise_id)
    found = PromiseFollowUp(promise_id, now - timedelta(minutes=1), (draft,), version)
    return found, [Message.queue(draft, mail_domain="shop.example", occurred_at=now, actor=ACTOR)]


def test_appended_follow_ups_read_back_as_the_promise_s_own(memory_app: Touchline, customer_id: UUID,
                                                             now: datetime) -> None:
    found, messages = notice(memory_app, customer_id, now, version=1)
    memory_app.save(*follow_ups_after(found, messages, occurred_at=now, actor=ACTOR), *messages)
    promise = memory_app.get_promise(found.promise_id)
    assert (promise.version, promise.follow_ups) == (2, {"customer_apology": str(messages[0].id)})


def test_a_stale_version_collides_and_writes_nothing(memory_app: Touchline, customer_id: UUID, now: datetime) -> None:
    found, messages = notice(memory_app, customer_id, now, version=1)
    memory_app.keep_promise(found.promise_id, evidence="Called", occurred_at=now, actor="user:ann")  # now version 2
    with pytest.raises(IntegrityError):
        memory_app.save(*follow_ups_after(found, messages, occurred_at=now, actor=ACTOR), *messages)
    assert memory_app.get_promise(found.promise_id).follow_ups == {}
    assert messages[0].id not in memory_app.repository


def test_an_unknown_purpose_or_no_version_is_refused(memory_app: Touchline, customer_id: UUID, now: datetime) -> None:
    found, messages = notice(memory_app, customer_id, now, version=1, purpose="birthday_wishes")
    with pytest.raises(InvalidValueError) as refused:
        follow_ups_after(found, messages, occurred_at=now, actor=ACTOR)
    assert refused.value.field == "purpose"
    unversioned, messages = notice(memory_app, customer_id, now, version=None)
    with pytest.raises(ValueError, match="known version"):
        follow_ups_after(unversioned, messages, occurred_at=now, actor=ACTOR)
