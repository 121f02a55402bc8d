"""The scheduler process: APScheduler 3.11 (BlockingScheduler) running the jobs while this
process holds the leader lock, standing by while another process does.

Jobs are plain functions of the context; each scans indexed read models and is idempotent,
so running one twice (a restart, a takeover mid-tick) repeats nothing. They run one at a
time (a one-thread executor); a watch job on its own thread stops the scheduler when asked
to, or when the lock is lost (its connection cut), so two schedulers never act at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler

from scheduler.cases import acknowledge_cases
from scheduler.context import SchedulerContext
from scheduler.leader import LeaderLock
from scheduler.outbox import deliver_messages
from scheduler.promises import follow_up_promises
from scheduler.replies import mail_replies
from scheduler.sla import escalate_sla
from scheduler.surveys import send_surveys
from scheduler.webhooks import deliver_webhooks
from scheduler.winback import offer_win_backs

log = logging.getLogger("touchline.scheduler")
Job = Callable[[SchedulerContext], Any]
# Scans first, then delivery: a run of every job once sends what its scans queued (once the
# outbox view has them).
SCANS: list[tuple[str, Job]] = [
    ("acknowledge_cases", acknowledge_cases),
    ("follow_up_promises", follow_up_promises),
    ("escalate_sla", escalate_sla),
]
SCANS += [("send_surveys", send_surveys), ("offer_win_backs", offer_win_backs)]
SCANS += [("mail_replies", mail_replies)]  # agents' public replies to the customer (scheduler/replies.py)
DELIVERY: tuple[str, Job] = ("deliver_messages", deliver_messages)
DELIVERY_SECONDS = 5.0  # delivery runs at least this often, whatever the scans' tick
# Webhooks follow the log on their own thread, so a slow endpoint never holds the scans up.
WEBHOOKS: tuple[str, Job] = ("deliver_webhooks", deliver_webhooks)


def run_job(ctx: SchedulerContext, name: str, job: Job) -> Any:
    started = time.monotonic()
    result = job(ctx)
    log.log(logging.INFO if result else logging.DEBUG, "%s: %s in %.2f s", name, result, time.monotonic() - started)
    return result


def run_once(ctx: SchedulerContext, *, before_delivery: Callable[[], None] = lambda: None) -> dict[str, Any]:
    """Every job once, scans first; ``before_delivery`` may bring the outbox view up to date."""
    results = {name: run_job(ctx, name, job) for name, job in SCANS}
    before_delivery()
    results[DELIVERY[0]] = run_job(ctx, *DELIVERY)
    results[WEBHOOKS[0]] = run_job(ctx, *WEBHOOKS)
    return results


def create_scheduler(ctx: SchedulerContext, executor: ThreadPoolExecutor | None = None) -> BlockingScheduler:
    """A BlockingScheduler with every job on its interval, first runs now; not started.
    Jobs run one at a time on ``executor``; the executor "watch" is for housekeeping."""
    tick = ctx.settings.tick_seconds
    scheduler = BlockingScheduler(
        timezone=UTC, executors={"default": executor or ThreadPoolExecutor(1), "watch": ThreadPoolExecutor(1),
                   "webhooks": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": max(1, int(tick))},
    )
    start = datetime.now(UTC)
    for name, job in [*SCANS, DELIVERY]:
        seconds = min(tick, DELIVERY_SECONDS) if job is DELIVERY[1] else tick
        scheduler.add_job(run_job, "interval", args=(ctx, name, job), seconds=seconds, id=name, name=name,
                          next_run_time=start)
    scheduler.add_job(run_job, "interval", args=(ctx, *WEBHOOKS), seconds=min(tick, DELIVERY_SECONDS), id=WEBHOOKS[0],
                      name=WEBHOOKS[0], next_run_time=start, executor="webhooks")
    return scheduler


class SchedulerProcess:
    """Lead while holding the lock, stand by otherwise, until ``stop`` is set."""

    def __init__(self, ctx: SchedulerContext, lock: LeaderLock, *, standby_poll: float = 2.0,
                 lock_check: float = 5.0, say: Callable[[str], None] = log.warning) -> None:
        self.ctx, self.lock = ctx, lock
        self.standby_poll, self.lock_check, self.say = standby_poll, lock_check, say

    def run(self, stop: threading.Event) -> None:
        standing_by = False
        while not stop.is_set():
            if not self.lock.acquire():
                if not standing_by:
                    self.say("standing by: another scheduler is active")
                    standing_by = True
                stop.wait(self.standby_poll)
                continue
            standing_by = False
            self.say("active: this process runs the jobs")
            try:
                self._lead(stop)
            finally:
                self.lock.release()
            if not stop.is_set():
                self.say("lost the scheduler lock; standing by")

    def _lead(self, stop: threading.Event) -> None:
        jobs = ThreadPoolExecutor(1)
        scheduler = create_scheduler(self.ctx, jobs)
        checked = [time.monotonic()]

        def watch() -> None:
            lost = False
            if time.monotonic() - checked[0] >= self.lock_check:
                checked[0] = time.monotonic()
                lost = not self.lock.held()
            if stop.is_set() or lost:
                scheduler.shutdown(wait=False)

        scheduler.add_job(watch, "interval", seconds=0.5, id="watch", executor="watch")
        scheduler.start()  # returns once ``watch`` shut it down
        jobs.shutdown(wait=True)  # let a job in flight finish
