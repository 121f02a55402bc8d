"""The Touchpoint aggregate: one contact with a customer, on one channel, never edited in place.

One aggregate per touchpoint, so agents logging contacts never contend. Mistakes are
fixed by ``Corrected`` (what changed and why) or ``Retracted``; the original stays.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.base import Entity
from domain.errors import DomainError, InvalidValueError
from domain.personal import mark_personal
from domain.upcasting import upcaster
from domain.values import email_address, one_of, phone_number, text

CHANNELS = ("phone", "email", "sms", "chat", "messenger", "social", "web_form", "visit", "callback")
PHONE_CHANNELS = ("phone", "sms", "callback")
DIRECTIONS = ("inbound", "outbound")
TOUCHPOINT_KINDS = ("inquiry", "complaint", "request", "feedback", "sales", "follow_up", "other")
SUMMARY_MAX = 20_000
CORRECTABLE = ("channel", "direction", "kind", "subject", "summary", "occurred_at")


class TouchpointRetractedError(DomainError):
    """A retracted touchpoint cannot be corrected or retracted again."""


def clean_contact_point(channel: str, value: str | None) -> str | None:
    """Where a contact on ``channel`` reached or reaches the customer: an email address on email,
    a phone number on phone, SMS and callbacks (replies and callbacks use it), else free text
    (a handle, a desk)."""
    cleaned = text("contact_point", value, required=False, max_length=500) or None
    if cleaned is None:
        return None
    if channel == "email":
        return email_address("contact_point", cleaned)
    if channel in PHONE_CHANNELS:
        return phone_number("contact_point", cleaned)
    return cleaned


def _cleaned_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Validate the fields a touchpoint is recorded or corrected with."""
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name == "channel":
            cleaned[name] = one_of("channel", value, CHANNELS)
        elif name == "direction":
            cleaned[name] = one_of("direction", value, DIRECTIONS)
        elif name == "kind":
            cleaned[name] = one_of("kind", value, TOUCHPOINT_KINDS)
        elif name == "subject":
            cleaned[name] = text("subject", value, max_length=300)
        elif name == "summary":
            cleaned[name] = text("summary", value, required=False, max_length=SUMMARY_MAX)
        elif name == "occurred_at":
            cleaned[name] = Entity.checked_when(value, "-")[0]
        else:
            raise InvalidValueError(name, f"cannot be corrected; correctable: {', '.join(CORRECTABLE)}")
    return cleaned


class Touchpoint(Entity):
    kind = "Touchpoint"

    @classmethod
    def record(
        cls,
        *,
        id: UUID,
        customer_id: UUID,
        channel: str,
        direction: str,
        kind: str,
        subject: str,
        summary: str = "",
        contact_point: str | None = None,
        case_id: UUID | None = None,
        deal_id: UUID | None = None,
        promise_id: UUID | None = None,
        external_ref: str | None = None,
        occurred_at: datetime,
        actor: str,
    ) -> Touchpoint:
        occurred_at, actor = cls.checked_when(occurred_at, actor)
        fields = _cleaned_fields(
            {"channel": channel, "direction": direction, "kind": kind,
             "subject": subject, "summary": summary}
        )
        return cls(
            id=id, customer_id=customer_id, **fields,
            contact_point=clean_contact_point(fields["channel"], contact_point),
            case_id=case_id, deal_id=deal_id, promise_id=promise_id,
            external_ref=external_ref, occurred_at=occurred_at, actor=actor,
        )

    @event("Recorded")
    def __init__(
        self,
        *,
        id: UUID,
        customer_id: UUID,
        channel: str,
        direction: str,
        kind: str,
        subject: str,
        summary: str,
        contact_point: str | None,
        case_id: UUID | None,
        deal_id: UUID | None,
        promise_id: UUID | None,
        external_ref: str | None,
        occurred_at: datetime,
        actor: str,
    ) -> None:
        self.customer_id = customer_id
        self.channel = channel
        self.direction = direction
        self.touch_kind = kind
        self.subject = subject
        self.summary = summary
        self.contact_point = contact_point
        self.case_id = case_id
        self.deal_id = deal_id
        self.promise_id = promise_id
        self.external_ref = external_ref
        self.occurred_at = occurred_at
        self.recorded_by = actor
        # As first recorded (corrections change ``channel`` and ``occurred_at``): what a
        # retraction takes back from the figures that counted it.
        self.recorded_channel = channel
        self.recorded_at = occurred_at
        self.retracted = False
        self.last_occurred_at = occurred_at

    @property
    def label(self) -> str:
        return f"{self.channel} touchpoint {self.subject!r}"

    def check_not_retracted(self) -> None:
        if self.retracted:
            raise TouchpointRetractedError(f"touchpoint {self.id} was retracted")

    def correct(self, *, changes: dict[str, Any], reason: str, occurred_at: datetime, actor: str) -> bool:
        """Correct some fields; returns False when nothing actually changes."""
        self.check_not_retracted()
        occurred_at, actor = self.checked_when(occurred_at, actor)
        cleaned = _cleaned_fields(changes)
        current = {"kind": self.touch_kind}
        real = {k: v for k, v in cleaned.items() if current.get(k, getattr(self, k, None)) != v}
        if not real:
            return False
        self._corrected(changes=real, reason=text("reason", reason, max_length=1000),
                        customer_id=self.customer_id, occurred_at=occurred_at, actor=actor)
        return True

    @event("Corrected")
    def _corrected(
        self, changes: dict[str, Any], reason: str, customer_id: UUID, occurred_at: datetime, actor: str
    ) -> None:
        for name, value in changes.items():
            setattr(self, "touch_kind" if name == "kind" else name, value)
        self.last_occurred_at = occurred_at

    def retract(self, *, reason: str, occurred_at: datetime, actor: str) -> None:
        self.check_not_retracted()
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._retracted(reason=text("reason", reason, max_length=1000), customer_id=self.customer_id,
                        recorded_channel=self.recorded_channel, recorded_at=self.recorded_at,
                        occurred_at=occurred_at, actor=actor)

    @event("Retracted")
    def _retracted(self, reason: str, customer_id: UUID, recorded_channel: str | None, recorded_at: datetime | None,
                   occurred_at: datetime, actor: str) -> None:
        self.retracted = True
        self.last_occurred_at = occurred_at


@upcaster(Touchpoint.Retracted, from_version=1)
def _retracted_v1_v2(state: dict[str, Any]) -> None:
    """Version 1 did not say what it took back; read models leave their figures as they were."""
    state["recorded_channel"] = None
    state["recorded_at"] = None


mark_personal(Touchpoint.Recorded, "subject", "summary", "contact_point")
mark_personal(Touchpoint.Corrected, "changes.subject", "changes.summary")  # a corrected channel is not personal
mark_personal(Touchpoint.Retracted, "reason")
