"""What auditors read about one aggregate: its events (actor, business and recorded time,
log position) and its state as of a version, a business instant, or what was known at a
recorded instant. The panel's History page, the API and the CLI all read through here.

Secrets (``domain.users.model.secret_fields``: a password hash) never leave this module,
and API tokens' records are not shown at all (they would list integrators' tokens).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.domain import DomainEvent
from eventsourcing.utils import get_topic
from psycopg.sql import SQL, Identifier

from domain.audit.replay import Filter, as_of, known_at, replay, up_to_version
from domain.errors import InvalidValueError
from domain.tokens.commands import ApiTokenLogged
from domain.tokens.model import ApiToken, ApiTokenName
from domain.users.model import secret_fields
from domain.values import aware
from projections.audit_personal import learn_erasures
from projections.queries.service import get_case_by_code

INTERNAL = ("originator_id", "originator_version", "timestamp", "originator_topic")
HIDDEN = (ApiToken, ApiTokenName)
QUERY_FIELDS = ("version", "as_of", "known_at")


@cache
def hidden_topics() -> frozenset[str]:
    topics = {get_topic(ApiTokenLogged)}
    for aggregate in HIDDEN:
        topics |= {get_topic(v) for v in vars(aggregate).values() if isinstance(v, type) and issubclass(v, DomainEvent)}
    return frozenset(topics)


def plain(value: Any) -> Any:
    """JSON-ready copy: ids and money as strings, times in ISO 8601."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    return value


def describe(event: Any, position: int | None, topic: str | None = None) -> dict[str, Any]:
    """One event as auditors, followers of the feed and webhooks see it: type, version, position,
    who, both times, fields (secrets left out). ``topic``: as stored, when the caller has it."""
    hidden = secret_fields(type(event))  # e.g. a password hash: never leaves the event store
    state = {k: v for k, v in vars(event).items() if k not in INTERNAL and k not in hidden}
    topic = topic or get_topic(type(event))
    return {
        "position": position, "aggregate_id": event.originator_id, "aggregate_version": event.originator_version,
        "type": topic.partition(":")[2] or topic, "occurred_at": state.get("occurred_at"),
        "recorded_at": event.timestamp, "actor": state.get("actor"), "data": plain(state),
    }


def secret_attributes(aggregate: Any) -> frozenset[str]:
    """State attributes not to show: those named like a secret field of the aggregate's events."""
    found: set[str] = set()
    for value in vars(type(aggregate)).values():
        if isinstance(value, type):
            found |= secret_fields(value)
    return frozenset(found)


def state_of(aggregate: Any) -> dict[str, Any]:
    """The aggregate's attributes, secrets left out (values as they are, not made plain)."""
    hidden = secret_attributes(aggregate)
    return {k: v for k, v in sorted(vars(aggregate).items()) if not k.startswith("_") and k not in hidden}


def resolve(app: Any, views: sa.Engine, raw: str) -> UUID | None:
    """A UUID, or a case tracking code (CASE-004044) looked up in the cases read model."""
    wanted = (raw or "").strip()
    try:
        return UUID(wanted)
    except ValueError:
        pass
    if not wanted or len(wanted) > 60:
        return None
    try:
        with views.connect() as conn:
            case = get_case_by_code(conn, wanted)
    except sa.exc.DBAPIError:  # read models not built yet
        return None
    return UUID(case["id"]) if case else None


def head_version(app: Any, key: UUID) -> int | None:
    """The aggregate's current version, or None when it does not exist or is hidden."""
    last = list(app.events.get(key, desc=True, limit=1))
    if not last or get_topic(type(last[0])) in hidden_topics():
        return None
    return int(last[0].originator_version)


def positions(app: Any, key: UUID, versions: list[int]) -> dict[int, int]:
    """Log position of each of the aggregate's ``versions`` (SQLite rowid / PostgreSQL notification_id)."""
    recorder = app.recorder
    table = getattr(recorder, "events_table_name", None)
    datastore = getattr(recorder, "datastore", None)
    if not versions or table is None or datastore is None:
        return {}  # the in-memory store has no positions per stream
    low, high = min(versions), max(versions)
    with datastore.transaction(commit=False) as cursor:
        if hasattr(datastore, "schema"):  # PostgreSQL
            cursor.execute(SQL("SELECT originator_version, notification_id FROM {}.{} WHERE originator_id = %s "
                               "AND originator_version BETWEEN %s AND %s").format(
                Identifier(datastore.schema), Identifier(table)), (key, low, high))
            return {r["originator_version"]: r["notification_id"] for r in cursor.fetchall()}
        cursor.execute(f"SELECT originator_version, rowid FROM {table} WHERE originator_id = ? "
                       "AND originator_version BETWEEN ? AND ?", (key.hex, low, high))
        return {r[0]: r[1] for r in cursor.fetchall()}


def events_page(app: Any, key: UUID, *, after_version: int = 0, limit: int = 100) -> tuple[list[dict[str, Any]], bool]:
    """Up to ``limit`` described events after ``after_version`` and whether more follow."""
    learn_erasures(app)  # an erasure made by another process shows here too
    stored = list(app.events.get(key, gt=after_version or None, limit=limit + 1))
    page = stored[:limit]
    found = positions(app, key, [e.originator_version for e in page])
    return [describe(e, found.get(e.originator_version)) for e in page], len(stored) > limit


@dataclass
class AsOf:
    """What was asked: at most one of a version, a business instant, a recorded instant."""

    version: int | None = None
    as_of: datetime | None = None
    known_at: datetime | None = None

    @classmethod
    def checked(cls, version: int | None = None, as_of: datetime | None = None,
                known_at: datetime | None = None) -> AsOf:
        given = [n for n, v in zip(QUERY_FIELDS, (version, as_of, known_at), strict=True) if v is not None]
        if len(given) > 1:
            raise InvalidValueError(given[1], f"give at most one of version, as_of and known_at (got {', '.join(given)})")
        for name, value in (("as_of", as_of), ("known_at", known_at)):
            if value is not None:
                aware(name, value)
        if version is not None and version < 1:
            raise InvalidValueError("version", "must be 1 or more")
        return cls(version, as_of, known_at)

    def query(self) -> dict[str, str]:
        """For the audit-read record."""
        values = {"version": self.version, "as_of": self.as_of, "known_at": self.known_at}
        return {k: (v.isoformat() if isinstance(v, datetime) else str(v)) for k, v in values.items() if v is not None}

    def keep(self, head: int) -> Filter:
        if self.as_of is not None:
            return as_of(self.as_of)
        if self.known_at is not None:
            return known_at(self.known_at)
        if self.version is not None and self.version > head:
            raise InvalidValueError("version", f"there is no version {self.version}: versions run from 1 to {head}")
        return up_to_version(self.version or head)


@dataclass
class State:
    """An aggregate's state as asked: ``aggregate`` is None when it did not exist then."""

    id: UUID
    kind: str
    head: int
    asked: AsOf
    aggregate: Any | None
    events_applied: int
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> int | None:
        return None if self.aggregate is None else int(self.aggregate.version)


def state_as_of(app: Any, key: UUID, asked: AsOf) -> State | None:
    """The aggregate replayed as asked; None when there is no such (visible) aggregate."""
    learn_erasures(app)
    head = head_version(app, key)
    if head is None:
        return None
    keep = asked.keep(head)
    lte = asked.version if asked.version is not None else None
    aggregate, kept = replay(app.events.get(key, lte=lte), keep)
    kind = type(aggregate).__name__ if aggregate is not None else _kind(app, key)
    return State(key, kind, head, asked, aggregate, len(kept), state_of(aggregate) if aggregate is not None else {})


def _kind(app: Any, key: UUID) -> str:
    first = next(iter(app.events.get(key, limit=1)))
    return str(type(first).__qualname__).partition(".")[0]
