"""The scheduler's overdue-promise scan and the handling of what it finds, at two store sizes.

Target (issue 8): the scan over 100k open promises with 1k due under 50 ms; handling those 1k
(batched commands and outbox entries) under 1 s; cost grows with what is due, not with what is
stored. Per size, printed with ratios against baselines measured in the same process:

- scan: the follow-up rule's query (open, due in the window, no notice yet: an anti-join on
  ``outbox_notices``) vs a plain indexed SELECT of the same due rows (no anti-join);
- handling: ``follow_up_promises`` (render from the view's rows, append the follow-ups after
  the version the view holds, save notices + messages in batches of 200) vs creating and
  saving as many new events (trivial aggregates) in as many transactions;
- loading the due promises alone (one event-store read each): what handling did per promise
  until it appended at the view's version instead;
- the next tick's scan, once the notices are projected (finds nothing; reads the 1k again).

Usage: ``benchmarks/scheduler_scan.py [--stored 100000 10000] [--due 1000] [--compare-loads] [--postgres]``
(SQLite, temporary files by default; ``--postgres`` runs on a fresh PostgreSQL database;
``--compare-loads`` also handles the same work in a second store of the same size loading each
due promise first, as the scheduler did before it appended at the view's version).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

from domain.application import Touchline
from domain.clock import FixedClock
from domain.promises.model import Promise
from domain.users.model import User
from projections.engine import create_views_engine
from projections.registry import all_projections
from projections.runner import ProjectionRunner
from projections.storage import storage_from_url
from projections.views.promises import promises
from scheduler.context import SchedulerContext
from scheduler.promises import (
    Rule,
    _overdue,
    apply_rule,
    follow_up_promises,
    rules,
    scan,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PG = os.environ.get("TOUCHLINE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def median_ms(run: Callable[[], Any], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def fill(app: Touchline, stored: int, due: int) -> None:
    """``stored`` open promises, ``due`` of them overdue by up to an hour, the rest due in the next 60 days."""
    owner = User.register(email="ann@shop.example", name="Ann", role="agent", occurred_at=NOW, actor="system:b")
    customer = app.register_customer(name="Ada", contact_points=[{"kind": "email", "value": "ada@example.com"}],
                                      occurred_at=NOW, actor="system:b").id
    app.save(owner)
    batch = []
    for i in range(stored):
        due_at = NOW - timedelta(seconds=3600 * (i + 1) / (due + 1)) if i < due else \
            NOW + timedelta(minutes=30 + (i * 7919) % (60 * 24 * 60))
        batch.append(Promise.make(id=uuid.uuid4(), customer_id=customer, what=f"Task {i}", due_at=due_at,
                                  owner=f"user:{owner.id}", channel="email", occurred_at=NOW - timedelta(days=1),
                                  actor="system:b"))
        if len(batch) == 1000:
            app.save(*batch)
            batch = []
    if batch:
        app.save(*batch)


class Everything(set[uuid.UUID]):
    """A "touched" set holding every promise: each is loaded and checked (the way before the view's version)."""

    def __contains__(self, item: object) -> bool:
        return True


def handle(ctx: SchedulerContext, *, load: bool = False) -> Any:
    """``follow_up_promises``; with ``load``, every promise is loaded first, as before."""
    if not load:
        return follow_up_promises(ctx)
    outcomes = [apply_rule(ctx, rule, Everything()) for rule in rules(ctx)]
    for more in outcomes[1:]:
        outcomes[0].add(more)
    return outcomes[0]


def event_floor(app: Touchline, events: int, transactions: int) -> float:
    """Seconds to create and save ``events`` new one-event aggregates in ``transactions`` transactions."""
    per = events // transactions
    began = time.perf_counter()
    for t in range(transactions):
        app.save(*[User.register(email=f"u{t}-{i}@floor.example", name="U", role="agent", occurred_at=NOW,
                                 actor="system:b") for i in range(per)])
    return time.perf_counter() - began


def measure(url: str, stored: int, due: int, *, load: bool = False) -> dict[str, float]:
    storage = storage_from_url(url)
    app = Touchline(env=storage.event_store_env)
    views = create_views_engine(storage.views_url)
    runner = ProjectionRunner(app, create_views_engine(storage.views_url, writer=True), all_projections(),
                              reader=views)
    runner.prepare()
    began = time.perf_counter()
    fill(app, stored, due)
    runner.catch_up()
    print(f"  {stored} promises stored and projected in {time.perf_counter() - began:.1f}s")
    ctx = SchedulerContext(app, views, FixedClock(NOW))
    rule = Rule("customer_apology", NOW - ctx.settings.lookback, NOW, _overdue)
    plain = sa.select(promises.c.id, promises.c.owner, promises.c.customer_id, promises.c.due_at).where(
        promises.c.status == "open", promises.c.due_at > rule.since, promises.c.due_at <= NOW) \
        .order_by(promises.c.due_at, promises.c.id).limit(ctx.settings.page_size)
    with views.connect() as conn:
        assert len(conn.execute(scan(rule, ctx.settings.page_size)).all()) == due
        results = {"scan_ms": median_ms(lambda: conn.execute(scan(rule, ctx.settings.page_size)).all()),
                   "select_ms": median_ms(lambda: conn.execute(plain).all())}
    with views.connect() as conn:
        due_ids = [uuid.UUID(r.id) for r in conn.execute(plain)]
    began = time.perf_counter()
    for promise_id in due_ids:  # part of handling: each due promise is loaded once
        app.get_promise(promise_id)
    results["load_s"] = time.perf_counter() - began
    began = time.perf_counter()
    outcome = handle(ctx, load=load)
    results["handle_s"] = time.perf_counter() - began
    assert outcome.done == due, outcome
    batches = -(-due // ctx.settings.batch_size)
    results["floor_s"] = event_floor(app, due * 4, batches)  # 2 follow-ups + 2 messages per promise
    runner.catch_up()
    with views.connect() as conn:
        assert conn.execute(scan(rule, ctx.settings.page_size)).all() == []
        results["rescan_ms"] = median_ms(lambda: conn.execute(scan(rule, ctx.settings.page_size)).all())
    runner.close()
    views.dispose()
    app.close()
    return results


def database(kind: str, directory: Path, name: str) -> tuple[str, Callable[[], None]]:
    if kind == "sqlite":
        return f"sqlite:///{directory / name}.db", lambda: None
    db = f"touchline_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')

    def drop() -> None:
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')

    return f"{PG.rsplit('/', 1)[0]}/{db}", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stored", type=int, nargs="+", default=[100_000, 10_000])
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--compare-loads", action="store_true",
                        help="also handle the same work in a second store loading each promise (as before)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for stored in args.stored:
            url, drop = database("postgres" if args.postgres else "sqlite", Path(tmp), f"s{stored}")
            try:
                rows.append((stored, measure(url, stored, args.due)))
            finally:
                drop()
            if args.compare_loads:
                url, drop = database("postgres" if args.postgres else "sqlite", Path(tmp), f"l{stored}")
                try:
                    rows[-1][1]["loaded_s"] = measure(url, stored, args.due, load=True)["handle_s"]
                finally:
                    drop()
    print(f"\n{'stored':>8} {'due':>5} {'scan ms':>8} {'SELECT ms':>9} {'ratio':>6} {'handle s':>8} {'floor s':>7}"
          f" {'ratio':>6} {'load s':>6} {'rescan ms':>9}")
    for stored, r in rows:
        print(f"{stored:>8} {args.due:>5} {r['scan_ms']:>8.1f} {r['select_ms']:>9.1f} {r['scan_ms'] / r['select_ms']:>6.2f}"
              f" {r['handle_s']:>8.2f} {r['floor_s']:>7.2f} {r['handle_s'] / r['floor_s']:>6.2f} {r['load_s']:>6.2f}"
              f" {r['rescan_ms']:>9.1f}")
    for stored, r in rows:
        if "loaded_s" in r:
            print(f"{stored:>8} stored: handling {r['handle_s']:.2f} s at the view's version vs {r['loaded_s']:.2f} s "
                  f"loading each promise: {r['handle_s'] / r['loaded_s']:.2f}x")
    if len(rows) > 1:
        (big, a), (small, b) = rows[0], rows[-1]
        print(f"\nscan at {big} stored / at {small} stored: {a['scan_ms'] / b['scan_ms']:.2f}x;"
              f" handling: {a['handle_s'] / b['handle_s']:.2f}x (same {args.due} due)")
    print("targets: scan < 50 ms, handling < 1 s at 100k stored / 1k due; growth with stored ~1x")


if __name__ == "__main__":
    main()
