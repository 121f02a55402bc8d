"""Notices: messages the scheduler sends because of something on a promise or a case.

Each notice is saved as ONE unit: the event on its source (``FollowUpSent`` on the promise,
``Acknowledged`` or ``SlaEscalated`` on the case) together with its queued messages. So a
message exists exactly when its source says it went out, and a second attempt at the same
notice finds either the source event (nothing to do) or the message id taken (a conflict:
someone else did it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain.messages.model import Draft


@dataclass(frozen=True)
class PromiseFollowUp:
    """Follow-ups of a promise for the due time it had when the scan saw it."""

    promise_id: UUID
    due_at: datetime
    drafts: tuple[Draft, ...]  # each draft's purpose is a promise follow-up purpose
    # The promise's version the scan saw (its read model), when the scan vouches that it was open,
    # due at ``due_at`` and without these follow-ups then: the events are appended after it
    # without loading the promise (``domain.messages.appends``). None: load it and check.
    version: int | None = None


@dataclass(frozen=True)
class CaseAcknowledgement:
    case_id: UUID
    draft: Draft


@dataclass(frozen=True)
class SlaNotice:
    """A target at risk or breached, escalated to the assignee and their manager."""

    case_id: UUID
    level: str  # at_risk or breached
    target: str
    cycle: int
    due_at: datetime | None
    drafts: tuple[Draft, ...]


Notice = PromiseFollowUp | CaseAcknowledgement | SlaNotice


@dataclass
class NoticeOutcome:
    """What a batch of notices came to."""

    done: int = 0  # recorded now
    already: int = 0  # recorded before (here or by another scheduler) or no longer due
    conflicts: int = 0  # the source changed meanwhile: the next scan tries again
    messages: int = 0  # messages queued
    position: int | None = None  # log position of the last saved event
    errors: list[str] = field(default_factory=list)  # notices refused by a rule, with the reason

    def __bool__(self) -> bool:
        """Whether anything happened worth a line in the log."""
        return bool(self.done or self.conflicts or self.errors)

    def __str__(self) -> str:
        shown = f"{self.done} recorded ({self.messages} messages queued), {self.already} done before, " \
                f"{self.conflicts} conflicts"
        return shown + (f", {len(self.errors)} refused" if self.errors else "")

    def add(self, other: NoticeOutcome) -> None:
        self.done += other.done
        self.already += other.already
        self.conflicts += other.conflicts
        self.messages += other.messages
        self.errors += other.errors
        if other.position is not None:
            self.position = max(self.position or 0, other.position)
