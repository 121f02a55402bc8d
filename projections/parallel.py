"""Rebuilding on several cores: projections are split into groups, one process per group.

A single pass is the cheapest per event (each event decoded once), but on two or more
cores two passes in parallel finish sooner: reading and decoding is ~13-22 us of the
~150 us an event costs all projections together, the rest is per projection, and each
group decodes only the events its projections handle. Each group's runner commits
its own projections' rows and positions together, exactly as in one process, so the
guarantees do not change; on SQLite the groups take turns at the write lock.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import time
from collections.abc import Callable, Sequence
from typing import Any

from projections.registry import all_projections

# CPU seconds each projection costs a group when rebuilding 1M demo events on SQLite: its handlers,
# reads, writes and index builds, plus decoding the events no cheaper member needs (customer360
# reads ~93% of the log, so cases and promises ride along nearly free; touchpoints alone are
# 28% of it). Calibrated on measured groups (benchmarks/README.md, projection catch-up); the
# slowest group sets the rebuild's time, so groups are balanced by these.
COSTS = {"customer360": 62.0, "sla": 55.0, "touchpoints": 22.0, "cases": 8.0, "promises": 4.0, "deals": 2.0}
UNMEASURED = 1.0  # newcomers are small until measured (tokens, templates, articles...)
# Projections rebuilt in their partner's group whatever the costs say (the costs add up; decoding
# does not: a group decodes each event once for all its members). ``cases`` handles the case events
# ``sla`` decodes anyway; ``touchpoints`` keeps sla company as in every measured rebuild, so the
# small projections balance against customer360. Measured at 1M events (a 1.3M store,
# benchmarks/README.md): cases with customer360, the slowest group took 169 s of CPU; with sla, 160 s.
RIDES_WITH = {"cases": "sla", "touchpoints": "sla"}


def cost_of(name: str) -> float:
    return COSTS.get(name, UNMEASURED)


def plan_groups(names: Sequence[str], workers: int) -> list[list[str]]:
    """Split ``names`` into at most ``workers`` groups whose largest cost is as small as the
    greedy rule makes it: the costliest projection first (with its riders), each into the
    cheapest group so far."""
    if workers <= 1 or len(names) <= 1:
        return [list(names)]
    riders = {n: [r for r in names if RIDES_WITH.get(r) == n] for n in names}
    placed = [n for n in names if RIDES_WITH.get(n) not in names]
    groups: list[list[str]] = [[] for _ in range(min(workers, len(placed)))]
    loads = [0.0] * len(groups)

    def weight(name: str) -> float:
        return cost_of(name) + sum(cost_of(r) for r in riders[name])

    for name in sorted(placed, key=weight, reverse=True):  # stable: equal costs keep the given order
        cheapest = loads.index(min(loads))
        groups[cheapest] += [name, *riders[name]]
        loads[cheapest] += weight(name)
    return groups


def _rebuild_group(database_url: str, names: list[str], batch_size: int, events: Any, write_turn: Any) -> None:
    # Imported here: the worker builds its own application and engine from the URL.
    from domain.application import Touchline
    from projections.engine import create_views_engine
    from projections.runner import ProjectionRunner
    from projections.storage import storage_from_url

    storage = storage_from_url(database_url)
    app = Touchline(env=storage.event_store_env)
    engine = create_views_engine(storage.views_url, writer=True)
    reader = create_views_engine(storage.views_url)
    try:
        runner = ProjectionRunner(app, engine, [p for p in all_projections() if p.name in names],
                                  batch_size=batch_size, reader=reader,
                                  write_turn=write_turn if storage.kind == "sqlite" else None)
        runner.prepare()
        runner.reset()
        cpu = time.process_time()
        done = runner.catch_up(progress=lambda d, t: events.put(("progress", os.getpid(), d, t)))
        events.put(("done", os.getpid(), done, time.process_time() - cpu))
    except BaseException as exc:
        events.put(("failed", os.getpid(), repr(exc), 0))
        raise
    finally:
        engine.dispose()
        reader.dispose()
        app.close()


def rebuild_in_parallel(
    database_url: str, names: Sequence[str], *, workers: int, batch_size: int = 2000,
    progress: Callable[[int, int], None] | None = None,
    finished_group: Callable[[list[str], float], None] | None = None,
) -> int:
    """Rebuild ``names`` from zero in up to ``workers`` processes; returns log entries applied
    (counted once). ``finished_group`` hears each group's projections and CPU seconds as it
    ends (benchmarks). Raises RuntimeError naming the group whose worker failed."""
    context = multiprocessing.get_context("spawn")
    events = context.Queue()
    groups = plan_groups(names, workers)
    write_turn = context.Lock()  # SQLite: the groups take turns at the write lock through it (ProjectionRunner)
    processes = {}
    for group in groups:
        process = context.Process(target=_rebuild_group, args=(database_url, group, batch_size, events, write_turn))
        process.start()
        processes[process.pid] = (process, group)
    state: dict[int, tuple[int, int]] = {}
    finished: dict[int, int] = {}
    failure = None
    while len(finished) < len(processes) and failure is None:
        try:
            kind, pid, a, b = events.get(timeout=1)
        except queue.Empty:
            dead = [g for p, g in processes.values() if not p.is_alive() and p.pid not in finished]
            if dead:
                failure = f"a rebuild worker for {', '.join(dead[0])} died"
            continue
        if kind == "progress":
            state[pid] = (a, b)
            if progress:
                progress(min(d for d, _ in state.values()) if len(state) == len(processes) else 0,
                         max(t for _, t in state.values()))
        elif kind == "done":
            finished[pid] = a
            if finished_group:
                finished_group(processes[pid][1], b)
        else:
            failure = f"rebuilding {', '.join(processes[pid][1])} failed: {a}"
    for process, _ in processes.values():
        if failure:
            process.terminate()
        process.join()
    if failure:
        raise RuntimeError(failure)
    return max(finished.values(), default=0)
