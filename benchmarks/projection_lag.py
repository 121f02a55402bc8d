"""Lag from a saved event to its projection row, with the runner following live (polling)
while a writer records touchpoints at a steady rate.

Target (issue 4): p99 under 1 s at 200 events/s. Usage:
``benchmarks/projection_lag.py [--rate 200] [--seconds 20] [--db URL]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from _store import open_store  # benchmarks run as scripts, from this folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--poll", type=float, default=0.1)
    parser.add_argument("--db")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'lag.db'}"
        writer, follower = open_store(url), open_store(url)
        customer = writer.app.register_customer(name="Lag test", occurred_at=datetime.now(timezone.utc),
                                                actor="system:bench").id
        runner = follower.projection_runner()
        runner.catch_up()
        saved_at: dict[int, float] = {}
        seen_at: dict[int, float] = {}
        stop = threading.Event()

        def follow() -> None:
            while not stop.is_set():
                if runner.run_batch() == 0:
                    stop.wait(args.poll)
                now, position = time.perf_counter(), min(runner.positions().values())
                for p in [p for p in saved_at if p <= position and p not in seen_at]:
                    seen_at[p] = now

        thread = threading.Thread(target=follow)
        thread.start()
        interval, began = 1 / args.rate, time.perf_counter()
        n = 0
        while time.perf_counter() - began < args.seconds:
            receipt = writer.app.record_touchpoint(customer_id=customer, channel="chat", direction="inbound",
                                                   kind="inquiry", subject=f"ping {n}",
                                                   occurred_at=datetime.now(timezone.utc), actor="system:bench")
            saved_at[receipt.position] = time.perf_counter()  # type: ignore[index]
            n += 1
            time.sleep(max(0.0, began + n * interval - time.perf_counter()))
        time.sleep(2)
        stop.set()
        thread.join()
        lags = [seen_at[p] - saved_at[p] for p in saved_at if p in seen_at]
        achieved = n / (time.perf_counter() - began - 2)
        print(f"written: {n} events at {achieved:.0f}/s; applied: {len(lags)}")
        print(f"lag p50 {statistics.median(lags) * 1000:.0f} ms, p99 {statistics.quantiles(lags, n=100)[98] * 1000:.0f} ms,"
              f" max {max(lags) * 1000:.0f} ms   (target p99 < 1000 ms)")
        writer.close()
        follower.close()


if __name__ == "__main__":
    main()
