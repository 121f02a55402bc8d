"""Follow-ups appended without loading the promise (the scheduler's fast path).

The scheduler's scan reads an overdue promise from its read model, which keeps the version it
has seen. ``follow_ups_after`` builds the promise's ``FollowUpSent`` events as the versions
right after that one, with no event-store read: if the promise changed meanwhile (kept,
rescheduled, followed up by another scheduler), the save collides on the first of those
versions and is rolled back whole, and the notice is prepared again from a fresh load.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from domain.messages.model import Message
from domain.messages.notices import PromiseFollowUp
from domain.promises.model import FOLLOW_UP_PURPOSES, Promise
from domain.values import one_of, text


def follow_ups_after(notice: PromiseFollowUp, messages: Sequence[Message], *, occurred_at: datetime,
                     actor: str) -> list[Any]:
    """The ``FollowUpSent`` events of ``notice`` (one per message, in order) after ``notice.version``."""
    if notice.version is None:
        raise ValueError("a follow-up is appended after a known version only")
    occurred_at, actor = Promise.checked_when(occurred_at, actor)
    return [
        Promise.FollowUpSent(
            originator_id=notice.promise_id, originator_version=notice.version + offset,
            timestamp=Promise.FollowUpSent.create_timestamp(),
            purpose=one_of("purpose", draft.purpose, FOLLOW_UP_PURPOSES),
            message_id=text("message_id", str(message.id), max_length=300), due_at=notice.due_at,
            occurred_at=occurred_at, actor=actor,
        )
        for offset, (draft, message) in enumerate(zip(notice.drafts, messages, strict=True), start=1)
    ]
