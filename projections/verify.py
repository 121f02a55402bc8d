"""Verify a projection: rebuild it from zero into a scratch database and diff with the live rows.

The live side is read in one snapshot (a single read transaction; REPEATABLE READ on
PostgreSQL), and the scratch rebuild stops at exactly the live position, so a runner
that keeps working meanwhile does not make the comparison lie.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from eventsourcing.application import Application

from projections.engine import create_views_engine
from projections.projection import Projection
from projections.runner import Progress, ProjectionRunner
from projections.schema import projection_tracking


@dataclass(frozen=True)
class Difference:
    table: str
    key: tuple[Any, ...]
    live: dict[str, Any] | None
    rebuilt: dict[str, Any] | None

    def describe(self) -> str:
        if self.live is None:
            return f"{self.table} {self.key}: missing from the live table; rebuilt row {self.rebuilt}"
        if self.rebuilt is None:
            return f"{self.table} {self.key}: live row not produced by a rebuild: {self.live}"
        changed = {k: (self.live[k], self.rebuilt.get(k)) for k in self.live if self.live[k] != self.rebuilt.get(k)}
        return f"{self.table} {self.key}: " + ", ".join(f"{k} live={a!r} rebuilt={b!r}" for k, (a, b) in changed.items())


@dataclass
class Report:
    projection: str
    position: int
    rows_compared: int
    differences: list[Difference]


def _ordered_rows(conn: sa.Connection, table: sa.Table) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    pk = list(table.primary_key.columns)
    # Byte order on both sides, so the merge below agrees with Python's comparison.
    order = [c.collate("C") if conn.dialect.name == "postgresql" and isinstance(c.type, sa.String) else c
             for c in pk]
    for row in conn.execute(sa.select(table).order_by(*order)).mappings():
        yield tuple(row[c.name] for c in pk), dict(row)


def diff_table(live: sa.Connection, rebuilt: sa.Connection, table: sa.Table, limit: int) -> tuple[int, list[Difference]]:
    """Merge-compare two key-ordered row streams in constant memory."""
    found: list[Difference] = []
    compared = 0
    a, b = _ordered_rows(live, table), _ordered_rows(rebuilt, table)
    left, right = next(a, None), next(b, None)
    while (left or right) and len(found) < limit:
        compared += 1
        if right is None or (left is not None and left[0] < right[0]):
            assert left is not None
            found.append(Difference(table.name, left[0], left[1], None))
            left = next(a, None)
        elif left is None or right[0] < left[0]:
            found.append(Difference(table.name, right[0], None, right[1]))
            right = next(b, None)
        else:
            if left[1] != right[1]:
                found.append(Difference(table.name, left[0], left[1], right[1]))
            left, right = next(a, None), next(b, None)
    return compared, found


def verify_projections(
    app: Application[Any], live_engine: sa.Engine, projections: Sequence[Projection], *,
    scratch_url: str | None = None, limit: int = 20, progress: Callable[[str], Progress] | None = None,
) -> list[Report]:
    """Rebuild each projection into a scratch database and diff it with the live one."""
    reports = []
    with tempfile.TemporaryDirectory(prefix="touchline-verify-") as scratch_dir:
        url = scratch_url or f"sqlite:///{Path(scratch_dir) / 'scratch-views.db'}"
        scratch = create_views_engine(url, writer=True)
        try:
            for projection in projections:
                reports.append(_verify_one(app, live_engine, scratch, projection, limit,
                                           progress(projection.name) if progress else None))
        finally:
            scratch.dispose()
    return reports


def _verify_one(
    app: Application[Any], live_engine: sa.Engine, scratch: sa.Engine, projection: Projection, limit: int,
    progress: Progress | None,
) -> Report:
    options = {"isolation_level": "REPEATABLE READ"} if live_engine.dialect.name == "postgresql" else {}
    with live_engine.connect().execution_options(**options) as live, live.begin():
        position = live.execute(sa.select(projection_tracking.c.position)
                                .where(projection_tracking.c.name == projection.name)).scalar() or 0
        runner = ProjectionRunner(app, scratch, [projection])
        try:
            runner.prepare()
            runner.reset()
            runner.catch_up(stop=position, progress=progress)
        finally:
            runner.close()
        compared, differences = 0, []
        with scratch.connect() as rebuilt:
            for table in projection.tables:
                n, found = diff_table(live, rebuilt, table, limit - len(differences))
                compared += n
                differences += found
        return Report(projection.name, position, compared, differences)
