"""The SLA projection rebuilt from zero over N cases, and what its breach and at-risk queries cost.

Usage: ``benchmarks/sla_recompute.py [--cases 100000] [--open 1000] [--db URL] [--profile]``.
Cases are written straight through the domain's factories (``web.demo.plans.Plan``: real
tracking codes, the policy the Application selects), 500 per transaction, under the demo's
three SLA policies. The open cases were opened in the last three days; resolved ones up to a
year ago. Two stores, caught up by the projection runner:

A. N/10 cases, ``--open`` of them open;
B. N cases, the very same open ones: the queries are timed on A and B taking turns (their cost
   should follow the open cases: B/A ~1). Then the SLA projection is rebuilt from zero on B, vs
   reading and decoding the same log in this process (before and after: the speed drifts).
C. B with 9 x ``--open`` more open cases: the queries again (~10x B for what grows with them).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from _store import NOW, open_store  # benchmarks run as scripts, from this folder
from projection_catchup import read_and_decode

from domain.cases.model import Case
from domain.customers.model import Customer
from projections.queries.sla import list_at_risk, list_breaches
from projections.verify import verify_projections
from web.demo.plans import Plan
from web.demo.policies import define_policies
from web.services import Services

ACTOR, AGENTS, CUSTOMERS = "user:bench", [f"user:agent-{i}" for i in range(40)], 2000
PRIORITIES = {"low": 20, "normal": 50, "high": 22, "urgent": 8}
CHANNELS = ("email", "phone", "chat", "web_form", "social", "messenger")


def _minutes(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(minutes=rng.randint(low, high))


def case_plan(rng: random.Random, n: int, *, still_open: bool) -> Plan:
    """One case's story: assigned, answered (late sometimes), chased, pended, transferred, and
    unless ``still_open`` resolved (perhaps reopened) within ten days of opening."""
    at = NOW - (_minutes(rng, 1, 3 * 1440) if still_open else timedelta(days=rng.uniform(10, 365)))
    agent = rng.choice(AGENTS)
    case_id = uuid5(NAMESPACE_URL, f"/bench/sla/case/{n}")
    plan = Plan(case_id, Case, dict(
        id=case_id, customer_id=uuid5(NAMESPACE_URL, f"/bench/sla/customer/{n % CUSTOMERS}"),
        subject=f"Request {n}", priority=rng.choices(list(PRIORITIES), list(PRIORITIES.values()))[0],
        channel=rng.choice(CHANNELS), team=f"team-{int(agent.rsplit('-', 1)[1]) % 4}", occurred_at=at, actor=ACTOR))

    def step(method: str, low: int, high: int, **arguments: Any) -> bool:
        nonlocal at
        later = at + _minutes(rng, low, high)
        if later >= NOW:
            return False
        at = later
        plan.then(method, occurred_at=at, actor=agent, **arguments)
        return True

    if not step("assign", 1, 120, assignee=agent) or (rng.random() < 0.3 and not step(
            "reply", 2, 60, body="Looking into it", public=False)):
        return plan
    if not step("reply", 5, 900, body="Here is what we found", public=True):
        return plan
    for _ in range(rng.choice((0, 0, 1, 2))):
        if not step("customer_reply", 30, 1440, body="Any news?", channel="email"):
            return plan
        if not step("reply", 5, 1200, body="Still on it", public=True):
            return plan
    if rng.random() < 0.07 and plan.create["priority"] != "urgent" and not step(
            "change_priority", 10, 300, priority="urgent"):
        return plan
    if rng.random() < 0.25 and not (step("pend", 5, 120, reason="awaiting_customer", note="")
                                    and step("resume", 60, 2880)):
        return plan
    if rng.random() < 0.2:
        agent = rng.choice([a for a in AGENTS if a != agent])
        if not step("transfer", 30, 600, to_assignee=agent, note="Handover"):
            return plan
    if still_open or not step("resolve", 60, 2880, resolution="Fixed"):
        return plan
    if rng.random() < 0.1 and not (step("reopen", 1440, 4000, reason="Back again")
                                   and step("resolve", 60, 2000, resolution="Fixed again")):
        return plan
    if rng.random() < 0.6:
        step("close", 2880, 5000)
    return plan


def write_cases(services: Services, first: int, count: int, *, still_open: bool, seed: int) -> None:
    app, rng = services.app, random.Random(seed)
    started, batch = time.perf_counter(), []
    for n in range(first, first + count):
        batch.append(case_plan(rng, n, still_open=still_open))
        if len(batch) == 500 or n == first + count - 1:
            app.save(*[aggregate for plan in batch for aggregate in plan.build(app)])
            batch = []
    print(f"  + {count} {'open' if still_open else 'resolved'} cases in {time.perf_counter() - started:.1f}s")


def prepare(services: Services) -> None:
    define_policies(services.app, at=NOW - timedelta(days=400))
    customers = [Plan(uuid5(NAMESPACE_URL, f"/bench/sla/customer/{i}"), Customer, dict(
        id=uuid5(NAMESPACE_URL, f"/bench/sla/customer/{i}"), customer_kind="person", name=f"Customer {i}",
        occurred_at=NOW - timedelta(days=400), actor=ACTOR)) for i in range(CUSTOMERS)]
    services.app.save(*[a for plan in customers for a in plan.build(services.app)])


QUERIES = {
    "breaches (latest 100)": lambda conn: list_breaches(conn, NOW),
    "breaches (latest 1000)": lambda conn: list_breaches(conn, NOW, limit=1000),
    "at-risk (share 0.75)": lambda conn: list_at_risk(conn, NOW, share=0.75),
    "at-risk as of 1 day ago": lambda conn: list_at_risk(conn, NOW, share=0.75, as_of=NOW - timedelta(days=1)),
}


def time_queries(stores: dict[str, Services], repeat: int) -> dict[str, dict[str, float]]:
    """Median milliseconds of each query on each store, the stores taking turns query by query
    (so a burst of load from elsewhere hits them alike)."""
    times: dict[str, dict[str, list[float]]] = {label: {name: [] for name in QUERIES} for label in stores}
    connections = {}
    for label, services in stores.items():
        services.projection_runner(["sla"]).catch_up()
        connections[label] = services.views.connect()
    for round_ in range(repeat + 1):
        for name, query in QUERIES.items():
            for label in (list(stores) if round_ % 2 else list(reversed(stores))):
                began = time.perf_counter()
                found = query(connections[label])
                if round_:  # the first round warms caches
                    times[label][name].append((time.perf_counter() - began) * 1000)
                else:
                    print(f"  {label:<36} {name:<26} {len(found):5d} items")
    for conn in connections.values():
        conn.close()
    medians = {label: {name: statistics.median(t) for name, t in per.items()} for label, per in times.items()}
    for label, per in times.items():
        for name, t in per.items():
            print(f"  {label:<36} {name:<26} median {statistics.median(t):8.2f} ms  "
                  f"p90 {statistics.quantiles(t, n=10)[-1]:8.2f} ms")
    return medians


def rebuild(services: Services, profile: bool) -> None:
    first = read_and_decode(services)
    runner = services.projection_runner(["sla"])
    profiler = cProfile.Profile() if profile else None
    began, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    applied = runner.rebuild()
    if profiler:
        profiler.disable()
    seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu
    second = read_and_decode(services)
    read_seconds, read_cpu = (first[1] + second[1]) / 2, (first[2] + second[2]) / 2
    read_rate, rate = first[0] / read_seconds, applied / seconds
    print(f"  read + decode:          {read_rate:10.0f} events/s ({first[1]:.1f}s, then {second[1]:.1f}s)")
    print(f"  SLA projection rebuild: {rate:10.0f} events/s ({seconds:.1f}s for {applied} log entries)")
    print(f"  ratio (wall time):      {rate / read_rate:10.3f}")
    print(f"  ratio (CPU time):       {(applied / cpu_seconds) / (first[0] / read_cpu):10.3f}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000, help="cases in phase B (phase A has a tenth)")
    parser.add_argument("--open", type=int, default=1000, help="open cases in phases A and B (C has 10x)")
    parser.add_argument("--repeat", type=int, default=30, help="runs of each query per phase")
    parser.add_argument("--db", help="database URL with NAME in it, for the two stores (default: temporary "
                                     "SQLite files); PostgreSQL databases must exist and be empty")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the rebuild")
    parser.add_argument("--verify", action="store_true",
                        help="at the end, rebuild into a scratch database and diff with the rows caught up in phases")
    args = parser.parse_args()
    n, k = args.cases, args.open
    with tempfile.TemporaryDirectory() as tmp:
        small, big = (open_store(args.db.replace("NAME", name) if args.db else f"sqlite:///{Path(tmp) / name}.db")
                      for name in ("small", "big"))
        for services, total in ((small, n // 10), (big, n)):  # the same open cases in both
            prepare(services)
            write_cases(services, 0, total - k, still_open=False, seed=1)
            write_cases(services, n, k, still_open=True, seed=2)
        a, b = f"A: {n // 10} cases, {k} open", f"B: {n} cases, {k} open"
        found = time_queries({a: small, b: big}, args.repeat)
        print(f"log entries in B: {big.app.recorder.max_notification_id()}")
        rebuild(big, args.profile)
        write_cases(big, n + k, 9 * k, still_open=True, seed=4)
        c = f"C: {n + 9 * k} cases, {10 * k} open"
        found.update(time_queries({c: big}, args.repeat))
        print("ratios of medians (B/A: 10x the cases, the same open ones; C/B: 10x the open cases)")
        for name in QUERIES:
            print(f"  {name:<26} B/A {found[b][name] / found[a][name]:6.2f}   C/B {found[c][name] / found[b][name]:6.2f}")
        if args.verify:
            [report] = verify_projections(big.app, big.views, big.projection_runner(["sla"]).projections)
            print(f"verify: {report.rows_compared} rows compared, {len(report.differences)} differences")
        small.close()
        big.close()

if __name__ == "__main__":
    main()
