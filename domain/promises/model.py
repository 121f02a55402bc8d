"""The Promise aggregate: something we told a customer we would do, by when.

Callback requests are promises of kind ``callback`` (the due time is the slot the
customer chose). A promise is open until kept or cancelled; "overdue" is not stored,
it is an open promise whose ``due_at`` has passed, judged against the clock by readers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.base import Entity
from domain.errors import DomainError, InvalidValueError
from domain.personal import mark_personal
from domain.touchpoints.model import CHANNELS, clean_contact_point
from domain.upcasting import upcaster
from domain.values import aware, clean_timezone, email_address, one_of, text

PROMISE_KINDS = ("promise", "callback")
FOLLOW_UP_PURPOSES = ("customer_apology", "owner_reminder", "manager_escalation", "callback_reminder",
                      "callback_confirmation")
# Who holds a callback the customer booked on the public page: the queue every agent on callbacks
# works from, nobody in particular yet. The customer is sent its time and a link to cancel it.
CALLBACK_QUEUE = "team:callbacks"


class PromiseStateError(DomainError):
    """The promise is kept or cancelled: it cannot change any more."""


class Promise(Entity):
    kind = "Promise"

    @classmethod
    def make(
        cls,
        *,
        id: UUID,
        customer_id: UUID,
        what: str,
        due_at: datetime,
        owner: str,
        channel: str,
        promise_kind: str = "promise",
        contact_point: str | None = None,
        case_id: UUID | None = None,
        deal_id: UUID | None = None,
        timezone: str | None = None,
        reply_to: str | None = None,
        occurred_at: datetime,
        actor: str,
    ) -> Promise:
        """``timezone``: the zone the customer reads times in (the one the callback page showed
        them), so what we write them about the promise names its time on their clock.
        ``reply_to``: the address they asked on (a booking page), which what we write them goes to
        (a customer may have several)."""
        occurred_at, actor = cls.checked_when(occurred_at, actor)
        return cls(
            id=id, customer_id=customer_id, what=text("what", what, max_length=2000),
            due_at=aware("due_at", due_at), owner=text("owner", owner, max_length=200),
            channel=one_of("channel", channel, CHANNELS),
            promise_kind=one_of("kind", promise_kind, PROMISE_KINDS),
            contact_point=clean_contact_point(channel, contact_point),
            case_id=case_id, deal_id=deal_id, timezone=clean_timezone("timezone", timezone) if timezone else None,
            reply_to=email_address("reply_to", reply_to) if reply_to else None,
            occurred_at=occurred_at, actor=actor,
        )

    @event("Made")
    def __init__(
        self,
        *,
        id: UUID,
        customer_id: UUID,
        what: str,
        due_at: datetime,
        owner: str,
        channel: str,
        promise_kind: str,
        contact_point: str | None,
        case_id: UUID | None,
        deal_id: UUID | None,
        timezone: str | None,
        reply_to: str | None,
        occurred_at: datetime,
        actor: str,
    ) -> None:
        self.customer_id = customer_id
        self.what = what
        self.due_at = due_at
        self.owner = owner
        self.channel = channel
        self.promise_kind = promise_kind
        self.contact_point = contact_point
        self.case_id = case_id
        self.deal_id = deal_id
        self.timezone = timezone
        self.reply_to = reply_to
        self.status = "open"
        self.follow_ups: dict[str, str] = {}
        self.made_at = occurred_at
        self.last_occurred_at = occurred_at

    @property
    def label(self) -> str:
        return f"{self.promise_kind} {self.what!r}"

    def check_open(self, action: str) -> None:
        if self.status != "open":
            raise PromiseStateError(f"{self.label} is {self.status}: cannot {action} it")

    def is_overdue(self, now: datetime) -> bool:
        return self.status == "open" and self.due_at < now

    def keep(self, *, evidence: str, occurred_at: datetime, actor: str) -> None:
        self.check_open("keep")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._kept(evidence=text("evidence", evidence, max_length=5000), customer_id=self.customer_id,
                   on_time=occurred_at <= self.due_at, occurred_at=occurred_at, actor=actor)

    @event("Kept")
    def _kept(self, evidence: str, customer_id: UUID, on_time: bool, occurred_at: datetime, actor: str) -> None:
        self.status = "kept"
        self.last_occurred_at = occurred_at

    def reschedule(self, *, due_at: datetime, reason: str, occurred_at: datetime, actor: str) -> None:
        self.check_open("reschedule")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        due_at = aware("due_at", due_at)
        if due_at == self.due_at:
            raise InvalidValueError("due_at", "is the current due time already")
        if due_at < self.made_at:  # a new time for what was promised, not a rewrite of when it was
            raise InvalidValueError("due_at", f"is before the promise was made ({self.made_at:%Y-%m-%d %H:%M} UTC)")
        self._rescheduled(due_at=due_at, previous_due_at=self.due_at, reason=text("reason", reason, max_length=2000),
                          customer_id=self.customer_id, occurred_at=occurred_at, actor=actor)

    @event("Rescheduled")
    def _rescheduled(
        self, due_at: datetime, previous_due_at: datetime, reason: str, customer_id: UUID | None,
        occurred_at: datetime, actor: str
    ) -> None:
        self.due_at = due_at
        self.follow_ups = {}
        self.last_occurred_at = occurred_at

    def cancel(self, *, reason: str, occurred_at: datetime, actor: str) -> None:
        self.check_open("cancel")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._cancelled(reason=text("reason", reason, max_length=2000), customer_id=self.customer_id,
                        occurred_at=occurred_at, actor=actor)

    @event("Cancelled")
    def _cancelled(self, reason: str, customer_id: UUID | None, occurred_at: datetime, actor: str) -> None:
        self.status = "cancelled"
        self.last_occurred_at = occurred_at

    def hand_over(self, *, to_owner: str, note: str = "", occurred_at: datetime, actor: str) -> None:
        """Give an open promise to another owner (someone leaving, a shift ending): they are reminded
        of it from now on, and the note tells them what was agreed."""
        self.check_open("hand over")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        to_owner = text("owner", to_owner, max_length=200)
        if to_owner == self.owner:
            raise InvalidValueError("owner", "owns the promise already")
        self._handed_over(owner=to_owner, previous_owner=self.owner,
                          note=text("note", note, required=False, max_length=2000), customer_id=self.customer_id,
                          occurred_at=occurred_at, actor=actor)

    @event("HandedOver")
    def _handed_over(self, owner: str, previous_owner: str, note: str, customer_id: UUID, occurred_at: datetime,
                     actor: str) -> None:
        self.owner = owner
        self.last_occurred_at = occurred_at

    def record_follow_up(self, *, purpose: str, message_id: str, occurred_at: datetime, actor: str) -> bool:
        """Record a follow-up sent for this due time; False if that one went out already."""
        purpose = one_of("purpose", purpose, FOLLOW_UP_PURPOSES)
        if purpose in self.follow_ups:
            return False
        self.check_open("follow up")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._follow_up_sent(purpose=purpose, message_id=text("message_id", message_id, max_length=300),
                             due_at=self.due_at, occurred_at=occurred_at, actor=actor)
        return True

    @event("FollowUpSent")
    def _follow_up_sent(self, purpose: str, message_id: str, due_at: datetime, occurred_at: datetime, actor: str) -> None:
        self.follow_ups[purpose] = message_id
        self.last_occurred_at = occurred_at


# The customer's time zone hints at where they are: sealed with them, erased with them.
mark_personal(Promise.Made, "what", "contact_point", "timezone", "reply_to")
mark_personal(Promise.Kept, "evidence")
mark_personal(Promise.HandedOver, "note")
mark_personal(Promise.Rescheduled, "reason")  # agents' words about the person, like a handover note
mark_personal(Promise.Cancelled, "reason")


def _customer_not_recorded(state: dict[str, Any]) -> None:
    state["customer_id"] = None  # not recorded then: such a reason was stored in the clear, and stays so


upcaster(Promise.Rescheduled, from_version=1)(_customer_not_recorded)
upcaster(Promise.Cancelled, from_version=1)(_customer_not_recorded)


@upcaster(Promise.Made, from_version=1)
def _made_v1_v2(state: dict[str, Any]) -> None:
    state["timezone"] = None  # not asked then: times were written in the business's zone


@upcaster(Promise.Made, from_version=2)
def _made_v2_v3(state: dict[str, Any]) -> None:
    state["reply_to"] = None  # not recorded then: the customer's first address was written to
