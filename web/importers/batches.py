"""Loading what an import touches, and saving its new events in batches.

Imports touch thousands of aggregates, so loading them one ``repository.get`` at a time
and saving one transaction per row is too slow (Maven set, 8,800 deals: ``get`` per id took
0.9 s on SQLite and 3.0 s on PostgreSQL, one pass over the log 0.5 s and 1.0 s).
``load_aggregates`` reads the events of the wanted aggregates in one pass over the
notification log (filtered by event topic), and
``BatchSaver`` saves many rows per ``Application.save`` call (one transaction). When a
batch hits a conflict (someone saved the same aggregate meanwhile), the batch is retried
row by row, and only the conflicting rows are rejected, with the domain's error message.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import IntegrityError, Notification, Recording
from eventsourcing.utils import get_topic

from domain.base import Entity
from domain.errors import AlreadyExistsError, ConflictError
from domain.service import Service

READ_BATCH = 5000


def event_topics(*classes: type[Entity]) -> list[str]:
    """Topics of every event class of ``classes`` (the events their streams can hold)."""
    return sorted({
        get_topic(value)
        for cls in classes for klass in cls.__mro__ for value in vars(klass).values()
        if isinstance(value, type) and issubclass(value, DomainEvent)
    })


def notifications(app: Service, topics: list[str]) -> Iterator[Notification]:
    """The log's events of ``topics``, in log order, read in batches (undecoded)."""
    start = 0
    while True:
        batch = app.recorder.select_notifications(start, READ_BATCH, topics=topics, inclusive_of_start=False)
        yield from batch
        if len(batch) < READ_BATCH:
            return
        start = batch[-1].id


def load_aggregates(app: Service, ids: Collection[UUID], classes: Iterable[type[Entity]]) -> dict[UUID, Entity]:
    """The current state of those of ``ids`` that are stored, in one pass over the log.

    Only events of ``classes`` are read; the rest of the log is skipped by the database.
    """
    wanted = set(ids)
    events: dict[UUID | str, list[Any]] = {}
    for notification in notifications(app, event_topics(*classes)):
        if notification.originator_id in wanted:
            events.setdefault(notification.originator_id, []).append(app.mapper.to_domain_event(notification))
    loaded: dict[UUID, Entity] = {}
    for stream in events.values():
        stream.sort(key=lambda e: e.originator_version)
        # What repository.get does (project_aggregate), minus its runtime-Protocol check per
        # event, which took half of the time of a re-run.
        aggregate = None
        for domain_event in stream:
            aggregate = domain_event.mutate(aggregate)
        if isinstance(aggregate, Entity):
            loaded[aggregate.id] = aggregate
    return loaded


@dataclass
class Pending:
    """One source row's new events, saved together or not at all."""

    key: Any
    aggregate: Entity
    events: list[Any]


class BatchSaver:
    """Collects rows' new events and saves them ``size`` rows per transaction."""

    def __init__(self, app: Service, on_conflict: Callable[[Any, str], None], size: int = 500,
                 check_only: bool = False) -> None:
        self.app = app
        self.on_conflict = on_conflict
        self.size = size
        self.check_only = check_only  # count what would be stored, store nothing
        self.events_stored = 0
        self.position: int | None = None  # of the last event stored
        self.created: Counter[str] = Counter()  # by kind: new aggregates
        self.changed: Counter[str] = Counter()  # by kind: stored aggregates given new events
        self._pending: list[Pending] = []

    def add(self, key: Any, aggregate: Entity) -> None:
        """Queue ``aggregate``'s pending events; ``key`` identifies the row when it is rejected."""
        if aggregate.pending_events:
            # A copy: save() takes them from the aggregate, and a failed batch is saved again.
            self._pending.append(Pending(key, aggregate, list(aggregate.pending_events)))
            if len(self._pending) >= self.size:
                self.flush()

    def flush(self) -> None:
        batch, self._pending = self._pending, []
        if not batch:
            return
        if self.check_only:
            self._count(batch, sum(len(pending.events) for pending in batch), None)
            return
        try:
            # Aggregates, not their events: save() checks each argument against runtime
            # Protocols, which cost a quarter of a first import when given every event.
            self._recorded(batch, self.app.save(*(pending.aggregate for pending in batch)))
        except IntegrityError:
            # The failed transaction wrote nothing: save row by row to find the conflicting ones.
            for pending in batch:
                try:
                    self._recorded([pending], self.app.save(*pending.events, pending.aggregate))
                except IntegrityError:
                    self.on_conflict(pending.key, conflict_reason(pending))

    def _recorded(self, batch: list[Pending], recordings: list[Recording[Any]]) -> None:
        self._count(batch, len(recordings), max((r.notification.id for r in recordings), default=None))

    def _count(self, batch: list[Pending], events: int, position: int | None) -> None:
        self.events_stored += events
        if position is not None:
            self.position = max(position, self.position or 0)
        for pending in batch:
            is_new = pending.events[0].originator_version == pending.aggregate.INITIAL_VERSION
            (self.created if is_new else self.changed)[pending.aggregate.kind] += 1


def conflict_reason(pending: Pending) -> str:
    """The message ``Service._save`` would raise for the same conflict."""
    aggregate = pending.aggregate
    if pending.events[0].originator_version == aggregate.INITIAL_VERSION:
        return str(AlreadyExistsError(aggregate.kind, aggregate.label))
    return str(ConflictError(aggregate.kind, aggregate.label, aggregate.id))
