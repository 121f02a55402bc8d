"""Recording an audit read: one save of a new ``AuditRead`` stream (no contention)."""

from __future__ import annotations

from datetime import datetime

from domain.audit.model import AuditRead
from domain.service import Receipt, Service


def record_audit_read(app: Service, *, channel: str, subject: str, query: dict[str, str], occurred_at: datetime,
                      actor: str) -> Receipt:
    """Record that ``actor`` read ``subject`` (an aggregate id or "export") with ``query``."""
    read = AuditRead.create(channel=channel, subject=subject, query=query, occurred_at=occurred_at, actor=actor)
    return app._save(read)
