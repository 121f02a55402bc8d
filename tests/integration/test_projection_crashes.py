"""Kill -9 the projection runner mid catch-up, again and again: no event applied twice or lost."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from domain.clock import FixedClock
from projections.verify import verify_projections
from web.services import build_services

KILLS = 20
CHILD = """
import sys
from domain.clock import SystemClock
from web.services import build_services
services = build_services({"DATABASE_URL": sys.argv[1]}, clock=SystemClock())
runner = services.projection_runner(batch_size=5)
while runner.run_batch():
    print(min(runner.positions().values()), flush=True)
print("done", flush=True)
"""


def _write_history(url: str) -> None:
    services = build_services({"DATABASE_URL": url}, clock=FixedClock(datetime(2026, 1, 1, tzinfo=timezone.utc)))
    app, t0 = services.app, datetime(2026, 1, 1, tzinfo=timezone.utc)
    for i in range(40):
        at = t0 + timedelta(hours=i)
        customer = app.register_customer(name=f"C{i}", occurred_at=at, actor="user:a").id
        for j in range(3):
            case = app.open_case(customer_id=customer, subject=f"S{j}", channel="phone", occurred_at=at, actor="user:a",
                                 touchpoint={"channel": "phone", "direction": "inbound", "kind": "inquiry",
                                             "subject": f"S{j}"})
            app.reply_to_case(case.id, body="ok", occurred_at=at, actor="user:a")
            app.resolve_case(case.id, resolution="done", occurred_at=at, actor="user:a")
            app.rate_case(case.id, score=1 + (i + j) % 5, occurred_at=at, actor="user:a")
        app.make_promise(customer_id=customer, what="call", due_at=at, owner="user:a", channel="phone",
                         occurred_at=at, actor="user:a")
    services.close()


@pytest.mark.slow
def test_runner_killed_twenty_times_mid_catch_up_ends_identical_to_a_clean_rebuild(database_url: str) -> None:
    _write_history(database_url)
    rng = random.Random(20)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    kills, finished = 0, False
    while not finished:
        child = subprocess.Popen([sys.executable, "-c", CHILD, database_url], stdout=subprocess.PIPE, text=True,
                                 env=env, cwd=root)
        assert child.stdout is not None
        batches_before_kill = rng.randint(1, 3) if kills < KILLS else None
        seen = 0
        for line in child.stdout:
            if line.strip() == "done":
                finished = True
                break
            seen += 1
            if batches_before_kill is not None and seen >= batches_before_kill:
                time.sleep(rng.uniform(0, 0.03))  # land anywhere inside the next batch
                child.send_signal(signal.SIGKILL)
                kills += 1
                break
        child.wait(timeout=60)
        child.stdout.close()
    assert kills == KILLS
    services = build_services({"DATABASE_URL": database_url}, clock=FixedClock(datetime(2026, 1, 1, tzinfo=timezone.utc)))
    try:
        runner = services.projection_runner()
        assert min(runner.positions().values()) == services.app.recorder.max_notification_id()
        reports = verify_projections(services.app, services.views, runner.projections)
        assert {r.projection: [d.describe() for d in r.differences] for r in reports} == {
            r.projection: [] for r in reports}
    finally:
        services.close()
