"""The base of the Touchline Application: loading, saving, and what a command returns.

Every command follows the library's pattern (get aggregate, call method, save) through
``_get`` and ``_save``, which translate storage outcomes into domain errors:
a concurrent change becomes ``ConflictError`` naming the record, a duplicate natural
key ``AlreadyExistsError``, a missing aggregate ``NotFoundError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, Recording

from domain.base import Entity
from domain.errors import AlreadyExistsError, ConflictError, NotFoundError, StaleVersionError

E = TypeVar("E", bound=Entity)


class Receipt(NamedTuple):
    """What a command returns: the aggregate, its new version, and the log position of
    its last new event (None when the command changed nothing)."""

    id: UUID
    version: int
    position: int | None


class Service(Application[UUID]):
    name = "Touchline"
    log_section_size = 1000
    env = {"PERSISTENCE_MODULE": "eventsourcing.popo"}

    def _get(
        self, cls: type[E], aggregate_id: UUID, expected_version: int | None = None, *, version: int | None = None
    ) -> E:
        """Load an aggregate of type ``cls`` (as of ``version`` when given, for history);
        check ``expected_version`` when given (If-Match)."""
        try:
            aggregate = self.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            raise NotFoundError(cls.kind, aggregate_id) from None
        if not isinstance(aggregate, cls):
            raise NotFoundError(cls.kind, aggregate_id)
        if expected_version is not None and aggregate.version != expected_version:
            raise StaleVersionError(cls.kind, aggregate.label, expected_version, aggregate.version)
        return aggregate

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """``Application.save``, collecting our own aggregates' events without the library's
        ``isinstance`` checks against runtime-checkable Protocols: on Python 3.11 each walks
        the protocol's members, two per aggregate saved (a twentieth of an API write)."""
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        for obj in objs:
            if isinstance(obj, Entity):
                processing_event.events.extend(obj.collect_events())
                processing_event.aggregates[obj.id] = obj
            else:  # an event, or another kind of aggregate: as the library does
                processing_event.collect_events(obj)
        processing_event.collect_events(**kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # type: ignore[arg-type]  # deprecated, still called by the library
        return recordings

    def _exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.repository

    def _save(self, primary: Entity, *others: Any, first: Sequence[Any] = ()) -> Receipt:
        """Save ``primary`` and ``others`` in one transaction and return ``primary``'s receipt.
        ``first``: aggregates whose events go before ``primary``'s in the log (a customer registered
        with their first case: a follower reading in log order meets the customer first)."""
        first_pending = primary.pending_events[0].originator_version if primary.pending_events else None
        try:
            recordings = self.save(*first, primary, *others)
        except IntegrityError:
            if first_pending == primary.INITIAL_VERSION:
                raise AlreadyExistsError(primary.kind, primary.label) from None
            raise ConflictError(primary.kind, primary.label, primary.id) from None
        position = max((r.notification.id for r in recordings), default=None)
        return Receipt(primary.id, primary.version, position)

    def _save_all(self, aggregates: list[E]) -> list[Receipt]:
        """Save new ``aggregates`` in one transaction (all or none) and return their receipts."""
        try:
            recordings = self.save(*aggregates)
        except IntegrityError:  # ids taken: a retry of a batch already saved (ids from the same Idempotency-Key)
            kind = aggregates[0].kind if aggregates else "Record"
            raise AlreadyExistsError(kind, "of this batch (recorded by an earlier request with this "
                                           "Idempotency-Key; nothing was recorded now)") from None
        positions: dict[UUID, int] = {}
        for recording in recordings:
            originator = recording.domain_event.originator_id
            positions[originator] = max(positions.get(originator, 0), recording.notification.id)
        return [Receipt(a.id, a.version, positions.get(a.id)) for a in aggregates]

    def _unchanged(self, aggregate: Entity) -> Receipt:
        return Receipt(aggregate.id, aggregate.version, None)
