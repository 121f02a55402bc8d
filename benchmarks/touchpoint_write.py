"""Recording touchpoints through the Application vs a plain SQLAlchemy single-row insert.

Target (design.md): ``Touchline.record_touchpoint``, one touchpoint per transaction for one
registered customer, runs at >= 0.75x the rate of inserting one touchpoint-shaped row per
``with engine.begin()`` transaction into the same database. Both run in this process and take
turns every 50 writes within a round (baseline first in odd rounds, app first in even ones), so
bursts of load from elsewhere (other processes' fsyncs on a shared disk) slow both sides alike.
SQLite: one file in WAL mode for both (eventsourcing switches its files to WAL; the baseline
engine sets the same pragma). PostgreSQL, when reachable: a fresh database, dropped after.

    .venv/bin/python benchmarks/touchpoint_write.py [--touchpoints 1000] [--rounds 10]
        [--backend sqlite|postgres|all] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Column, DateTime, MetaData, String, Table, Text, Uuid, create_engine, event
from sqlalchemy.engine import Engine

from domain.application import Touchline
from projections.storage import storage_from_url

TARGET = 0.75
POSTGRES_ADMIN_URL = os.environ.get("TOUCHLINE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
FIELDS: dict[str, Any] = {
    "channel": "phone", "direction": "inbound", "kind": "inquiry",
    "subject": "Asked when the replacement router will arrive",
    "summary": "Customer called about order 4471; promised an update by email before Friday noon.",
    "occurred_at": WHEN, "actor": "user:benchmark",
}
BASELINE = Table(
    "benchmark_touchpoints", MetaData(),
    Column("id", Uuid, primary_key=True), Column("customer_id", Uuid, nullable=False),
    Column("channel", String(20)), Column("direction", String(10)), Column("kind", String(20)),
    Column("subject", String(300)), Column("summary", Text), Column("occurred_at", DateTime(timezone=True)),
    Column("actor", String(200)),
)


def baseline_engine(url: str) -> Engine:
    engine = create_engine(url)
    if url.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def wal(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
    BASELINE.create(engine)
    return engine


TURN = 50  # writes per side before the other side's turn


def elapsed(step: Callable[[], object], count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        step()
    return time.perf_counter() - started


def rate(step: Callable[[], object], count: int) -> float:
    return count / elapsed(step, count)


def timed_round(sides: list[tuple[str, Callable[[], object]]], count: int) -> dict[str, float]:
    """Rate of each side over ``count`` writes, the sides taking turns every TURN writes."""
    seconds = {name: 0.0 for name, _ in sides}
    for done in range(0, count, TURN):
        for name, step in sides:
            seconds[name] += elapsed(step, min(TURN, count - done))
    return {name: count / total for name, total in seconds.items()}


def run_backend(name: str, url: str, count: int, rounds: int, profile: bool) -> float:
    storage = storage_from_url(url)
    app = Touchline(env=storage.event_store_env)
    engine = baseline_engine(f"sqlite:///{storage.event_store_env['SQLITE_DBNAME']}" if storage.is_sqlite
                             else storage.views_url)
    try:
        customer_id = app.register_customer(name="Benchmark Customer", occurred_at=WHEN, actor="user:benchmark").id

        def record() -> object:
            return app.record_touchpoint(customer_id=customer_id, **FIELDS)

        def insert() -> object:
            with engine.begin() as connection:
                return connection.execute(BASELINE.insert(), {"id": uuid.uuid4(), "customer_id": customer_id, **FIELDS})

        rate(record, 50), rate(insert, 50)  # warm up connections, caches and statement compilation
        seconds = {"baseline": 0.0, "app": 0.0}
        ratios = []
        for number in range(1, rounds + 1):
            sides = [("baseline", insert), ("app", record)]
            measured = timed_round(sides if number % 2 else sides[::-1], count)
            for side in seconds:
                seconds[side] += count / measured[side]
            ratios.append(measured["app"] / measured["baseline"])
            print(f"{name:8} round {number:2}: baseline {measured['baseline']:7,.0f}/s  app {measured['app']:7,.0f}/s"
                  f"  ratio {ratios[-1]:.2f}x", file=sys.stderr)
        baseline, app_rate = (count * rounds / seconds[side] for side in ("baseline", "app"))
        ratio = app_rate / baseline
        verdict = "ok" if ratio >= TARGET else "BELOW TARGET"
        print(f"{name:8} {count * rounds:,} each: baseline {baseline:,.0f}/s, app {app_rate:,.0f}/s, "
              f"ratio {ratio:.2f}x (rounds: median {statistics.median(ratios):.2f}x, "
              f"{min(ratios):.2f}-{max(ratios):.2f}x; target >= {TARGET}x: {verdict})")
        if profile:
            print_profile(record, count)
        return ratio
    finally:
        engine.dispose()
        app.close()


def print_profile(step: Callable[[], object], count: int) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(rate, step, count)
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(25)


@contextmanager
def fresh_postgres_database() -> Iterator[str | None]:
    """A new database on the test server (None when unreachable), dropped afterwards."""
    import psycopg

    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        print(f"postgres: skipped, {POSTGRES_ADMIN_URL} unreachable ({exc})".strip(), file=sys.stderr)
        yield None
        return
    name = f"touchline_bench_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--touchpoints", type=int, default=1000, help="per side and round")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "all"), default="all")
    parser.add_argument("--profile", action="store_true", help="also profile the Application path")
    args = parser.parse_args()
    if args.backend in ("sqlite", "all"):
        with tempfile.TemporaryDirectory() as folder:
            run_backend("sqlite", f"sqlite:///{folder}/touchline.db", args.touchpoints, args.rounds, args.profile)
    if args.backend in ("postgres", "all"):
        with fresh_postgres_database() as url:
            if url:
                run_backend("postgres", url, args.touchpoints, args.rounds, args.profile)


if __name__ == "__main__":
    main()
