"""Signed checkpoints: HMAC-SHA256 over (position, global chain hash, signing time).

The chain alone shows that stored rows agree with their hashes; someone able to write to
the database could still recompute every hash after an edit. A checkpoint is signed with a
key the database does not hold (``TOUCHLINE_AUDIT_KEY``), so a history rewritten up to a
checkpoint no longer matches it. Events after the newest checkpoint are protected by the
chain only, until the next one (``touchline projections run`` signs one every
``INTERVAL_SECONDS`` while the log grows).
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from typing import Any

from projections.chain_store import ChainStore

INTERVAL_SECONDS = 60.0
log = logging.getLogger("touchline.audit")


@dataclass(frozen=True)
class Checkpoint:
    position: int
    chain_hash: bytes
    signed_at: str
    key_id: str
    signature: bytes


def key_id(key: bytes) -> str:
    """Names the key (not secret): tells "signed with another key" from "forged"."""
    return sha256(b"touchline-audit-key-id:" + key).hexdigest()[:16]


def signature(key: bytes, position: int, chain_hash: bytes, signed_at: str) -> bytes:
    message = position.to_bytes(8, "big", signed=True) + chain_hash + signed_at.encode()
    return hmac.new(key, message, sha256).digest()


def is_valid(key: bytes, checkpoint: Checkpoint) -> bool:
    expected = signature(key, checkpoint.position, checkpoint.chain_hash, checkpoint.signed_at)
    return hmac.compare_digest(expected, checkpoint.signature)


def write_checkpoint(recorder: Any, key: bytes, now: datetime) -> Checkpoint | None:
    """Sign the chain's head, unless the newest checkpoint already covers it."""
    store = ChainStore(recorder)
    head = store.query(f"SELECT position, chain_hash FROM {store.chain} ORDER BY position DESC LIMIT 1")
    last = store.query(f"SELECT max(position) FROM {store.checkpoints}")
    if not head or (last and last[0][0] is not None and last[0][0] >= head[0][0]):
        return None
    position, chain = int(head[0][0]), bytes(head[0][1])
    signed_at = now.isoformat()
    made = Checkpoint(position, chain, signed_at, key_id(key), signature(key, position, chain, signed_at))
    store.query(f"INSERT INTO {store.checkpoints} VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (position) DO NOTHING RETURNING position",
                (made.position, made.chain_hash, made.signed_at, made.key_id, made.signature), commit=True)
    return made


def checkpoint_periodically(recorder: Any, key: bytes, now: Callable[[], datetime], stop: threading.Event,
                            interval: float = INTERVAL_SECONDS) -> threading.Thread:
    """A daemon thread signing a checkpoint every ``interval`` seconds (when the log grew) until ``stop``."""

    def loop() -> None:
        while True:
            try:
                made = write_checkpoint(recorder, key, now())
                if made:
                    log.info("audit checkpoint signed at position %s", made.position)
            except Exception:  # a busy or restarting database: try again next time
                log.exception("audit checkpoint failed; retrying in %ss", interval)
            if stop.wait(interval):
                return

    thread = threading.Thread(target=loop, name="audit-checkpoints", daemon=True)
    thread.start()
    return thread
