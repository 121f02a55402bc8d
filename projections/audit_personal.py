"""Audit reads and the export/import of events whose personal fields are sealed per customer.

An export line carries each event as the transcoder's plain JSON (the personal fields opened,
or ``[erased]`` once their customer was erased), never ciphertext nor keys: the file reads the
same on any store. Import seals those fields again with the new store's own keys (and an
``Erased`` event in the file destroys them again), all in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import TopicError, resolve_topic

from domain.personal import is_erasure, personal_paths


def learn_erasures(app: Any) -> None:
    """Audit reads see erasures made by other processes: learn them before decoding."""
    keyring = getattr(app.mapper, "keyring", None)
    if keyring is not None:
        keyring.refresh_erasures()


@cache
def _class(topic: str) -> Any:
    try:
        return resolve_topic(topic)
    except TopicError:
        return None


def is_sealed_topic(app: Any, topic: str) -> bool:
    return hasattr(app.mapper, "keyring") and bool(personal_paths(_class(topic)))


def _plain_mapper(app: Any) -> Mapper[UUID]:
    return Mapper(app.mapper.transcoder)


def opened_state(app: Any, notification: Any) -> bytes:
    """The event's JSON with its personal fields opened (or erased), as if never sealed."""
    event = app.mapper.to_domain_event(notification)
    return _plain_mapper(app).to_stored_event(event).state


def sealed_event(app: Any, originator_id: UUID, version: int, topic: str, plain: bytes) -> StoredEvent:
    """An imported event with its personal fields sealed under this store's keys."""
    event = _plain_mapper(app).to_domain_event(StoredEvent(originator_id, version, topic, plain))
    return app.mapper.to_stored_event(event)  # type: ignore[no-any-return]


def insert_all(app: Any, batches: Iterable[Sequence[StoredEvent]]) -> None:
    """Insert every batch in one transaction when the recorder can (a failure leaves nothing);
    new keys count as committed after it, and an erasure in a batch applies to later ones."""
    keyring = getattr(app.mapper, "keyring", None)
    seen: list[UUID] = []

    def watched() -> Iterator[Sequence[StoredEvent]]:
        for batch in batches:
            yield batch
            for e in batch:
                seen.extend(s for s, _ in getattr(e, "new_keys", ()))
                if keyring is not None and is_erasure(_class(e.topic)):
                    keyring.mark_erased(e.originator_id)  # type: ignore[arg-type]

    insert_batches = getattr(app.recorder, "insert_batches", None)
    if insert_batches is not None:
        insert_batches(watched())
    else:  # the in-memory store: no transaction spans calls
        for batch in watched():
            app.recorder.insert_events(batch)
    if keyring is not None:
        keyring.committed(seen)
