"""Verify the stored history: re-hash every event, walk both chains, check every checkpoint.

Two streaming passes in one snapshot (``projections.chain_store``), constant memory:
1. Log order, chain rows joined to events: each chained event still exists at its position
   (else: deleted, or moved), each global link follows from the one before (else: an entry
   was removed or inserted), and each checkpoint met on the way is validly signed and
   matches the chain there (else: forged, or history rewritten up to it).
2. Aggregate order, events joined to chain rows: each event is chained (else: inserted
   directly) and its content hashes to its stored stream link, given its predecessor's
   (else: edited, or swapped with another).
3. The tail: events after the newest checkpoint are protected by the chain alone, and anyone
   who can write to the database can re-hash it. Checkpoints are signed every minute while
   the log grows, so such events are young; one recorded more than ``GRACE`` ago means the
   newest checkpoints were deleted (or nothing signed them). Deleting older ones hides
   nothing: a later checkpoint signs the global chain hash, which covers every earlier event.
Links are checked against the stored link before them, so one bad event is reported once,
not with everything after it. The problems with the smallest positions are kept. On SQLite a
column holds whatever it is given: a value of the wrong kind (a state stored as text, a NULL
hash, an id that is no id) is itself a problem at its position, never a crash.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from projections.chain import chain_hash, stream_hash
from projections.chain_checkpoints import INTERVAL_SECONDS, Checkpoint, is_valid, key_id
from projections.chain_store import ChainStore

Progress = Callable[[str, int, int], None]  # (pass, done, total)
PROGRESS_EVERY = 50_000
ALTERED = "a stored value of the wrong kind (e.g. a state as text or NULL): altered outside Touchline"
_MALFORMED = (TypeError, ValueError, AttributeError, OverflowError)  # what a value of the wrong kind raises here
GRACE = timedelta(seconds=10 * INTERVAL_SECONDS)  # ten signing intervals: a runner restarting, a slow database


def _blob(value: Any) -> bytes:
    """A stored byte string; text, NULL or a number in its place raises ``TypeError``."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise TypeError(f"{type(value).__name__} stored where bytes belong")


@dataclass(frozen=True, order=True)
class Problem:
    position: int
    aggregate_id: UUID | None = field(compare=False)
    version: int | None = field(compare=False)
    what: str = field(compare=False)

    def describe(self) -> str:
        where = f"position {self.position}"
        if self.aggregate_id is not None:
            where += f", aggregate {self.aggregate_id} version {self.version}"
        return f"{where}: {self.what}"


@dataclass
class Report:
    events: int = 0
    chained: int = 0
    checkpoints: int = 0
    last_checkpoint: int | None = None
    problem_count: int = 0
    _kept: list[tuple[int, int, Problem]] = field(default_factory=list)  # max-heap by position (negated)
    limit: int = 20

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        entry = (-problem.position, -self.problem_count, problem)
        if len(self._kept) < self.limit:
            heapq.heappush(self._kept, entry)
        elif problem.position < -self._kept[0][0]:
            heapq.heapreplace(self._kept, entry)

    @property
    def problems(self) -> list[Problem]:
        return [p for _, _, p in sorted(self._kept, key=lambda e: (-e[0], -e[1]))]

    @property
    def ok(self) -> bool:
        return self.problem_count == 0


def verify_chain(recorder: Any, key: bytes | None, *, limit: int = 20, progress: Progress | None = None,
                 now: datetime | None = None) -> Report:
    """Check the whole store; ``key`` None skips signature checks (the caller says so), ``now``
    None the tail's (events after the newest checkpoint must be recent at ``now``)."""
    store = ChainStore(recorder)
    report = Report(limit=limit)
    with store.snapshot() as handle:
        total = store.count(handle)
        checkpoints = _checkpoints(store.rows(handle, store.checkpoint_rows_sql, "tamper_checkpoints"), report)
        _log_pass(store, handle, report, checkpoints, key, _ticker(progress, "chain", total))
        _stream_pass(store, handle, report, _ticker(progress, "events", total))
        if key is not None and now is not None:
            _tail_check(store, handle, report, now)
    return report


def _tail_check(store: ChainStore, handle: Any, report: Report, now: datetime) -> None:
    found = store.first_after(handle, report.last_checkpoint or 0)
    if found is None:
        return
    position, state = found
    try:
        recorded = datetime.fromisoformat(json.loads(_blob(state))["timestamp"]["_data_"])
    except (*_MALFORMED, KeyError):
        report.add(Problem(position, None, None, ALTERED))
        return
    if now - recorded > GRACE:
        covered = (f"the newest signed checkpoint is at position {report.last_checkpoint}"
                   if report.checkpoints else "no checkpoint was ever signed")
        report.add(Problem(position, None, None,
                           f"recorded {recorded:%Y-%m-%d %H:%M} UTC, over {GRACE.seconds // 60} minutes ago, and no "
                           f"signed checkpoint covers it ({covered}): checkpoints were deleted, so events after the "
                           "newest one could have been rewritten, or none was signed since (`touchline projections "
                           "run` signs one every minute with this key)"))


def _checkpoints(rows: Iterator[Any], report: Report) -> Iterator[Checkpoint]:
    for row in rows:
        try:
            yield Checkpoint(int(row[0]), _blob(row[1]), str(row[2]), str(row[3]), _blob(row[4]))
        except _MALFORMED:
            report.add(Problem(row[0] if isinstance(row[0], int) else 0, None, None, f"checkpoint: {ALTERED}"))


def _ticker(progress: Progress | None, name: str, total: int) -> Callable[[int], None]:
    def tick(done: int) -> None:
        if progress and (done % PROGRESS_EVERY == 0 or done == total):
            progress(name, done, total)
    return tick


def _uuid(raw: bytes | None) -> UUID | None:
    return UUID(bytes=raw) if raw else None


def _aggregate(store: ChainStore, raw: Any) -> bytes:
    """An id as stored -> its 16 bytes; anything else raises ``ValueError`` or ``TypeError``."""
    aggregate = store.aggregate_id(raw)
    UUID(bytes=aggregate)
    return aggregate


def _log_pass(store: ChainStore, handle: Any, report: Report, checkpoints: Iterator[Checkpoint],
              key: bytes | None, tick: Callable[[int], None]) -> None:
    pending = next(checkpoints, None)
    previous: bytes | None = None
    previous_checkpoint = 0
    for row in store.rows(handle, store.chain_rows_sql, "tamper_chain"):
        position, chained_id, version, link, stored_chain, event_id, event_version = row
        report.chained += 1
        tick(report.chained)
        try:
            chained_id, link, stored_chain = _aggregate(store, chained_id), _blob(link), _blob(stored_chain)
            if event_id is None:
                report.add(Problem(position, _uuid(chained_id), version, "event deleted (its chain entry remains)"))
            elif _aggregate(store, event_id) != chained_id or event_version != version:
                report.add(Problem(position, _uuid(_aggregate(store, event_id)), event_version,
                                   f"not the event chained here (aggregate {_uuid(chained_id)} version {version}): "
                                   "events moved or replaced"))
            if chain_hash(previous, position, link) != stored_chain:
                report.add(Problem(position, _uuid(chained_id), version,
                                   "global chain broken before this entry: an entry was removed, inserted or altered"))
        except _MALFORMED:
            report.add(Problem(position, None, None, ALTERED))
            stored_chain = bytes(row[4]) if isinstance(row[4], bytes | bytearray | memoryview) else None
        previous = stored_chain
        while pending is not None and pending.position <= position:
            _check_checkpoint(report, pending, key, position, stored_chain, previous_checkpoint)
            previous_checkpoint = pending.position
            pending = next(checkpoints, None)
    while pending is not None:  # checkpoints beyond the chain's end: the chain was cut short
        _check_checkpoint(report, pending, key, None, None, previous_checkpoint)
        previous_checkpoint = pending.position
        pending = next(checkpoints, None)


def _check_checkpoint(report: Report, checkpoint: Checkpoint, key: bytes | None, position: int | None,
                      stored_chain: bytes | None, after: int) -> None:
    report.checkpoints += 1
    report.last_checkpoint = checkpoint.position
    if key is not None and not is_valid(key, checkpoint):
        other = checkpoint.key_id != key_id(key)
        report.add(Problem(checkpoint.position, None, None, "checkpoint signature invalid" +
                           (f" (signed with another key, id {checkpoint.key_id})" if other else ": forged or altered")))
    elif position != checkpoint.position or stored_chain != checkpoint.chain_hash:
        report.add(Problem(checkpoint.position, None, None,
                           f"history rewritten: the chain no longer matches the checkpoint signed at this position "
                           f"(some event after position {after} and up to here was changed and re-hashed)"))


def _stream_pass(store: ChainStore, handle: Any, report: Report, tick: Callable[[int], None]) -> None:
    current: bytes | None = None
    previous: bytes | None = None
    for position, raw_id, version, topic, state, link in store.rows(handle, store.stream_rows_sql, "tamper_events"):
        report.events += 1
        tick(report.events)
        try:
            aggregate = _aggregate(store, raw_id)
        except _MALFORMED:
            report.add(Problem(position, None, None, ALTERED))
            current = previous = None
            continue
        if aggregate != current:
            current, previous = aggregate, None
        if link is None:
            report.add(Problem(position, _uuid(aggregate), version, "event not in the chain: inserted directly"))
            continue
        try:
            link = _blob(link)
            if stream_hash(previous, aggregate, version, topic, _blob(state)) != link:
                report.add(Problem(position, _uuid(aggregate), version,
                                   "event does not match its hash: content edited, swapped with another event, "
                                   "or an earlier event of this aggregate removed"))
        except _MALFORMED:
            report.add(Problem(position, _uuid(aggregate), version, ALTERED))
            link = link if isinstance(link, bytes) else None
        previous = link
