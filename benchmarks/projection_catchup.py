"""All projections catching up from zero vs merely reading and decoding the event log.

Target (issue 4): at least 0.15x the read+decode rate, and 1M events rebuilt on SQLite in
under 90 s. Usage: ``benchmarks/projection_catchup.py [--events N] [--db URL]`` (the store
is filled with Maven data plus demo history up to N events if it holds fewer).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _store import fill, open_store  # benchmarks run as scripts, from this folder

from projections.parallel import rebuild_in_parallel


def read_and_decode(services: object) -> tuple[int, float, float]:
    """Events, wall seconds and CPU seconds to read and decode the whole log."""
    app = services.app  # type: ignore[attr-defined]
    start, count, began, cpu = 0, 0, time.perf_counter(), time.process_time()
    while True:
        batch = app.recorder.select_notifications(start=start, limit=2000, inclusive_of_start=False)
        if not batch:
            return count, time.perf_counter() - began, time.process_time() - cpu
        for notification in batch:
            app.mapper.to_domain_event(notification)
        count, start = count + len(batch), batch[-1].id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file); a store that already "
                        "holds --events events is used as it is")
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2, help="processes of the parallel rebuild")
    parser.add_argument("--parallel-only", action="store_true", help="skip the one-process rebuild")
    parser.add_argument("--group", help="comma-separated projections: rebuild only these, in this process "
                        "(one group of the parallel rebuild alone, to compare splits by their CPU time)")
    args = parser.parse_args()
    if args.group:
        services = open_store(args.db or parser.error("--group needs --db (a filled store)"))
        runner = services.projection_runner(args.group.split(","), batch_size=args.batch_size)
        began, cpu = time.perf_counter(), time.process_time()
        applied = runner.rebuild()
        print(f"{args.group}: {applied} events, CPU {time.process_time() - cpu:.1f}s,"
              f" wall {time.perf_counter() - began:.1f}s")
        services.close()
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        services = open_store(url)
        head = fill(services, args.events)
        # The baseline runs before and after the rebuilds: this VM's speed drifts over a minute.
        first = read_and_decode(services)
        runner = services.projection_runner(batch_size=args.batch_size)
        applied = seconds = cpu_seconds = 0.0
        if not args.parallel_only:
            began, cpu = time.perf_counter(), time.process_time()
            applied = runner.rebuild()
            seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu
        groups: list[tuple[list[str], float]] = []
        parallel_began = time.perf_counter()
        applied = rebuild_in_parallel(url, [p.name for p in runner.projections], workers=args.workers,
                                      batch_size=args.batch_size,
                                      finished_group=lambda names, cpu: groups.append((names, cpu)))
        parallel_seconds = time.perf_counter() - parallel_began
        second = read_and_decode(services)
        read_count = first[0]
        read_seconds, read_cpu = (first[1] + second[1]) / 2, (first[2] + second[2]) / 2
        read_rate, per_million = read_count / read_seconds, 1_000_000 / applied
        print(f"events in the log:        {head}")
        print(f"read + decode:            {read_rate:10.0f} events/s ({first[1]:.1f}s, then {second[1]:.1f}s;"
              f" CPU {first[2]:.1f}s, then {second[2]:.1f}s)")
        if not args.parallel_only:
            rate = applied / seconds
            print(f"all projections rebuild:  {rate:10.0f} events/s ({seconds:.1f}s, CPU {cpu_seconds:.1f}s),"
                  f" one process")
            print(f"ratio (wall time):        {rate / read_rate:10.3f}   (target >= 0.15)")
            print(f"ratio (CPU time):         {read_cpu / cpu_seconds:10.3f}")
        parallel_rate = applied / parallel_seconds
        print(f"  in {len(groups)} processes:         {parallel_rate:10.0f} events/s ({parallel_seconds:.1f}s),"
              f" ratio {parallel_rate / read_rate:.3f}  (what `touchline projections rebuild` does)")
        for names, cpu in sorted(groups, key=lambda g: -g[1]):
            print(f"    group CPU {cpu:7.1f}s  ({cpu / read_cpu:.1f}x read + decode)  {', '.join(names)}")
        slowest = max(cpu for _, cpu in groups)
        print(f"1M events would take:     {parallel_seconds * per_million:10.1f}s in {len(groups)} processes as measured;"
              f" {slowest * per_million:.1f}s on {len(groups)} idle cores (the slowest group's CPU time)"
              f"  (target < 90 s on SQLite)")
        services.close()


if __name__ == "__main__":
    main()
