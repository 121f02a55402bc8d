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
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--batch-size", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        services = open_store(url)
        head = fill(services, args.events)
        # The baseline runs before and after the rebuild: this VM's speed drifts over a minute.
        first = read_and_decode(services)
        runner = services.projection_runner(batch_size=args.batch_size)
        began, cpu = time.perf_counter(), time.process_time()
        applied = runner.rebuild()
        seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu
        second = read_and_decode(services)
        parallel_began = time.perf_counter()
        rebuild_in_parallel(url, [p.name for p in runner.projections], workers=2, batch_size=args.batch_size)
        parallel_seconds = time.perf_counter() - parallel_began
        read_count = first[0]
        read_seconds, read_cpu = (first[1] + second[1]) / 2, (first[2] + second[2]) / 2
        read_rate, rate = read_count / read_seconds, applied / seconds
        print(f"events in the log:        {head}")
        print(f"read + decode:            {read_rate:10.0f} events/s ({first[1]:.1f}s, then {second[1]:.1f}s)")
        print(f"all projections rebuild:  {rate:10.0f} events/s ({seconds:.1f}s), one process")
        print(f"ratio (wall time):        {rate / read_rate:10.3f}   (target >= 0.15)")
        print(f"ratio (CPU time):         {(applied / cpu_seconds) / (read_count / read_cpu):10.3f}")
        parallel_rate = applied / parallel_seconds
        print(f"  in 2 processes:         {parallel_rate:10.0f} events/s ({parallel_seconds:.1f}s),"
              f" ratio {parallel_rate / read_rate:.3f}  (what `touchline projections rebuild` does)")
        print(f"1M events would take:     {1_000_000 / rate:10.1f}s one process, {1_000_000 / parallel_rate:.1f}s in two"
              f"  (target < 90 s on SQLite)")
        services.close()


if __name__ == "__main__":
    main()
