"""One active scheduler: the others stand by and one takes over when the active one dies."""

from __future__ import annotations

import queue
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from domain.clock import FixedClock
from projections.storage import storage_from_url
from scheduler.context import SchedulerContext
from scheduler.leader import FileLeaderLock, leader_lock
from scheduler.process import SchedulerProcess
from scheduler.settings import SchedulerSettings
from tests.scheduler.processes import Child, touchline
from web.services import build_services


def test_the_file_lock_is_held_by_one_holder_at_a_time(tmp_path: Path) -> None:
    first, second = FileLeaderLock(tmp_path / "x.lock"), FileLeaderLock(tmp_path / "x.lock")
    assert first.acquire() and not second.acquire()
    first.release()
    assert second.acquire() and second.held()
    second.release()


def test_two_schedulers_one_active_and_the_other_takes_over_when_it_is_killed(database_url: str) -> None:
    services = build_services({"DATABASE_URL": database_url}, clock=FixedClock(datetime.now(UTC)))
    services.projection_runner().close()  # the read models exist, as under `touchline serve`
    services.close()
    env = {"TOUCHLINE_DATABASE_URL": database_url, "TOUCHLINE_SCHEDULER_TICK": "3600"}
    first = touchline("scheduler", "--standby-poll", "0.2", env=env)
    children: list[Child] = [first]
    try:
        first.expect("active: this process runs the jobs")
        second = touchline("scheduler", "--standby-poll", "0.2", env=env)
        children.append(second)
        second.expect("standing by: another scheduler is active")
        once = touchline("scheduler", "--once", env=env)
        children.append(once)
        once.expect("another scheduler is active")
        assert once.process.wait(timeout=60) == 1
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=30)
        second.expect("active: this process runs the jobs")
        probe = leader_lock(storage_from_url(database_url))
        assert not probe.acquire()  # the new one holds it
        probe.release()
        second.process.send_signal(signal.SIGTERM)
        second.expect("stopped")
        assert second.process.wait(timeout=30) == 0
    finally:
        for child in children:
            child.stop()


@pytest.mark.postgres
def test_a_scheduler_that_loses_its_lock_connection_stops_acting_and_stands_by(fresh_postgres_url: str) -> None:
    services = build_services({"DATABASE_URL": fresh_postgres_url}, clock=FixedClock(datetime.now(UTC)))
    services.projection_runner().close()
    ctx = SchedulerContext(services.app, services.views, services.clock, SchedulerSettings(tick_seconds=3600))
    said: queue.Queue[str] = queue.Queue()
    process = SchedulerProcess(ctx, leader_lock(services.storage), standby_poll=0.1, lock_check=0.1, say=said.put)
    stop = threading.Event()
    thread = threading.Thread(target=process.run, args=(stop,))
    thread.start()
    try:
        assert said.get(timeout=30).startswith("active")
        with psycopg.connect(fresh_postgres_url, autocommit=True) as admin:  # an operator cuts its connection
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                          " WHERE application_name = 'touchline-scheduler' AND datname = current_database()")
        assert said.get(timeout=30) == "lost the scheduler lock; standing by"
        assert said.get(timeout=30).startswith("active")  # nobody else holds it: it leads again
    finally:
        stop.set()
        thread.join(timeout=30)
        services.close()
    assert not thread.is_alive()
