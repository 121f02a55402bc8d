"""The mapper that seals personal fields on the way into the store and opens them on the way out.

Domain events in memory stay plaintext: only ``to_stored_event`` / ``to_domain_event`` change.
An event class with no marked fields (``domain.personal``) takes the library's own path, byte
for byte as before. A stored event that introduces a new data key carries it
(``SealedStoredEvent.new_keys``) so the recorder inserts the key in the save's own transaction.
``SealedEventStore`` retries a save whose new key lost a race with another process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import (
    EventStore,
    Mapper,
    Notification,
    Recording,
    StoredEvent,
    Transcoder,
)

from domain.personal import ERASED, Path, is_erasure, personal_paths, subject_field
from projections.crypto import KeyRing, Sealed, map_leaves, seal, unseal

_INTERNAL = ("originator_id", "originator_version")


def _plain(value: Any, encode: Any) -> bytes:
    """A leaf's bytes to seal: text as UTF-8 (most leaves; no JSON round trip), else the transcoder's JSON."""
    return b"s" + value.encode() if isinstance(value, str) else b"j" + encode(value)


class KeyConflictError(Exception):
    """A new data key lost to one made (or an erasure recorded) by another process first."""

    def __init__(self, subjects: list[UUID]) -> None:
        super().__init__(f"data keys of {len(subjects)} subject(s) were created elsewhere first")
        self.subjects = subjects


@dataclass(frozen=True)
class SealedStoredEvent(StoredEvent):
    new_keys: tuple[tuple[UUID, bytes], ...] = ()  # (subject, stored key) to insert with the event


@dataclass(frozen=True)
class _Plan:
    subject: str
    paths: tuple[tuple[Path, str], ...]  # path, and its text for the associated data


class SealingMapper(Mapper[UUID]):
    """A Mapper whose ``keyring`` seals and opens the marked fields."""

    def __init__(self, transcoder: Transcoder, keyring: KeyRing, **kwargs: Any) -> None:
        super().__init__(transcoder, **kwargs)
        self.keyring = keyring
        self._plans: dict[type[Any], _Plan | None] = {}

    def _plan(self, cls: type[Any]) -> _Plan | None:
        try:
            return self._plans[cls]
        except KeyError:
            paths, subject = personal_paths(cls), subject_field(cls)
            plan = _Plan(subject, tuple((p, ".".join(p)) for p in paths)) if paths and subject else None
            self._plans[cls] = plan
            return plan

    def prefetch_keys(self, domain_events: Sequence[Any]) -> None:
        """Look up the keys the events will be sealed with, in one query (``KeyRing.prefetch``)."""
        if len(domain_events) > 1:
            self.keyring.prefetch(getattr(e, plan.subject) for e in domain_events
                                  if (plan := self._plan(type(e))) and getattr(e, plan.subject, None) is not None)

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        plan = self._plan(type(domain_event))
        subject = getattr(domain_event, plan.subject) if plan else None
        if plan is None or subject is None or self.keyring.table is None:  # no key table: nothing to seal with
            return super().to_stored_event(domain_event)
        key, new_key = self.keyring.for_write(subject)
        state = dict(vars(domain_event))
        aad = domain_event.originator_id.bytes
        encode = self.transcoder.encode
        for path, text in plan.paths:
            field = path[0]
            if field not in state:
                continue
            if isinstance(key, AESGCM):
                label = aad + text.encode()
                state[field] = map_leaves(state[field], path[1:],
                                          lambda v, k=key, a=label: v if v is None else seal(k, _plain(v, encode), a))
            else:  # erased before this was written: nothing personal is stored at all
                state[field] = map_leaves(state[field], path[1:], lambda v: ERASED)
        proxy = object.__new__(type(domain_event))
        proxy.__dict__.update(state)
        stored = super().to_stored_event(proxy)
        keys = ((subject, new_key),) if new_key is not None else ()
        return SealedStoredEvent(stored.originator_id, stored.originator_version, stored.topic, stored.state, keys)

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        event = super().to_domain_event(stored_event)
        plan = self._plan(type(event))
        if plan is not None:
            subject = getattr(event, plan.subject, None)
            if subject is not None:
                self._open(event, plan, self.keyring.for_read(subject))
        if is_erasure(type(event)):
            self.keyring.mark_erased(event.originator_id)
        return event

    def _open(self, event: Any, plan: _Plan, key: AESGCM | str | None) -> None:
        state = event.__dict__
        aad = event.originator_id.bytes
        decode = self.transcoder.decode
        for path, text in plan.paths:
            field = path[0]
            if field not in state:
                continue
            if key == ERASED:  # plaintext written before sealing existed is masked too
                state[field] = map_leaves(state[field], path[1:], lambda v: ERASED)
                continue
            label = aad + text.encode()

            def open_leaf(value: Any, label: bytes = label) -> Any:
                nonlocal key
                if not isinstance(value, Sealed):
                    return value
                if key is None:  # sealed by another process since this one last looked
                    key = self.keyring.for_read(getattr(event, plan.subject), refresh=True)
                if not isinstance(key, AESGCM):
                    return ERASED
                plain = unseal(key, value, label)
                if plain is None:
                    return ERASED
                return plain[1:].decode() if plain[:1] == b"s" else decode(plain[1:])

            state[field] = map_leaves(state[field], path[1:], open_leaf)


class SealedEventStore(EventStore[UUID]):
    """Marks new data keys committed once their save is, and retries a save whose new key lost
    a race (its events are sealed again with the winner's key, or erased)."""

    mapper: SealingMapper

    def put(self, domain_events: Sequence[Any], **kwargs: Any) -> list[Recording[UUID]]:
        for attempt in range(3):
            self.mapper.prefetch_keys(domain_events)
            stored = [self.mapper.to_stored_event(e) for e in domain_events]
            try:
                ids = self.recorder.insert_events(stored, **kwargs)
            except KeyConflictError as conflict:
                self.mapper.keyring.discard_pending(conflict.subjects)
                if attempt == 2:
                    raise
                continue
            keyring = self.mapper.keyring
            keyring.committed(s for e in stored for s, _ in getattr(e, "new_keys", ()))
            for event in domain_events:
                if is_erasure(type(event)):  # this process reads it as erased at once
                    keyring.mark_erased(event.originator_id)
            return [Recording(d, Notification(originator_id=s.originator_id, originator_version=s.originator_version,
                                              topic=s.topic, state=s.state, id=n))
                    for d, s, n in zip(domain_events, stored, ids or (), strict=False)]
        raise AssertionError("unreachable")
