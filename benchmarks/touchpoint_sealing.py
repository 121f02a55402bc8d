"""What sealing personal fields (per-customer AES-GCM keys, projections/crypto.py) adds to a save.

``Touchline.record_touchpoint`` (subject, summary and contact point sealed) with the storage
``projections.storage`` selects, vs the same Application and recorder without the sealing
mapper (the pre-erasure stack: the library's factory and the chaining recorder), each in its
own database file (SQLite) or database (PostgreSQL), in this process, taking turns every 50
writes. Also the mapper alone (``to_stored_event`` + ``to_domain_event``, no I/O), sealed vs plain.

    .venv/bin/python -m benchmarks.touchpoint_sealing [--touchpoints 1000] [--rounds 6] [--backend sqlite|postgres|all]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from benchmarks.touchpoint_write import (
    FIELDS,
    WHEN,
    fresh_postgres_database,
    rate,
    timed_round,
)
from domain.application import Touchline
from projections.storage import storage_from_url

PLAIN = {
    "sqlite": {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
               "APPLICATION_RECORDER_TOPIC": "projections.chain_sqlite:ChainedSQLiteRecorder"},
    "postgres": {"PERSISTENCE_MODULE": "eventsourcing.postgres",
                 "APPLICATION_RECORDER_TOPIC": "projections.chain_pg:ChainedPostgresRecorder"},
}


def mapper_cost(app: Touchline, count: int) -> float:
    """Microseconds per touchpoint event through the app's mapper, encode and decode."""
    customer = app.register_customer(name="Mapper Customer", occurred_at=WHEN, actor="user:benchmark").id
    event = app.build_touchpoint(customer_id=customer, **FIELDS).collect_events()[0]
    app.mapper.to_stored_event(event)
    started = time.perf_counter()
    for _ in range(count):
        app.mapper.to_domain_event(app.mapper.to_stored_event(event))
    return (time.perf_counter() - started) / count * 1e6


def run(name: str, sealed_url: str, plain_url: str, count: int, rounds: int) -> None:
    sealed = Touchline(env=storage_from_url(sealed_url).event_store_env)
    plain = Touchline(env={**storage_from_url(plain_url).event_store_env, **PLAIN[name]})
    try:
        ids = {app: app.register_customer(name="Benchmark Customer", occurred_at=WHEN, actor="user:benchmark").id
               for app in (sealed, plain)}
        steps = {side: (lambda app=app: app.record_touchpoint(customer_id=ids[app], **FIELDS))
                 for side, app in (("plain", plain), ("sealed", sealed))}
        rate(steps["plain"], 50), rate(steps["sealed"], 50)  # warm up
        ratios, totals = [], {"plain": 0.0, "sealed": 0.0}
        for number in range(1, rounds + 1):
            sides = list(steps.items())
            measured = timed_round(sides if number % 2 else sides[::-1], count)
            for side in totals:
                totals[side] += count / measured[side]
            ratios.append(measured["sealed"] / measured["plain"])
            print(f"{name:8} round {number}: plain {measured['plain']:7,.0f}/s  sealed {measured['sealed']:7,.0f}/s"
                  f"  ratio {ratios[-1]:.2f}x", file=sys.stderr)
        plain_rate, sealed_rate = (count * rounds / totals[s] for s in ("plain", "sealed"))
        print(f"{name:8} {count * rounds:,} each: plain {plain_rate:,.0f}/s, sealed {sealed_rate:,.0f}/s, "
              f"ratio {sealed_rate / plain_rate:.2f}x (rounds: median {statistics.median(ratios):.2f}x, "
              f"{min(ratios):.2f}-{max(ratios):.2f}x)")
        print(f"{name:8} mapper per touchpoint event (encode + decode): plain {mapper_cost(plain, 5000):.1f} us, "
              f"sealed {mapper_cost(sealed, 5000):.1f} us")
    finally:
        sealed.close()
        plain.close()


@contextmanager
def two_postgres() -> Iterator[tuple[str, str] | None]:
    with ExitStack() as stack:
        urls = [stack.enter_context(fresh_postgres_database()) for _ in range(2)]
        yield (urls[0], urls[1]) if all(urls) else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--touchpoints", type=int, default=1000, help="per side and round")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "all"), default="all")
    args = parser.parse_args()
    if args.backend in ("sqlite", "all"):
        with tempfile.TemporaryDirectory() as folder:
            run("sqlite", f"sqlite:///{folder}/sealed.db", f"sqlite:///{folder}/plain.db", args.touchpoints,
                args.rounds)
    if args.backend in ("postgres", "all"):
        with two_postgres() as urls:
            if urls:
                run("postgres", *urls, args.touchpoints, args.rounds)


if __name__ == "__main__":
    main()
