"""``AuditRead``: one aggregate per audit read (who looked at what, which query, when).

A new stream per read means no two readers ever contend for one aggregate's version,
and the record is as durable and tamper-evident as every other event.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from eventsourcing.domain import event

from domain.base import Entity
from domain.values import one_of, text

CHANNELS = ("api", "panel", "cli")


class AuditRead(Entity):
    kind = "Audit read"

    @classmethod
    def create(cls, *, channel: str, subject: str, query: dict[str, str], occurred_at: datetime,
               actor: str) -> AuditRead:
        occurred_at, actor = cls.checked_when(occurred_at, actor)
        cleaned = {str(k): str(v)[:200] for k, v in query.items() if v is not None}
        return cls(id=uuid4(), channel=one_of("channel", channel, CHANNELS), subject=text("subject", subject, max_length=200), query=cleaned,
                   occurred_at=occurred_at, actor=actor)

    @event("Recorded")
    def __init__(self, *, id: UUID, channel: str, subject: str, query: dict[str, str], occurred_at: datetime,
                 actor: str) -> None:
        self.channel = channel
        self.subject = subject  # an aggregate id, or "export"
        self.query = query
        self.reader = actor
        self.last_occurred_at = occurred_at

    @property
    def label(self) -> str:
        return f"{self.reader} read {self.subject}"
