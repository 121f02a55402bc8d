"""The Message aggregate: one outbound message, recorded before it is sent (the outbox).

A message's id is uuid5 of its *cause* ("promise-overdue/<promise>/<due>/customer"...): two
schedulers, a retry or a restart that want to send a message for the same cause build the
same id, so the second creation collides in the event store and counts as "already done".
Its RFC 5322 Message-ID derives from that id, and its text is fixed when it is queued, so a
resend after a crash is the same message with the same Message-ID (receivers dedupe it).

Status: queued -> sent, or queued -> failed (retried with backoff) -> ... -> sent | gave_up;
a given-up message can be requeued by a person (the panel's retry).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import Entity
from domain.errors import DomainError
from domain.personal import mark_personal
from domain.values import MESSAGE_BODY, one_of, text

DELIVERY_CHANNELS = ("email", "sms", "messenger")
REPLY = "reply"  # the purpose of an agent's public reply: the one message that is a contact on its case
AUDIENCES = ("customer", "staff")
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)


class MessageStateError(DomainError):
    """The message's status does not allow that."""


def cause_of(*parts: object) -> str:
    """A cause as text: parts joined by "/", instants in UTC ISO form (so equal instants match)."""
    shown = [p.astimezone(UTC).isoformat() if isinstance(p, datetime) else str(p) for p in parts]
    return "/".join(shown)


def message_uuid(cause: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/messages/{cause}")


def rfc_message_id(message_id: UUID, domain: str) -> str:
    """The Message-ID header of the message: the same for every attempt."""
    return f"<{message_id.hex}@{domain}>"


def retry_delay(attempt: int) -> timedelta:
    """Wait after the ``attempt``-th failure: 1, 2, 4... minutes, at most 6 hours."""
    return min(FIRST_RETRY * 2 ** (attempt - 1), LONGEST_WAIT)


@dataclass(frozen=True)
class Draft:
    """What to send and why, rendered by the caller; its cause names the message."""

    cause: str
    purpose: str
    channel: str
    audience: str
    recipient: str | None
    subject: str
    body: str
    customer_id: UUID | None = None
    case_id: UUID | None = None
    promise_id: UUID | None = None

    @property
    def id(self) -> UUID:
        return message_uuid(self.cause)


class Message(Entity):
    kind = "Message"

    @classmethod
    def queue(cls, draft: Draft, *, mail_domain: str, occurred_at: datetime, actor: str) -> Message:
        occurred_at, actor = cls.checked_when(occurred_at, actor)
        message_id = draft.id
        return cls(
            id=message_id, message_id=rfc_message_id(message_id, text("mail_domain", mail_domain, max_length=200)),
            cause=text("cause", draft.cause, max_length=300), purpose=text("purpose", draft.purpose, max_length=40),
            channel=one_of("channel", draft.channel, DELIVERY_CHANNELS),
            audience=one_of("audience", draft.audience, AUDIENCES),
            recipient=text("recipient", draft.recipient, required=False, max_length=500) or None,
            subject=text("subject", draft.subject, max_length=300), body=text("body", draft.body, max_length=MESSAGE_BODY),
            customer_id=draft.customer_id, case_id=draft.case_id, promise_id=draft.promise_id,
            occurred_at=occurred_at, actor=actor,
        )

    @event("Queued")
    def __init__(
        self, *, id: UUID, message_id: str, cause: str, purpose: str, channel: str, audience: str,
        recipient: str | None, subject: str, body: str, customer_id: UUID | None, case_id: UUID | None,
        promise_id: UUID | None, occurred_at: datetime, actor: str,
    ) -> None:
        self.message_id = message_id
        self.cause = cause
        self.purpose = purpose
        self.channel = channel
        self.audience = audience
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.customer_id = customer_id
        self.case_id = case_id
        self.status = "queued"
        self.attempts = 0
        self.next_attempt_at: datetime | None = occurred_at
        self.last_occurred_at = occurred_at

    @property
    def label(self) -> str:
        return self.message_id

    def is_due(self, now: datetime) -> bool:
        return self.next_attempt_at is not None and self.next_attempt_at <= now

    def record_sent(self, *, occurred_at: datetime, actor: str) -> bool:
        """The server accepted the message; False if that was recorded already."""
        if self.status == "sent":
            return False
        if self.status == "gave_up":
            raise MessageStateError(f"message {self.message_id} was given up: requeue it first")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._sent(attempt=self.attempts + 1, occurred_at=occurred_at, actor=actor)
        return True

    @event("Sent")
    def _sent(self, attempt: int, occurred_at: datetime, actor: str) -> None:
        self.status = "sent"
        self.next_attempt_at = None
        self.last_occurred_at = occurred_at

    def record_failure(self, *, error: str, permanent: bool = False, occurred_at: datetime, actor: str) -> bool:
        """A delivery attempt failed: retry later with backoff, or give up when the error is
        permanent or the attempts are spent. False when the message is no longer being sent."""
        if self.status not in ("queued", "failed"):
            return False
        occurred_at, actor = self.checked_when(occurred_at, actor)
        error = text("error", error, max_length=1000)
        attempt = self.attempts + 1
        if permanent or attempt >= MAX_ATTEMPTS:
            self._gave_up(attempt=attempt, error=error, occurred_at=occurred_at, actor=actor)
        else:
            self._failed(attempt=attempt, error=error, next_attempt_at=occurred_at + retry_delay(attempt),
                         occurred_at=occurred_at, actor=actor)
        return True

    @event("Failed")
    def _failed(self, attempt: int, error: str, next_attempt_at: datetime, occurred_at: datetime, actor: str) -> None:
        self.status = "failed"
        self.attempts = attempt
        self.next_attempt_at = next_attempt_at
        self.last_occurred_at = occurred_at

    @event("GaveUp")
    def _gave_up(self, attempt: int, error: str, occurred_at: datetime, actor: str) -> None:
        self.status = "gave_up"
        self.attempts = attempt
        self.next_attempt_at = None
        self.last_occurred_at = occurred_at

    def requeue(self, *, occurred_at: datetime, actor: str) -> None:
        """A person asks for another try of a given-up message (same text, same Message-ID)."""
        if self.status != "gave_up":
            raise MessageStateError(f"message {self.message_id} is {self.status}: only a given-up message is retried")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._requeued(occurred_at=occurred_at, actor=actor)

    @event("Requeued")
    def _requeued(self, occurred_at: datetime, actor: str) -> None:
        self.status = "queued"
        self.attempts = 0
        self.next_attempt_at = occurred_at
        self.last_occurred_at = occurred_at


mark_personal(Message.Queued, "recipient", "subject", "body")
