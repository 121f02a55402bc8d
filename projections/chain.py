"""Tamper evidence: every stored event is chained by hash, twice, when it is written.

- Stream chain: ``stream_hash = sha256(previous stream_hash of the same aggregate (32 zero
  bytes for its first event) || aggregate id (16 bytes) || version (8 bytes, big-endian) ||
  topic length (4 bytes) || topic (UTF-8) || state)``. The state is the stored bytes, and the
  library's recorded ``timestamp`` lives inside it, so it is covered too.
- Global chain over the log: ``chain_hash = sha256(previous position's chain_hash (zeros for
  the first) || position (8 bytes) || stream_hash)``.

Both are computed inside the save's own transaction (the SQLite recorder in Python,
``projections.chain_sqlite``; PostgreSQL in the one-round-trip PL/pgSQL function,
``projections.chain_pg``), so no event is ever committed unchained: an edit cannot slip in
between a write and its sealing. The rows go to ``<events table>_chain`` keyed by position;
signed checkpoints (``projections.chain_checkpoints``) anchor the chain with a key the
database does not hold, so rewriting events *and* their hashes is caught too.
"""

from __future__ import annotations

from hashlib import sha256

ZERO = bytes(32)


def stream_hash(previous: bytes | None, originator_id: bytes, version: int, topic: str, state: bytes) -> bytes:
    """The event's link in its aggregate's chain (``originator_id``: the UUID's 16 bytes)."""
    encoded = topic.encode()
    return sha256(b"".join((previous or ZERO, originator_id, version.to_bytes(8, "big", signed=True),
                            len(encoded).to_bytes(4, "big"), encoded, state))).digest()


def chain_hash(previous: bytes | None, position: int, stream: bytes) -> bytes:
    """The log position's link in the global chain."""
    return sha256(b"".join((previous or ZERO, position.to_bytes(8, "big", signed=True), stream))).digest()


def chain_table(events_table: str) -> str:
    return f"{events_table}_chain"


def checkpoints_table(events_table: str) -> str:
    return f"{events_table}_checkpoints"
