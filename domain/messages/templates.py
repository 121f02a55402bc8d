"""Message templates: the subject and body an admin wrote for one purpose, versioned.

One template per purpose (its id derives from the purpose); each save is a new version, so
what a message said can always be traced to the template version of the day. The text is
Jinja source, checked and rendered (sandboxed) by the scheduler: the domain keeps it as text.
A purpose without a stored template uses the scheduler's built-in text.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import Entity
from domain.values import name_text, one_of, text

TEMPLATE_PURPOSES = ("customer_apology", "owner_reminder", "manager_escalation", "callback_reminder",
                     "acknowledgement", "sla_at_risk", "sla_breached")
TEMPLATE_PURPOSES += ("survey", "winback")  # outreach (scheduler/surveys.py, scheduler/winback.py)
TEMPLATE_PURPOSES += ("callback_confirmation",)  # a callback booked on the public page


def template_id(purpose: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/message-templates/{purpose}")


class MessageTemplate(Entity):
    kind = "Template"

    @classmethod
    def define(cls, *, purpose: str, subject: str, body: str, occurred_at: datetime, actor: str) -> MessageTemplate:
        occurred_at, actor = cls.checked_when(occurred_at, actor)
        purpose = one_of("purpose", purpose, TEMPLATE_PURPOSES)
        return cls(id=template_id(purpose), purpose=purpose, subject=name_text("subject", subject, max_length=300),
                   body=text("body", body, max_length=20_000), occurred_at=occurred_at, actor=actor)

    @event("Defined")
    def __init__(self, *, id: UUID, purpose: str, subject: str, body: str, occurred_at: datetime, actor: str) -> None:
        self.purpose = purpose
        self.subject = subject
        self.body = body
        self.last_occurred_at = occurred_at

    @property
    def label(self) -> str:
        return f"template {self.purpose}"

    def revise(self, *, subject: str, body: str, occurred_at: datetime, actor: str) -> bool:
        occurred_at, actor = self.checked_when(occurred_at, actor)
        subject, body = name_text("subject", subject, max_length=300), text("body", body, max_length=20_000)
        if (subject, body) == (self.subject, self.body):
            return False
        self._revised(subject=subject, body=body, occurred_at=occurred_at, actor=actor)
        return True

    @event("Revised")
    def _revised(self, subject: str, body: str, occurred_at: datetime, actor: str) -> None:
        self.subject = subject
        self.body = body
        self.last_occurred_at = occurred_at
