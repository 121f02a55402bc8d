"""``import_customers`` on a generated file of N customers: the first import, a check, and a
re-run, against baselines measured in the same process, on the same backend:

- the store's floor: ``Application.save`` of N one-event trivial aggregates, 500 per call
  (the importer's batch size), into a fresh database;
- reading the file with ``csv.DictReader`` (what any importer must do);
- reading and decoding the N stored events (what a re-run must at least do to know the
  stored state).

Each row has an external id, a name, an email address, a phone number and two segment
attributes; the email owners come from no read model (a migration into a new installation).

    .venv/bin/python benchmarks/customer_import.py [--backend sqlite|postgres|all] [--rows 20000] [--runs 1]
"""

from __future__ import annotations

import argparse
import csv
import io
from datetime import UTC, datetime

from maven_import import (  # run from this folder
    decode_log,
    fresh_database,
    postgres_reachable,
    save_trivial,
    timed,
)

from domain.application import Touchline
from domain.clock import FixedClock
from projections.storage import storage_from_url
from web.importers.customers import import_customers


def customers_file(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("external_id", "name", "kind", "email", "phone", "sector", "segment.tier"))
    for n in range(rows):
        writer.writerow((f"Z-{n}", f"Customer {n}", "person" if n % 4 else "company", f"c{n}@example.com",
                         f"+44 20 7946 {n % 10_000:04d}", ("retail", "software", "health")[n % 3], "gold"))
    return out.getvalue().encode()


def one_run(backend: str, rows: int) -> dict[str, float]:
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    data = customers_file(rows)
    with fresh_database(backend) as url:
        app = Touchline(env=storage_from_url(url).event_store_env)
        try:
            check_s = timed(lambda: import_customers(app, clock, "c.csv", data, check_only=True))
            assert not app.recorder.max_notification_id(), "the check stored events"
            first_s = timed(lambda: import_customers(app, clock, "c.csv", data))
            assert app.recorder.max_notification_id() == rows, "not every row was imported"
            rerun_s = timed(lambda: import_customers(app, clock, "c.csv", data))
            assert app.recorder.max_notification_id() == rows, "the re-run stored events"
            log_s = timed(lambda: decode_log(app))
        finally:
            app.close()
    with fresh_database(backend) as url:
        floor_s = save_trivial(url, rows)
    csv_s = timed(lambda: sum(1 for _ in csv.DictReader(io.StringIO(data.decode()))))
    return {"first": first_s, "check": check_s, "rerun": rerun_s, "floor": floor_s, "csv": csv_s, "log": log_s}


def report(backend: str, rows: int, runs: list[dict[str, float]]) -> None:
    best = {key: min(run[key] for run in runs) for key in runs[0]}
    first_rate, floor_rate = rows / best["first"], rows / best["floor"]
    print(f"\n{backend}: {rows:,} customers, best of {len(runs)} run(s)")
    print(f"  first import  {best['first']:6.2f} s  {first_rate:9,.0f} rows/s")
    print(f"  check only    {best['check']:6.2f} s  (stores nothing)")
    print(f"  re-run        {best['rerun']:6.2f} s  (stores nothing)")
    print(f"  baseline: save {rows:,} trivial aggregates, 500 per save(): {best['floor']:.2f} s  {floor_rate:,.0f}/s")
    print(f"  baseline: csv.DictReader over the file: {best['csv']:.3f} s")
    print(f"  baseline: read and decode the {rows:,} stored events: {best['log']:.2f} s")
    print(f"  ratio first import / store floor (rate): {first_rate / floor_rate:.2f}x")
    print(f"  ratio re-run time / (csv parse + log decode) time: {best['rerun'] / (best['csv'] + best['log']):.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "all"), default="all")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    for backend in ["sqlite", "postgres"] if args.backend == "all" else [args.backend]:
        if backend == "postgres" and not postgres_reachable():
            continue
        report(backend, args.rows, [one_run(backend, args.rows) for _ in range(args.runs)])


if __name__ == "__main__":
    main()
