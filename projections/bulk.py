"""Bulk mode for long catch-ups (rebuilds, first start on a big log).

Two measured levers (SQLite, 250k events): without secondary indexes while replaying
from zero (rebuilt once at the end, a sort instead of random inserts) +20%; with
``synchronous=OFF`` on the runner's connection +40% (WAL checkpoints stop syncing).
OFF is safe against a killed process, the case the runner must survive (rows and
positions still commit together); only a power cut during a rebuild could damage the
views file, and views are rebuildable from the log. Live following keeps NORMAL.

A third, measured at 1.3M events (benchmarks/README.md): Python's cyclic garbage collector
paused, -21% CPU for a group on a busy VM, -3.5% to -12.5% on a quiet one. A catch-up keeps
hundreds of thousands of rows alive in its cache, and the collector kept walking them for
nothing: reference counting frees what a batch drops, and the whole rebuild made ~25k objects
of cyclic garbage. The young generations are still swept every
``SWEEP_BATCHES`` batches, so a cycle made per event could not pile up.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa

from projections.projection import Projection

BULK_EVENTS = 20_000  # a catch-up at least this long runs in bulk mode
SWEEP_BATCHES = 50  # batches between sweeps of the young generations while the collector is paused


def secondary_indexes(projections: Sequence[Projection]) -> list[sa.Index]:
    return [index for p in projections for table in p.tables for index in table.indexes]


def ensure_indexes(conn: sa.Connection, projections: Sequence[Projection]) -> None:
    """Create indexes a crashed rebuild may have left dropped."""
    for index in secondary_indexes(projections):  # IF NOT EXISTS: reflection does not see expression indexes
        conn.execute(sa.schema.CreateIndex(index, if_not_exists=True))


@contextmanager
def collector_paused() -> Iterator[Callable[[], None]]:
    """Python's cyclic collector off; yields what to call after each batch (a sweep of the young
    generations every ``SWEEP_BATCHES``: what survives them is never walked again here)."""
    was_enabled, batches = gc.isenabled(), 0
    gc.disable()

    def batch_done() -> None:
        nonlocal batches
        batches += 1
        if batches % SWEEP_BATCHES == 0:
            gc.collect(1)

    try:
        yield batch_done
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def bulk_mode(conn: sa.Connection, from_zero: Sequence[Projection]) -> Iterator[Callable[[], None]]:
    """Run the enclosed catch-up on ``conn`` as fast as safely possible; yields what to call after
    each batch. Only the tables of ``from_zero`` (projections replaying from position 0, so empty)
    lose their indexes: dropping and re-sorting the indexes of a big projection that is merely
    behind costs far more than it saves."""
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        conn.connection.dbapi_connection.execute("PRAGMA synchronous=OFF")  # type: ignore[union-attr]
    if from_zero:
        with conn.begin():
            for index in secondary_indexes(from_zero):
                conn.execute(sa.schema.DropIndex(index, if_exists=True))
    try:
        with collector_paused() as batch_done:
            yield batch_done
    finally:
        if from_zero:
            with conn.begin():
                ensure_indexes(conn, from_zero)
        if sqlite:
            conn.connection.dbapi_connection.execute("PRAGMA synchronous=NORMAL")  # type: ignore[union-attr]
