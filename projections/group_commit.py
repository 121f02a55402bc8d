"""Group commit: saves made at the same time by several threads share one event-store
transaction, so the disk flushes once per group instead of once per save.

A thread that saves hands its events to the ``GroupCommitter`` and waits for its own outcome.
The first to arrive while no commit is running leads: it takes every save queued so far
(its own included), inserts them all in one transaction and hands each its own positions.
Saves arriving meanwhile queue up and go together in the next commit. Alone, a save costs
what it did; under load (a web server's threads), a commit carries as many saves as arrived
during the previous one. Nothing waits on a timer.

When a group fails (typically one save conflicts with a concurrent change of the same
aggregate: ``IntegrityError``), nothing of it was written, and each of its saves is retried
alone: one bad save never fails another, and each gets its own result or error.

The recorders below are the library's SQLite recorder and Touchline's PostgreSQL one with
group commit; ``projections.storage`` selects them with ``APPLICATION_RECORDER_TOPIC``.
"""

from __future__ import annotations

import threading
from _thread import allocate_lock
from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder

from projections.pg_recorder import OneTripPostgresRecorder


def _allocate_held_lock() -> Any:
    lock = allocate_lock()
    lock.acquire()
    return lock


Insert = Callable[[Sequence[StoredEvent]], Sequence[int] | None]


class _Save:
    __slots__ = ("done", "error", "events", "ids", "wake")

    def __init__(self, events: Sequence[StoredEvent]) -> None:
        self.events = events
        self.ids: Sequence[int] | None = None
        self.error: BaseException | None = None
        self.done = False
        self.wake: Any = None  # a held lock, released once: "you are done" or "you lead now"

    def outcome(self) -> Sequence[int] | None:
        if self.error is not None:
            raise self.error
        return self.ids


class GroupCommitter:
    """Runs ``insert`` (one transaction per call) for the saves of many threads at once.

    Each waiting save sleeps on its own lock and is woken exactly once: by the leader that
    committed it, or to lead the next group itself. (One condition shared by every waiter woke
    them all at each commit, only for most to sleep again: under a web server's load that
    herd cost more CPU than the inserts.)"""

    def __init__(self, insert: Insert) -> None:
        self._insert = insert
        self._queue: list[_Save] = []
        self._leading = False
        self._lock = threading.Lock()
        self.commits = 0  # transactions run (groups and retries alone): for tests and benchmarks
        self.saves = 0

    def save(self, events: Sequence[StoredEvent]) -> Sequence[int] | None:
        """Insert ``events`` (one save: all or nothing) and return their positions."""
        mine = _Save(events)
        with self._lock:
            if self._leading:
                mine.wake = _allocate_held_lock()
                self._queue.append(mine)
            else:
                self._leading = True
        if mine.wake is not None:
            mine.wake.acquire()  # until the leader committed this save, or handed over the lead
            if mine.done:
                return mine.outcome()
        with self._lock:
            group, self._queue = [*self._queue, mine] if mine.wake is None else self._queue, []
        try:
            self._commit(group)
        finally:
            self._hand_over(group)
        return mine.outcome()

    def _hand_over(self, group: list[_Save]) -> None:
        """Wake the group's waiters, and let the first save queued meanwhile lead the next commit."""
        with self._lock:
            successor = self._queue[0] if self._queue else None
            if successor is None:
                self._leading = False
        for save in group:
            if save.wake is not None:
                save.wake.release()
        if successor is not None:
            successor.wake.release()

    def queued(self) -> int:
        """Saves waiting for the next commit."""
        with self._lock:
            return len(self._queue)

    def _commit(self, group: list[_Save]) -> None:
        try:
            if len(group) == 1:
                self._alone(group[0])
                return
            try:
                self.commits += 1
                ids = self._insert([event for save in group for event in save.events])
            except Exception:  # nothing of the group was written: each save on its own
                for save in group:
                    self._alone(save)
                return
            start = 0
            for save in group:
                save.ids = None if ids is None else list(ids[start:start + len(save.events)])
                start += len(save.events)
            self.saves += len(group)
        except BaseException as exc:  # e.g. KeyboardInterrupt in the leader: nobody waits forever
            for save in group:
                if save.ids is None and save.error is None:
                    save.error = exc
            raise
        finally:
            for save in group:
                save.done = True

    def _alone(self, save: _Save) -> None:
        self.commits += 1
        try:
            save.ids = self._insert(save.events)
            self.saves += 1
        except Exception as exc:
            save.error = exc


class GroupCommitMixin:
    """An application recorder whose plain inserts go through a ``GroupCommitter``."""

    committer: GroupCommitter

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.committer = GroupCommitter(super().insert_events)  # type: ignore[misc]

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        # The Application always passes tracking=None; a real tracking record is not grouped.
        if not stored_events or any(value is not None for value in kwargs.values()):
            return super().insert_events(stored_events, **kwargs)  # type: ignore[misc, no-any-return]
        return self.committer.save(stored_events)


class GroupCommitSQLiteRecorder(GroupCommitMixin, SQLiteApplicationRecorder):
    pass


class GroupCommitPostgresRecorder(GroupCommitMixin, OneTripPostgresRecorder):
    pass
