"""The projection runner: one pass over the event log feeds every projection.

Catch-up reads the notification log in batches (always "greater than the last seen":
PostgreSQL positions can have gaps), decodes each event once, lets every projection
whose position is behind handle it, and commits the batch's rows of all projections
together with their positions in ONE transaction: a crash never applies an event twice
or skips one. Live mode is the same loop, polling. Two runners are safe: positions are
locked and re-checked inside the transaction, and a runner that lost the race drops its
batch and reads again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from eventsourcing.application import Application
from eventsourcing.utils import TopicError, resolve_topic

from domain.personal import is_erasure
from projections.bulk import BULK_EVENTS, bulk_mode, ensure_indexes
from projections.engine import create_views_engine, forget_erased
from projections.projection import Context, Projection
from projections.rows import Cache, Rows, new_cache
from projections.schema import metadata, projection_tracking
from projections.statements import Statements

log = logging.getLogger("touchline.projections")
Progress = Callable[[int, int], None]
Decoded = tuple[int, Any, list[tuple[int, Any]]]  # position, event, (projection index, handler) pairs
CACHE_ROWS = 200_000  # rows kept between batches during catch-up, at most


@dataclass(frozen=True)
class Status:
    name: str
    version: int
    position: int
    head: int
    lag_events: int
    lag_seconds: float | None


def projections_position(engine: sa.Engine) -> int | None:
    """The position every projection has reached (the slowest one's), or None when the read
    models do not exist yet."""
    try:
        with engine.connect() as conn:
            return conn.execute(sa.select(sa.func.min(projection_tracking.c.position))).scalar()
    except sa.exc.DBAPIError:
        return None


def _no_op() -> None:
    pass


class PositionRace(Exception):
    """Another runner committed first; this batch is dropped and read again."""


class ProjectionRunner:
    def __init__(
        self, app: Application[Any], engine: sa.Engine, projections: Sequence[Projection], *, batch_size: int = 2000,
        reader: sa.Engine | None = None, write_turn: AbstractContextManager[Any] | None = None,
    ) -> None:
        self.app = app
        # Held around each commit. Runners in processes of one rebuild share a lock here: on SQLite
        # a waiter then wakes as the lock is released, instead of when SQLite's busy handler next
        # polls (it sleeps 1 ms growing to 100 ms between tries).
        self._write_turn = write_turn if write_turn is not None else nullcontext()
        self.engine = engine
        self.projections = list(projections)
        self.batch_size = batch_size
        self._statements = {t: Statements(t, engine.dialect.name, engine.dialect)
                             for p in self.projections for t in p.tables}
        self._handlers = {p.name: p.handlers() for p in self.projections}
        # Event class -> [(projection index, handler)], so a batch is routed in one pass.
        self._routes: dict[type[Any], list[tuple[int, Any]]] = {}
        for i, p in enumerate(self.projections):
            for event_class, handler in self._handlers[p.name].items():
                self._routes.setdefault(event_class, []).append((i, handler))
        # Topic -> routes (None: no projection here handles it), so events nobody reads are never decoded.
        self._topic_routes: dict[str, list[tuple[int, Any]] | None] = {}
        self._cache: Cache = new_cache()
        self._cache_positions: dict[str, int] | None = None
        # Handlers read through ``reader`` (no write lock); made here unless the caller shares one.
        self._owns_reader = reader is None
        self.reader = reader or create_views_engine(engine.url.render_as_string(hide_password=False))

    # -- setup -------------------------------------------------------------------------

    def prepare(self) -> None:
        """Create missing tables and tracking rows; rebuild projections whose version changed."""
        metadata.create_all(self.engine, tables=[projection_tracking])
        with self.engine.begin() as conn:
            stored = {r.name: r.version for r in conn.execute(sa.select(projection_tracking))}
            for p in self.projections:
                if p.name in stored and stored[p.name] != p.version:
                    log.warning("projection %s changed from version %s to %s: rebuilding",
                                p.name, stored[p.name], p.version)
                    for table in reversed(p.tables):
                        table.drop(conn, checkfirst=True)
                    self._reset(conn, p)
                metadata.create_all(conn, tables=list(p.tables))
                ensure_indexes(conn, [p])
                if p.name not in stored:
                    self._reset(conn, p)

    def _reset(self, conn: sa.Connection, p: Projection) -> None:
        conn.execute(projection_tracking.delete().where(projection_tracking.c.name == p.name))
        conn.execute(projection_tracking.insert().values(name=p.name, version=p.version, position=0,
                                                         event_recorded_at=None))

    def reset(self, names: Sequence[str] | None = None) -> None:
        """Empty the named projections (all by default) and their positions, in one transaction."""
        self._cache, self._cache_positions = new_cache(), None
        with self.engine.begin() as conn:
            for p in self._select(names):
                for table in reversed(p.tables):
                    conn.execute(table.delete())
                self._reset(conn, p)

    def _select(self, names: Sequence[str] | None) -> list[Projection]:
        if not names:
            return self.projections
        known = {p.name: p for p in self.projections}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise KeyError(f"unknown projection(s): {', '.join(unknown)}; known: {', '.join(known)}")
        return [known[n] for n in names]

    # -- positions -----------------------------------------------------------------------

    def positions(self, conn: sa.Connection | None = None) -> dict[str, int]:
        """Position of each of this runner's projections."""
        query = sa.select(projection_tracking.c.name, projection_tracking.c.position).where(
            projection_tracking.c.name.in_([p.name for p in self.projections]))
        if conn is None:  # a reader: on SQLite the writer's every transaction takes the write lock
            with self.reader.connect() as c:
                return {r.name: r.position for r in c.execute(query)}
        return {r.name: r.position for r in conn.execute(query)}

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def status(self, now: datetime) -> list[Status]:
        head = self.head()
        with self.engine.connect() as conn:
            rows = {r.name: r for r in conn.execute(sa.select(projection_tracking))}
        result = []
        for p in self.projections:
            row = rows.get(p.name)
            position = row.position if row else 0
            lag_seconds = None
            if position < head:
                behind = self.app.recorder.select_notifications(start=position, limit=1, inclusive_of_start=False)
                if behind:
                    first = self.app.mapper.to_domain_event(behind[0])
                    lag_seconds = max(0.0, (now - first.timestamp).total_seconds())
            else:
                lag_seconds = 0.0
            result.append(Status(p.name, row.version if row else p.version, position, head,
                                 head - position, lag_seconds))
        return result

    # -- processing ----------------------------------------------------------------------

    def _routes_of(self, notification: Any) -> list[tuple[int, Any]] | None:
        """The (projection index, handler) pairs for ``notification``'s topic, looked up once per topic."""
        topic = notification.topic
        try:
            event_class = resolve_topic(topic)
        except TopicError:
            log.warning("skipping events of unknown type %s (first at position %s)", topic, notification.id)
            routes = None
        else:
            routes = self._routes.get(event_class)
        self._topic_routes[topic] = routes
        return routes

    def _decode(self, notifications: Sequence[Any]) -> list[Decoded]:
        """(position, event, routes) of the notifications some projection here handles; only
        those are decoded (a group of projections in its own process reads a part of the log)."""
        topic_routes, decode, found = self._topic_routes, self.app.mapper.to_domain_event, []
        for n in notifications:
            routes = topic_routes[n.topic] if n.topic in topic_routes else self._routes_of(n)
            if routes:
                found.append((n.id, decode(n), routes))
        return found

    def run_batch(self, stop: int | None = None, conn: sa.Connection | None = None) -> int:
        """Apply the next batch (on ``conn`` if given); returns how many log entries it covered
        (0 when caught up)."""
        before = self.positions()
        start = min(before.get(p.name, 0) for p in self.projections)
        head = self.head() if stop is None else stop
        if start >= head:
            return 0
        notifications = self.app.recorder.select_notifications(
            start=start, limit=self.batch_size, stop=head, inclusive_of_start=False
        )
        # A short batch means everything up to ``head`` was seen (PostgreSQL gaps included).
        end = notifications[-1].id if len(notifications) == self.batch_size else head
        events = self._decode(notifications)
        if self._cache_positions != before:
            self._cache = new_cache()  # someone else wrote: start cold
        while sum(len(t) for t in self._cache.values()) > CACHE_ROWS:
            del self._cache[max(self._cache, key=lambda t: len(self._cache[t]))]  # the bulkiest goes first
        try:
            # Handlers run without the write lock (a second runner of other projections can work
            # meanwhile); the lock is taken only to check positions and write.
            with self.reader.connect() as reader:
                rows = Rows(reader, self._statements, self._cache)
                self._handle(rows, before, events, end)
                reader.rollback()
            with self._write_turn:
                if conn is None:
                    with self.engine.begin() as own:
                        self._commit(own, rows, before, events, end)
                else:
                    with conn.begin():
                        self._commit(conn, rows, before, events, end)
        except PositionRace:
            self._cache_positions = None
            log.info("another runner advanced the projections first; reading again")
            return self.run_batch(stop, conn)
        except BaseException:
            self._cache_positions = None
            raise
        self._cache_positions = {p.name: max(before[p.name], end) for p in self.projections}
        if any(is_erasure(type(event)) for _, event, _ in events):
            forget_erased(self.engine)
        for p in self.projections:
            for table in p.write_mostly:
                self._cache.pop(table, None)
        return len(notifications) or (end - start)

    def _handle(self, rows: Rows, before: dict[str, int], events: list[Decoded], end: int) -> None:
        # One pass: each event goes to the projections that handle its type and are behind it.
        before_by_index = [before[p.name] for p in self.projections]
        behind = [(i, pos) for i, pos in enumerate(before_by_index) if pos < end]
        work: list[list[tuple[Any, Any, Context]]] = [[] for _ in self.projections]
        for pos, event, routes in events:
            ctx = tuple.__new__(Context, (pos, event.timestamp))  # Context(...) without its Python-level __new__
            for i, handler in routes:
                if pos > before_by_index[i]:
                    work[i].append((handler, event, ctx))
        for i, _ in behind:
            mine = work[i]
            self.projections[i].prefetch([e for _, e, _ in mine], rows)
            for handler, event, ctx in mine:
                handler(event, ctx, rows)

    def _commit(self, conn: sa.Connection, rows: Rows, before: dict[str, int], events: list[Decoded],
                end: int) -> None:
        """Under the write lock: positions unchanged since the batch was read (so the rows the
        handlers read are still current: only runners of these projections write their
        tables, always moving positions), then rows and positions together."""
        names = [p.name for p in self.projections]
        locked = sa.select(projection_tracking.c.name, projection_tracking.c.position).where(
            projection_tracking.c.name.in_(names))
        if conn.dialect.name == "postgresql":
            locked = locked.with_for_update()
        now_positions = {r.name: r.position for r in conn.execute(locked)}
        if any(now_positions.get(n) != before.get(n) for n in names):
            raise PositionRace()
        rows.flush(conn)
        last_recorded: datetime | None = events[-1][1].timestamp if events else None
        for p in self.projections:
            if before[p.name] < end:
                values: dict[str, Any] = {"position": end}
                if last_recorded is not None:
                    values["event_recorded_at"] = last_recorded
                conn.execute(projection_tracking.update().where(projection_tracking.c.name == p.name)
                             .values(**values))

    def catch_up(self, *, stop: int | None = None, progress: Progress | None = None) -> int:
        """Apply batches until the projections reach ``stop`` (default: the log's head now)."""
        target = self.head() if stop is None else stop
        done = 0
        positions = self.positions()
        start = min(positions.get(p.name, 0) for p in self.projections)
        with self.engine.connect() as conn:
            from_zero = [p for p in self.projections if positions.get(p.name, 0) == 0]
            bulk = bulk_mode(conn, from_zero) if target - start >= BULK_EVENTS else nullcontext(_no_op)
            with bulk as batch_done:
                while True:
                    covered = self.run_batch(stop=target, conn=conn)
                    if covered == 0:
                        break
                    batch_done()
                    done += covered
                    if progress:
                        current = min(self.positions().values() or [target])
                        progress(current - start, target - start)
        return done

    def rebuild(self, names: Sequence[str] | None = None, *, progress: Progress | None = None) -> int:
        """Drop the named projections' rows and replay the whole log into them."""
        chosen = self._select(names)
        self.reset([p.name for p in chosen])
        runner = ProjectionRunner(self.app, self.engine, chosen, batch_size=self.batch_size, reader=self.reader,
                                  write_turn=self._write_turn)
        return runner.catch_up(progress=progress)

    def close(self) -> None:
        if self._owns_reader:
            self.reader.dispose()

    def run_forever(self, *, poll_interval: float = 0.2, stop: threading.Event | None = None) -> None:
        """Catch up, then follow new events until ``stop`` is set."""
        stop = stop or threading.Event()
        while not stop.is_set():
            if self.run_batch() == 0:
                stop.wait(poll_interval)

    def wait_for(self, position: int, *, timeout: float = 5.0) -> bool:
        """Block until every projection reached ``position`` (read-your-writes), bounded."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if min(self.positions().values() or [0]) >= position:
                return True
            time.sleep(0.02)
        return False
