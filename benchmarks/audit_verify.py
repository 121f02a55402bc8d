"""Tamper evidence: what verifying costs, and what chaining adds to each write.

1. Writes: ``record_touchpoint`` (one touchpoint per transaction) into a chained store vs an
   unchained one (the same recorder without chaining), in this process, taking turns every
   50 writes (as ``touchpoint_write.py``). Reported: the chained rate as a ratio of the plain one.
2. Verify: ``verify_chain`` over a store of N events vs reading the raw notification rows
   (``select_notifications`` in batches, no decoding) in this process, and the time for N,
   extrapolated linearly to 1M (target: under 60 s on SQLite).

    .venv/bin/python benchmarks/audit_verify.py [--events 100000] [--writes 1000] [--rounds 4]
        [--backend sqlite|postgres|all]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from uuid import uuid4

from benchmarks.touchpoint_write import FIELDS, fresh_postgres_database, timed_round
from domain.application import Touchline
from projections.chain_verify import verify_chain
from projections.storage import storage_from_url

WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
PLAIN = {"sqlite": "projections.group_commit:GroupCommitSQLiteRecorder",
         "postgres": "projections.group_commit:GroupCommitPostgresRecorder"}
TARGET_SECONDS_1M = 60.0


def open_app(url: str, recorder_topic: str | None = None) -> Touchline:
    env = dict(storage_from_url(url).event_store_env)
    if recorder_topic:
        env["APPLICATION_RECORDER_TOPIC"] = recorder_topic
    return Touchline(env=env)


def write_cost(name: str, chained_url: str, plain_url: str, count: int, rounds: int) -> float:
    chained, plain = open_app(chained_url), open_app(plain_url, PLAIN[name])
    try:
        steps = []
        for app in (plain, chained):
            customer = app.register_customer(name="Bench", occurred_at=WHEN, actor="user:bench").id
            steps.append(lambda app=app, customer=customer: app.record_touchpoint(customer_id=customer, **FIELDS))
        for step in steps:
            for _ in range(50):
                step()  # warm up
        totals = {"plain": 0.0, "chained": 0.0}
        for number in range(rounds):
            sides = [("plain", steps[0]), ("chained", steps[1])]
            measured = timed_round(sides if number % 2 == 0 else sides[::-1], count)
            for side in totals:
                totals[side] += count / measured[side]
        plain_rate, chained_rate = (count * rounds / totals[side] for side in ("plain", "chained"))
        ratio = chained_rate / plain_rate
        print(f"{name:8} writes, {count * rounds:,} each: unchained {plain_rate:,.0f}/s, chained {chained_rate:,.0f}/s, "
              f"ratio {ratio:.2f}x (cost per write {1e6 / chained_rate - 1e6 / plain_rate:+.0f} us)")
        return ratio
    finally:
        chained.close()
        plain.close()


def fill(app: Touchline, events: int) -> None:
    """Touchpoints of 100 customers, saved 1,000 per transaction (realistic states, fast)."""
    customers = [app.register_customer(name=f"Customer {i}", occurred_at=WHEN, actor="user:bench").id
                 for i in range(100)]
    head = app.recorder.max_notification_id() or 0
    started = time.perf_counter()
    while head < events:
        batch = [app.build_touchpoint(customer_id=customers[i % 100], id=uuid4(), **FIELDS)
                 for i in range(min(1000, events - head))]
        app.save(*batch)
        head = app.recorder.max_notification_id() or 0
    print(f"  filled {head:,} events in {time.perf_counter() - started:.1f}s", file=sys.stderr)


def read_raw(app: Touchline) -> int:
    seen, start = 0, 0
    while rows := app.recorder.select_notifications(start, 5000, inclusive_of_start=False):
        seen += len(rows)
        start = rows[-1].id
    return seen


def verify_rate(name: str, url: str, events: int) -> None:
    app = open_app(url)
    try:
        fill(app, events)
        started = time.perf_counter()
        seen = read_raw(app)
        raw_seconds = time.perf_counter() - started
        started = time.perf_counter()
        report = verify_chain(app.recorder, b"bench-key")
        seconds = time.perf_counter() - started
        assert report.ok and report.events == seen, report.problems
        per_million = seconds * 1_000_000 / seen
        verdict = "ok" if per_million < TARGET_SECONDS_1M else "ABOVE TARGET"
        print(f"{name:8} verify {seen:,} events: {seconds:.1f}s ({seen / seconds:,.0f} events/s); raw read "
              f"{seen / raw_seconds:,.0f} rows/s; ratio {raw_seconds / seconds:.2f}x; "
              f"1M extrapolated {per_million:.0f}s (target < {TARGET_SECONDS_1M:.0f}s: {verdict})")
    finally:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events in the verified store")
    parser.add_argument("--writes", type=int, default=1000, help="writes per side and round")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "all"), default="all")
    args = parser.parse_args()
    if args.backend in ("sqlite", "all"):
        with tempfile.TemporaryDirectory() as folder:
            write_cost("sqlite", f"sqlite:///{folder}/chained.db", f"sqlite:///{folder}/plain.db",
                       args.writes, args.rounds)
            verify_rate("sqlite", f"sqlite:///{folder}/verify.db", args.events)
    if args.backend in ("postgres", "all"):
        with ExitStack() as stack:
            chained, plain = (stack.enter_context(fresh_postgres_database()) for _ in range(2))
            if chained and plain:
                write_cost("postgres", chained, plain, args.writes, args.rounds)
                verify_rate("postgres", chained, args.events)


if __name__ == "__main__":
    main()
