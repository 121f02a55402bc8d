"""Field-level encryption of personal data with one key per data subject (crypto-shredding).

The fields ``domain.personal`` marks are stored as ``Sealed`` values: AES-256-GCM with the
subject's own data key, a fresh 96-bit nonce each, and the event's aggregate id and the
field's path as associated data (a sealed value copied into another event does not open).
Destroying the key (``Customer.Erased``) leaves the ciphertext in place, so the hash chain
still verifies, while every reader sees ``domain.personal.ERASED`` instead.

Keys live in ``<events table>_keys`` beside the events (``projections.keys_sqlite`` and
``projections.keys_pg``), optionally wrapped with a master key from ``TOUCHLINE_MASTER_KEY``.
``KeyRing`` caches them per process; see its docstring for what that means after an erasure.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import Transcoding

from domain.personal import ERASED, Path

NONCE = 12
ERASURES_REFRESH = 5.0  # seconds: how stale a writer's knowledge of other processes' erasures may be
_ABSENT = "absent"  # cached: the key table has no row for the subject
PREFETCH_BATCH = 500  # subjects per query: well under every database's limit of bound parameters


class Sealed:
    """An encrypted leaf: nonce || AES-GCM ciphertext and tag."""

    __slots__ = ("blob",)

    def __init__(self, blob: bytes) -> None:
        self.blob = blob

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.blob == self.blob

    def __hash__(self) -> int:
        return hash(self.blob)


class SealedAsBase64(Transcoding):
    type = Sealed
    name = "sealed"

    def encode(self, obj: Sealed) -> str:
        return base64.b64encode(obj.blob).decode()

    def decode(self, data: str) -> Sealed:
        return Sealed(base64.b64decode(data))


def map_leaves(value: Any, path: Path, fn: Callable[[Any], Any]) -> Any:
    """``value`` with ``fn`` applied to each leaf that ``path`` (after its first part) names."""
    if not path:
        return fn(value)
    head, rest = path[0], path[1:]
    if head == "[]":
        return [map_leaves(item, rest, fn) for item in value] if isinstance(value, list) else value
    if isinstance(value, dict) and head in value:
        return {**value, head: map_leaves(value[head], rest, fn)}
    return value


def leaves(value: Any, path: Path) -> list[Any]:
    found: list[Any] = []
    map_leaves(value, path, found.append)
    return found


class KeyTable(Protocol):
    """What the recorders provide: reads of the key table (writes happen inside their saves)."""

    def fetch_key(self, subject: UUID) -> tuple[bytes | None, str] | None: ...

    def fetch_keys(self, subjects: Sequence[UUID]) -> Iterable[tuple[UUID, bytes | None, str]]: ...

    def fetch_all_keys(self) -> Iterable[tuple[UUID, bytes | None, str]]: ...

    def fetch_erased(self) -> list[UUID]: ...


class MasterKeyError(ValueError):
    """``TOUCHLINE_MASTER_KEY`` is not a key (the message says what one looks like)."""


class MasterKey:
    """Wraps data keys (AES-GCM, the subject id as associated data) when configured."""

    def __init__(self, encoded: str | None) -> None:
        self._aead: AESGCM | None = None
        self.key_id = ""
        if encoded:
            try:
                raw = base64.b64decode(encoded, validate=True)
            except ValueError:  # binascii.Error: bad padding or characters
                raw = b""
            if len(raw) != 32:
                raise MasterKeyError("TOUCHLINE_MASTER_KEY must be 32 bytes, base64-encoded "
                                     "(e.g. from: python3 -c \"import os, base64; print(base64.b64encode(os.urandom(32)).decode())\")")
            self._aead, self.key_id = AESGCM(raw), hashlib.sha256(raw).hexdigest()[:16]

    def wrap(self, subject: UUID, key: bytes) -> bytes:
        if self._aead is None:
            return key
        nonce = os.urandom(NONCE)
        return nonce + self._aead.encrypt(nonce, key, subject.bytes)

    def unwrap(self, subject: UUID, stored: bytes, key_id: str) -> bytes:
        if key_id != self.key_id:
            raise RuntimeError(f"the data key of {subject} is wrapped with master key {key_id or '(none)'}, "
                               f"not {self.key_id or '(none)'}: set TOUCHLINE_MASTER_KEY to the key it was made with")
        if self._aead is None:
            return stored
        return self._aead.decrypt(stored[:NONCE], stored[NONCE:], subject.bytes)


class KeyRing:
    """Per-process cache of data keys: subject -> AESGCM, ERASED (tombstone) or absent.

    Erasure is safe against stale caches in other processes: a key destroyed elsewhere but
    still cached here can only encrypt data that nobody can read once the cache is gone, and
    decoding an ``Erased`` event drops the key here too (so the projection runner, which reads
    the log in order, shows erased from that event on). Reads that must see erasures made by
    other processes (audit reads, the event feed) call ``refresh_erasures()`` first.
    """

    def __init__(self, master: MasterKey) -> None:
        self.master = master
        self.table: KeyTable | None = None
        self._known: dict[UUID, AESGCM | str] = {}
        self._pending: dict[UUID, tuple[bytes, bytes]] = {}  # made here, not committed yet: key, stored form
        self._loaded_all = False
        self._erasures_read = float("-inf")
        self._lock = threading.Lock()

    def _lookup(self, subject: UUID, refresh: bool = False) -> AESGCM | str | None:
        found = self._known.get(subject)
        if self.table is None or (found is not None and not refresh):
            return None if found is _ABSENT else found
        if not self._loaded_all:  # one query for the whole table beats one per subject
            self._loaded_all = True
            for sid, key, key_id in self.table.fetch_all_keys():
                self._remember(sid, key, key_id)
        else:
            row = self.table.fetch_key(subject)
            if row is not None:
                self._remember(subject, *row)
        # No key yet (plaintext written before sealing, or a subject not seen before): remembered
        # too, so such events cost no query each; a sealed value found later asks again (refresh).
        found = self._known.setdefault(subject, _ABSENT)
        return None if found is _ABSENT else found

    def prefetch(self, subjects: Iterable[UUID]) -> None:
        """Look up the keys of ``subjects`` not known here in one query (a save of many new
        customers asked once per customer: 4 ms each on PostgreSQL, most of an import's time)."""
        with self._lock:
            unknown = list(dict.fromkeys(s for s in subjects if s not in self._known and s not in self._pending))
            if self.table is None or not unknown:
                return
            if not self._loaded_all:
                self._lookup(unknown[0])  # loads the whole table: the others are in it, or have no key
            else:
                for start in range(0, len(unknown), PREFETCH_BATCH):
                    for sid, key, key_id in self.table.fetch_keys(unknown[start:start + PREFETCH_BATCH]):
                        self._remember(sid, key, key_id)
            for subject in unknown:
                self._known.setdefault(subject, _ABSENT)

    def _remember(self, subject: UUID, key: bytes | None, key_id: str) -> None:
        self._known[subject] = ERASED if key is None else AESGCM(self.master.unwrap(subject, key, key_id))

    def for_read(self, subject: UUID, *, refresh: bool = False) -> AESGCM | str | None:
        with self._lock:
            return self._lookup(subject, refresh)

    def for_write(self, subject: UUID) -> tuple[AESGCM | str, bytes | None]:
        """The key to seal with, and its stored (wrapped) form when it is new."""
        with self._lock:
            found = self._lookup(subject)
            if found is not None:
                return found, None
            pending = self._pending.get(subject)
            if pending is None:  # wrapped once: a save retried or an import's next batch sends the same bytes
                key = AESGCM.generate_key(bit_length=256)
                pending = self._pending[subject] = (key, self.master.wrap(subject, key))
            return AESGCM(pending[0]), pending[1]

    def committed(self, subjects: Iterable[UUID]) -> None:
        with self._lock:
            for subject in subjects:
                pending = self._pending.pop(subject, None)
                if pending is not None and self._known.get(subject, _ABSENT) is _ABSENT:
                    self._known[subject] = AESGCM(pending[0])

    def discard_pending(self, subjects: Iterable[UUID]) -> None:
        """Another process created these keys first (or erased them): read theirs instead."""
        with self._lock:
            for subject in subjects:
                self._pending.pop(subject, None)
                self._known.pop(subject, None)

    def mark_erased(self, subject: UUID) -> None:
        with self._lock:
            self._known[subject] = ERASED
            self._pending.pop(subject, None)

    def is_erased(self, subject: UUID) -> bool:
        """Whether ``subject``'s key was destroyed: by this process, or by another one up to
        ``ERASURES_REFRESH`` seconds ago (one query for the tombstones at most that often)."""
        if self.table is None:
            return False
        if time.monotonic() - self._erasures_read > ERASURES_REFRESH:
            self._erasures_read = time.monotonic()
            self.refresh_erasures()
        with self._lock:
            return self._known.get(subject) is ERASED

    def refresh_erasures(self) -> None:
        """Learn the erasures other processes made (one indexed query: tombstones are few)."""
        if self.table is None:
            return
        erased = self.table.fetch_erased()
        with self._lock:
            for subject in erased:
                self._known[subject] = ERASED
                self._pending.pop(subject, None)


def seal(aead: AESGCM, plaintext: bytes, aad: bytes) -> Sealed:
    nonce = os.urandom(NONCE)
    return Sealed(nonce + aead.encrypt(nonce, plaintext, aad))


def unseal(aead: AESGCM, sealed: Sealed, aad: bytes) -> bytes | None:
    """The plaintext, or None when this key does not open it (it was sealed with a key
    destroyed since, by a process that had not heard of the erasure yet)."""
    try:
        return aead.decrypt(sealed.blob[:NONCE], sealed.blob[NONCE:], aad)
    except InvalidTag:
        return None
