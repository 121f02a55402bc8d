"""Build projections as they stood at a point in time, into a separate database.

The ordinary runner is fed through ``FilteredLog``: an application stand-in whose log
holds only the events kept by a filter (business time: ``occurred_at`` <= T; recorded time:
``timestamp`` <= T), so every projection, present and future, gets "as of" for free.
A stream whose first event is left out is left out entirely, so no handler ever sees a
record it was never told was created.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.utils import TopicError

from domain.audit.replay import Filter, as_of, known_at
from projections.engine import create_views_engine
from projections.projection import Projection
from projections.runner import Progress, ProjectionRunner
from projections.storage import StorageURLError, storage_from_url


class FilteredLog:
    """The parts of an Application the runner uses, with a filtered notification log."""

    def __init__(self, app: Any, keep: Filter) -> None:
        self._app, self._keep = app, keep
        self._left_out: set[UUID] = set()  # streams whose creation was left out
        self._decoded: dict[int, Any] = {}
        self.name = app.name
        self.recorder, self.mapper = self, self

    def max_notification_id(self) -> int | None:
        return self._app.recorder.max_notification_id()

    def to_domain_event(self, notification: Any) -> Any:
        found = self._decoded.pop(notification.id, None)
        return found if found is not None else self._app.mapper.to_domain_event(notification)

    def _kept(self, notification: Any) -> bool:
        try:
            event = self._app.mapper.to_domain_event(notification)
        except TopicError:
            return True  # the runner skips (and logs) unknown types itself
        keep = notification.originator_id not in self._left_out and self._keep(event)
        if not keep and notification.originator_version == 1:
            self._left_out.add(notification.originator_id)
        if keep:
            self._decoded[notification.id] = event
        return keep

    def select_notifications(self, start: int | None, limit: int, stop: int | None = None,
                             topics: Sequence[str] = (), *, inclusive_of_start: bool = True) -> list[Any]:
        """Up to ``limit`` kept notifications; a short answer means everything up to ``stop`` was read."""
        self._decoded.clear()
        kept: list[Any] = []
        while True:
            batch = self._app.recorder.select_notifications(start=start, limit=limit, stop=stop, topics=topics,
                                                            inclusive_of_start=inclusive_of_start)
            for notification in batch:
                if self._kept(notification):
                    kept.append(notification)
                    if len(kept) == limit:
                        return kept
            if len(batch) < limit:
                return kept
            start, inclusive_of_start = batch[-1].id, False


def point_in_time(as_of_instant: datetime | None, known_at_instant: datetime | None) -> Filter | None:
    if as_of_instant is not None:
        return as_of(as_of_instant)
    if known_at_instant is not None:
        return known_at(known_at_instant)
    return None


def rebuild_into(app: Any, projections: Sequence[Projection], into_url: str, keep: Filter | None,
                 progress: Progress | None = None) -> int:
    """Build ``projections`` from zero into the database at ``into_url`` from the kept events."""
    source = FilteredLog(app, keep) if keep is not None else app
    engine = create_views_engine(views_url(into_url), writer=True)
    try:
        runner = ProjectionRunner(source, engine, projections)
        try:
            runner.prepare()
            runner.reset()
            return runner.catch_up(progress=progress)
        finally:
            runner.close()
    finally:
        engine.dispose()


def views_url(url: str) -> str:
    """A SQLite URL is the file to write; ``postgresql://`` goes through psycopg 3, as everywhere."""
    return url if url.startswith("sqlite") else storage_from_url(url).views_url


def same_database(a: str, b: str) -> bool:
    """Whether two URLs name one database (so a point-in-time build would clobber it): SQLite files
    by their real path (relative or absolute, ``./``, ``..``, symlinks), PostgreSQL by host, port
    and database."""
    try:
        left, right = sa.engine.make_url(views_url(a)), sa.engine.make_url(views_url(b))
    except (sa.exc.ArgumentError, StorageURLError) as exc:
        raise ValueError(f"not a database URL: {exc}") from None
    return _identity(left) == _identity(right)


_LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


def _identity(url: sa.URL) -> tuple[object, ...]:
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.database in (None, "", ":memory:"):
            return (backend, object())  # each in-memory database is its own
        return (backend, os.path.realpath(url.database))
    host = "localhost" if (url.host or "") in _LOCAL_HOSTS else (url.host or "").lower()
    return (backend, host, url.port or 5432, url.database)
