"""Read endpoints stay flat as history grows: p99 of the main list and detail endpoints at N
events vs at 10x N (the same store, grown), through the Flask test client with a token.

Target (issues 4 and 5): p99 at 1M events at most 1.5x p99 at 100k, per endpoint.
Usage: ``benchmarks/read_latency.py [--small 100000] [--large 1000000] [--requests 300] [--db URL]
[--growth density|days]``. The store is filled with the Maven data and demo history (``_store.fill``,
the bulk path) in a temporary SQLite file unless ``--db`` names one to fill and keep. ``--growth``
says how the history grows to 10x: ``density`` (default) puts it in the same last year (a busier
business: 11x the contacts a day, 12x the open cases), ``days`` adds earlier years at the same pace
(the same business, longer). On SQLite the store at N is
copied before it grows, and the two sizes are measured in alternating turns of 25 requests, so
a burst of other work on the machine hits both alike. Records the endpoints read (the busiest
customer, a case) are chosen in each store.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from _store import GROWTH, NOW, fill, open_store  # benchmarks run as scripts, from this folder

from domain.clock import FixedClock
from projections.views.cases import cases
from projections.views.customer360 import customer_timeline
from web import create_app

TARGET = 1.5


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def endpoints(views: sa.Engine, head: int) -> dict[str, str]:
    """What an integrator reads most, with records picked in this store."""
    with views.connect() as conn:
        busiest = conn.execute(sa.select(customer_timeline.c.customer_id).group_by(customer_timeline.c.customer_id)
                               .order_by(sa.func.count().desc()).limit(1)).scalar()
        case = conn.execute(sa.select(cases.c.id).order_by(cases.c.opened_at.desc()).limit(1)).scalar()
    since = quote((NOW - timedelta(days=90)).replace(hour=9, minute=30).isoformat())
    return {
        "funnel": "/api/v1/funnel",
        "funnel as of": "/api/v1/funnel?as_of=2017-06-30",
        "forecast": "/api/v1/forecast",
        "forecast as of": "/api/v1/forecast?as_of=2017-06-30",
        "customers by last contact": "/api/v1/customers?sort=-last_contact_at",
        "customers by name": "/api/v1/customers",
        "customer 360": f"/api/v1/customers/{busiest}",
        "timeline (busiest)": f"/api/v1/customers/{busiest}/timeline?sort=-occurred_at",
        "timeline (busiest, email, 90 days)": f"/api/v1/customers/{busiest}/timeline?channel=email&since={since}",
        "cases active": "/api/v1/cases?status=active",
        "case": f"/api/v1/cases/{case}",
        "case events": f"/api/v1/aggregates/{case}/events",
        "promises overdue": "/api/v1/promises?status=overdue",
        "deals": "/api/v1/deals?sort=-value",
        "repeat contacts": "/api/v1/touchpoints/repeat-contacts",
        "contact rates": "/api/v1/touchpoints/contact-rates",
        # Off midnight: whole days from the counts plus the rows of the first day after 09:30.
        "contact rates since": f"/api/v1/touchpoints/contact-rates?within_days=30&since={since}",
        "agent workload": "/api/v1/agents/workload",
        "churn candidates": "/api/v1/customers/churn-candidates",
        "sla breaches": "/api/v1/sla/breaches",
        "sla at-risk": "/api/v1/sla/at-risk",
        "events feed (middle)": f"/api/v1/events?after={head // 2}&limit=100",
    }


class Reader:
    """The app on one store, with a read token and the endpoints to read there."""

    def __init__(self, url: str) -> None:
        app = create_app({"DATABASE_URL": url, "CLOCK": FixedClock(NOW), "TESTING": True,
                          "API_RATE_LIMIT": 10**9, "API_RATE_BURST": 10**9})
        self.services = app.extensions["touchline"]
        token = self.services.app.issue_api_token(name=f"bench-{time.time_ns()}", scopes=["read"], occurred_at=NOW,
                                                  actor="system:bench").token
        self.client, self.auth = app.test_client(), {"Authorization": f"Bearer {token}"}
        self.paths = endpoints(self.services.views, self.services.app.recorder.max_notification_id() or 0)
        self.samples: dict[str, list[float]] = {name: [] for name in self.paths}
        for path in self.paths.values():  # warm up
            for _ in range(10):
                assert self.client.get(path, headers=self.auth).status_code == 200, path

    def read(self, name: str, times: int) -> None:
        for _ in range(times):
            began = time.perf_counter()
            self.client.get(self.paths[name], headers=self.auth)
            self.samples[name].append(time.perf_counter() - began)


def measure(readers: list[Reader], requests: int, turn: int = 25) -> list[dict[str, float]]:
    """p99 per endpoint of each reader; the readers take turns of ``turn`` requests."""
    for name in readers[0].paths:
        for _ in range(max(1, requests // turn)):
            for reader in readers:
                reader.read(name, turn)
    return [{name: p99(samples) for name, samples in reader.samples.items()} for reader in readers]


def snapshot(url: str, folder: Path) -> str:
    """A copy of the SQLite store at ``url`` (events and views files) in ``folder``."""
    events = Path(url.removeprefix("sqlite:///"))
    for path in events.parent.glob(f"{events.stem}*"):
        shutil.copy2(path, folder / path.name)
    return f"sqlite:///{folder / events.name}"


def grow(url: str, size: int, growth: str) -> int:
    services = open_store(url)
    head = fill(services, size, growth=growth)
    services.projection_runner().catch_up()
    services.close()
    return head


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--db", help="SQLite URL to fill and keep (default: a temporary file)")
    parser.add_argument("--growth", choices=GROWTH, default="density")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        if not url.startswith("sqlite:///"):
            raise SystemExit("--db must be a SQLite URL: the store at --small is copied to compare")
        sizes = []
        for size in (args.small, args.large):
            began = time.perf_counter()
            sizes.append(grow(url, size, args.growth))
            print(f"store at {sizes[-1]:,} events ({time.perf_counter() - began:.0f} s to grow and catch up)")
            if size == args.small:
                (Path(tmp) / "small").mkdir()
                small_url = snapshot(url, Path(tmp) / "small")
        readers = [Reader(small_url), Reader(url)]
        small, large = measure(readers, args.requests)
        for reader in readers:
            reader.services.close()
        worst = 0.0
        for name in small:
            worst = max(worst, large[name] / small[name])
            print(f"{name:<26} p99 at {sizes[0]:,}: {small[name] * 1000:7.2f} ms   at {sizes[1]:,}: "
                  f"{large[name] * 1000:7.2f} ms   ratio {large[name] / small[name]:5.2f}")
        print(f"worst ratio {worst:.2f} (target <= {TARGET}: {'met' if worst <= TARGET else 'NOT met'})")


if __name__ == "__main__":
    main()
