"""Writing the demo history (``touchline demo``) vs saving trivial aggregates, on SQLite.

Demo: ``write_demo`` for N touchpoints into a fresh SQLite file (plans, domain build,
batched ``app.save``). Baseline, in the same run: the same number of events as one-event
trivial aggregates, saved with ``app.save`` in as many transactions as the demo used
(so the same events per transaction), into another fresh SQLite file. The ratio
(demo events/s over baseline events/s) is what planning the stories, building them
through the domain's model classes and their larger event states cost on top of the
event store itself. Also prints where the demo's time went and what 1M events would take.

    .venv/bin/python benchmarks/demo_history.py [TOUCHPOINTS=20000] [--batch-size 500] [--seed 1]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.application import Touchline
from projections.storage import storage_from_url
from web.demo import write_demo
from web.demo.history import BATCH_SIZE
from web.demo.plans import Ids
from web.demo.population import read_population
from web.demo.stories import stories
from web.demo.timeline import history_end, span_days

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


class Note(Aggregate):
    """The baseline's trivial aggregate: one small event."""

    @event("Written")
    def __init__(self, n: int) -> None:
        self.n = n


def sqlite_app(directory: Path, name: str) -> Touchline:
    return Touchline(env=storage_from_url(f"sqlite:///{directory / name}").event_store_env)


def timed_saves(app: Touchline) -> list[tuple[int, float]]:
    """Record (events, seconds) of every ``app.save`` (tracking-code blocks included)."""
    saves: list[tuple[int, float]] = []
    save = app.save

    def timed(*objects: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        recordings = save(*objects, **kwargs)
        saves.append((len(recordings), time.perf_counter() - started))
        return recordings

    app.save = timed  # type: ignore[method-assign]
    return saves


def planning_seconds(seed: int, touchpoints: int) -> float:
    """Only the random choices: every plan of the demo, nothing built or stored."""
    started = time.perf_counter()
    population = read_population(Touchline(), demo_id=Ids.first(seed, touchpoints))
    population.add_fallbacks(registered_at=NOW)
    for _ in stories(seed=seed, touchpoints=touchpoints, end=history_end(NOW), population=population):
        pass
    return time.perf_counter() - started


def baseline(app: Touchline, events: int, transactions: int) -> tuple[float, float]:
    """Wall and CPU seconds to save ``events`` trivial aggregates in ``transactions`` saves."""
    per_save = -(-events // transactions)
    started, cpu = time.perf_counter(), time.process_time()
    for first in range(0, events, per_save):
        app.save(*(Note(n) for n in range(first, min(events, first + per_save))))
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("touchpoints", type=int, nargs="?", default=20_000)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        demo_app = sqlite_app(Path(tmp), "demo.db")
        saves = timed_saves(demo_app)
        started, cpu = time.perf_counter(), time.process_time()
        summary = write_demo(demo_app, now=NOW, seed=args.seed, touchpoints=args.touchpoints,
                             batch_size=args.batch_size)
        demo_seconds, demo_cpu = time.perf_counter() - started, time.process_time() - cpu
        demo_app.close()
        events = sum(n for n, _ in saves)
        plan_seconds = planning_seconds(args.seed, args.touchpoints)
        save_seconds = sum(s for _, s in saves)
        base_seconds, base_cpu = baseline(sqlite_app(Path(tmp), "baseline.db"), events, len(saves))
    demo_rate, base_rate = events / demo_seconds, events / base_seconds
    print(f"demo: {args.touchpoints} touchpoints over {span_days(args.touchpoints)} days -> "
          f"{summary.customers} customers, {summary.cases} cases, {summary.promises} promises; "
          f"{events} events ({events / args.touchpoints:.2f} per touchpoint) in {len(saves)} transactions")
    print(f"demo:     {demo_seconds:7.2f} s ({demo_cpu:6.2f} s CPU)  {demo_rate:9,.0f} events/s  "
          f"(plan {plan_seconds:.2f} s, build {demo_seconds - plan_seconds - save_seconds:.2f} s, "
          f"app.save {save_seconds:.2f} s)")
    print(f"baseline: {base_seconds:7.2f} s ({base_cpu:6.2f} s CPU)  {base_rate:9,.0f} events/s  "
          "(same events as trivial aggregates, same transactions)")
    print(f"ratio demo/baseline: {demo_rate / base_rate:.2f}x wall, {base_cpu / demo_cpu:.2f}x CPU; "
          f"1M events would take about {1_000_000 / demo_rate:.0f} s "
          f"({1_000_000 / (events / args.touchpoints):,.0f} touchpoints)")


if __name__ == "__main__":
    main()
