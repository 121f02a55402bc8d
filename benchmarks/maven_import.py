"""``import_maven`` on the real data set: the first import and a re-run, against two baselines.

Targets (issue 3): first import under 15 s and re-run under 3 s on SQLite (file database).
Baselines measured in the same process, on the same backend:
- the store's floor: ``Application.save`` of as many one-event trivial aggregates as the
  import stores events, 500 per call (the importer's batch size), into a fresh database;
- reading the four CSV files with ``csv.DictReader`` (what any importer must do);
- reading and decoding the whole event log of the imported database (what a re-run must
  at least do to know the stored state).
The ratios say how much the importer adds on top of them. Each run uses fresh databases
(PostgreSQL: created and dropped here, when reachable).

    .venv/bin/python benchmarks/maven_import.py [--backend sqlite|postgres|all] [--runs 1] [--data DIR]
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from eventsourcing.domain import Aggregate, event

from domain.application import Touchline
from domain.clock import FixedClock
from projections.storage import storage_from_url
from web.importers.maven import FILES, import_maven

POSTGRES_ADMIN_URL = os.environ.get("TOUCHLINE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
DATA = Path(__file__).resolve().parents[1] / "data" / "maven-crm"
TARGET_FIRST, TARGET_RERUN = 15.0, 3.0
BATCH = 500


class Blip(Aggregate):
    """The trivial aggregate of the baseline: one small event."""

    @event("Noted")
    def __init__(self, n: int) -> None:
        self.n = n


@contextmanager
def fresh_database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/touchline.db"
        return
    import psycopg

    name = f"touchline_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def parse_csv(data: Path) -> int:
    rows = 0
    for name in FILES:
        with (data / name).open(newline="", encoding="utf-8-sig") as f:
            rows += sum(1 for _ in csv.DictReader(f))
    return rows


def decode_log(app: Touchline) -> int:
    count, start = 0, 0
    while batch := app.recorder.select_notifications(start, 5000, inclusive_of_start=False):
        for notification in batch:
            app.mapper.to_domain_event(notification)
        count, start = count + len(batch), batch[-1].id
    return count


def save_trivial(url: str, count: int) -> float:
    app = Touchline(env=storage_from_url(url).event_store_env)
    try:
        blips = [Blip(n) for n in range(count)]
        started = time.perf_counter()
        for i in range(0, count, BATCH):
            app.save(*blips[i:i + BATCH])
        return time.perf_counter() - started
    finally:
        app.close()


def one_run(backend: str, data: Path) -> dict[str, float]:
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    with fresh_database(backend) as url:
        app = Touchline(env=storage_from_url(url).event_store_env)
        try:
            first_summary = None

            def first() -> None:
                nonlocal first_summary
                first_summary = import_maven(app, clock, data)

            first_s = timed(first)
            assert first_summary is not None and not first_summary.rejects
            events = first_summary.events_stored
            before = app.recorder.max_notification_id()
            rerun_s = timed(lambda: import_maven(app, clock, data))
            assert app.recorder.max_notification_id() == before, "the re-run stored events"
            log_s = timed(lambda: decode_log(app))
        finally:
            app.close()
    with fresh_database(backend) as url:
        floor_s = save_trivial(url, events)
    csv_s = timed(lambda: parse_csv(data))
    return {"events": events, "first": first_s, "rerun": rerun_s, "floor": floor_s, "csv": csv_s, "log": log_s}


def report(backend: str, runs: list[dict[str, float]]) -> None:
    best = {key: min(run[key] for run in runs) for key in runs[0]}
    events = int(best["events"])
    first_rate, floor_rate = events / best["first"], events / best["floor"]
    print(f"\n{backend}: {events:,} events, best of {len(runs)} run(s)")
    print(f"  first import  {best['first']:6.2f} s  {first_rate:9,.0f} events/s   target < {TARGET_FIRST:.0f} s"
          f"  {'ok' if best['first'] < TARGET_FIRST else 'MISSED'}")
    print(f"  re-run        {best['rerun']:6.2f} s  (stores nothing)        target < {TARGET_RERUN:.0f} s"
          f"  {'ok' if best['rerun'] < TARGET_RERUN else 'MISSED'}")
    print(f"  baseline: save {events:,} trivial aggregates, {BATCH} per save(): {best['floor']:.2f} s"
          f"  {floor_rate:,.0f} events/s")
    print(f"  baseline: csv.DictReader over the four files: {best['csv']:.3f} s")
    print(f"  baseline: read and decode the {events:,} stored events: {best['log']:.2f} s")
    print(f"  ratio first import / store floor (rate): {first_rate / floor_rate:.2f}x")
    print(f"  ratio re-run time / (csv parse + log decode) time: {best['rerun'] / (best['csv'] + best['log']):.2f}x")


def postgres_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3).close()
        return True
    except Exception as exc:  # any failure means "no server here"
        print(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc}")
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "all"), default="all")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "all" else [args.backend]
    for backend in backends:
        if backend == "postgres" and not postgres_reachable():
            continue
        report(backend, [one_run(backend, args.data) for _ in range(args.runs)])


if __name__ == "__main__":
    main()
