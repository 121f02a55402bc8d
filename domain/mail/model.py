"""``InboundMail``: one email that reached us, and what became of it.

Its id derives from the mail's key (its Message-ID, else the SHA-256 of its bytes), so the
same mail delivered twice (an SMTP retry, an IMAP poll after a crash) collides in the event
store and is recorded once. A mail is either ``recorded`` (a touchpoint, perhaps a case) or
``quarantined`` with a reason (malformed, or automatic mail that threads into no case); its
raw bytes are kept by the transport's store under ``raw_sha256``, so a quarantined mail can
be processed again (``Released``) and is never lost.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import Entity
from domain.errors import DomainError
from domain.personal import mark_personal
from domain.values import text

OUTCOMES = ("case_opened", "threaded", "automatic_threaded")


class MailStateError(DomainError):
    """Only a quarantined mail can be released."""


def inbound_mail_id(key: str) -> UUID:
    """The record of the mail with this key (a Message-ID as sent, or ``sha256:<hex>``)."""
    return uuid5(NAMESPACE_URL, f"/inbound-mail/{key.strip().lower()}")


def derived(mail_id: UUID, what: str) -> UUID:
    """Ids of what a mail creates (its touchpoint, case, customer), so a retry builds the same ones."""
    return uuid5(NAMESPACE_URL, f"/inbound-mail/{mail_id}/{what}")


class InboundMail(Entity):
    kind = "Inbound mail"

    @event("Received")
    def __init__(
        self, *, id: UUID, key: str, message_id: str | None, sender: str, subject: str, status: str,
        reason: str | None, outcome: str | None, customer_id: UUID | None, case_id: UUID | None,
        touchpoint_id: UUID | None, attachments: list[dict[str, Any]], raw_sha256: str, size: int,
        occurred_at: datetime, actor: str,
    ) -> None:
        self.key, self.message_id, self.sender, self.subject = key, message_id, sender, subject
        self.status, self.reason, self.outcome = status, reason, outcome
        self.customer_id, self.case_id, self.touchpoint_id = customer_id, case_id, touchpoint_id
        self.attachments = attachments
        self.raw_sha256, self.size = raw_sha256, size
        self.last_occurred_at = occurred_at

    @property
    def label(self) -> str:
        return self.message_id or self.key

    def release(self, *, outcome: str, customer_id: UUID, case_id: UUID | None, touchpoint_id: UUID,
                attachments: list[dict[str, Any]], occurred_at: datetime, actor: str) -> None:
        """The quarantined mail was processed again and recorded."""
        if self.status != "quarantined":
            raise MailStateError(f"mail {self.label} is {self.status}, not quarantined")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._released(outcome=outcome, customer_id=customer_id, case_id=case_id, touchpoint_id=touchpoint_id,
                       attachments=attachments, occurred_at=occurred_at, actor=actor)

    @event("Released")
    def _released(self, outcome: str, customer_id: UUID, case_id: UUID | None, touchpoint_id: UUID,
                  attachments: list[dict[str, Any]], occurred_at: datetime, actor: str) -> None:
        self.status, self.reason, self.outcome = "recorded", None, outcome
        self.customer_id, self.case_id, self.touchpoint_id = customer_id, case_id, touchpoint_id
        self.attachments = attachments
        self.last_occurred_at = occurred_at

    @staticmethod
    def checked_header(name: str, value: str | None, max_length: int = 998) -> str:
        return text(name, value, required=False, max_length=max_length)


mark_personal(InboundMail.Received, "sender", "subject")
