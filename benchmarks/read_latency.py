"""Read endpoints stay flat as history grows: p99 of GET /api/v1/funnel (and the customer
timeline) at N events vs at 10x N, through the Flask test client.

Target (issues 4 and 5): p99 at 1M events at most 1.5x p99 at 100k.
Usage: ``benchmarks/read_latency.py [--small 100000] [--large 1000000] [--requests 300]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from _store import NOW, fill  # benchmarks run as scripts, from this folder

from domain.clock import FixedClock
from web import create_app


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def measure(url: str, requests: int) -> dict[str, float]:
    app = create_app({"DATABASE_URL": url, "CLOCK": FixedClock(NOW), "TESTING": True})
    client = app.test_client()
    customer = app.extensions["touchline"].app  # noqa: F841 - keeps the store open
    from projections.queries.customers import list_customers
    with app.extensions["touchline"].views.connect() as conn:
        some = list_customers(conn, limit=1).items[0]["id"]
    paths = {"funnel": "/api/v1/funnel", "funnel as of": "/api/v1/funnel?as_of=2017-06-30"}
    timeline = f"/api/v1/customers/{some}/timeline"
    if client.get(timeline).status_code == 200:
        paths["timeline"] = timeline
    results = {}
    for name, path in paths.items():
        for _ in range(10):
            client.get(path)  # warm up
        samples = []
        for _ in range(requests):
            began = time.perf_counter()
            assert client.get(path).status_code == 200
            samples.append(time.perf_counter() - began)
        results[name] = p99(samples)
    app.extensions["touchline"].close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--db", help="database URL to fill and keep (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        measured = {}
        for size in (args.small, args.large):
            from _store import open_store
            services = open_store(url)
            fill(services, size)
            services.projection_runner().catch_up()
            services.close()
            measured[size] = measure(url, args.requests)
        for name in measured[args.small]:
            small, large = measured[args.small][name], measured[args.large][name]
            print(f"{name:<14} p99 at {args.small}: {small * 1000:7.2f} ms   at {args.large}: {large * 1000:7.2f} ms"
                  f"   ratio {large / small:5.2f}  (target <= 1.5)")


if __name__ == "__main__":
    main()
