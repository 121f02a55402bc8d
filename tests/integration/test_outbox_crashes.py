"""Kill the scheduler (SIGKILL) at each step of a send and start it again: no customer gets two
different messages for the same cause, and a resend carries the same Message-ID."""

from __future__ import annotations

import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from domain.clock import FixedClock
from scheduler.mailsink import MailSink
from tests.scheduler.processes import Child
from web.services import build_services

FROM = "Touchline <support@shop.example>"
AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CHILD = """
import os, signal, sys
from datetime import datetime
from domain.clock import FixedClock
from scheduler.context import SchedulerContext
from scheduler.notifiers import SmtpNotifier
from scheduler.process import run_once
from scheduler.settings import SchedulerSettings
from web.services import build_services

url, smtp, at, crash_step, crash_nth = sys.argv[1:6]
clock = FixedClock(datetime.fromisoformat(at))
services = build_services({"DATABASE_URL": url}, clock=clock)
runner = services.projection_runner()
seen = {}

def checkpoint(step, message):
    seen[step] = seen.get(step, 0) + 1
    if step == crash_step and seen[step] == int(crash_nth):
        print(f"killed at {step} #{crash_nth}", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

sender = "Touchline <support@shop.example>"
ctx = SchedulerContext(services.app, services.views, clock, SchedulerSettings(mail_from=sender),
                       {"email": SmtpNotifier(smtp, sender)}, checkpoint)
runner.catch_up()
run_once(ctx, before_delivery=lambda: (checkpoint("queued", None), runner.catch_up()))
runner.catch_up()
print("done", flush=True)
"""
# (step, which occurrence): after the scans queued, before an SMTP send, after the server accepted
# but before Sent was recorded (first and a later message), after Sent was recorded.
CRASHES = [("queued", 1), ("sending", 1), ("accepted", 1), ("accepted", 3), ("recorded", 2)]


def _scheduler(url: str, sink: MailSink, step: str = "-", nth: int = 0) -> Child:
    return Child([sys.executable, "-c", CHILD, url, sink.url, AT.isoformat(), step, str(nth)], {})


@pytest.mark.slow
def test_a_scheduler_killed_at_any_step_of_a_send_never_sends_two_different_messages(database_url: str) -> None:
    services = build_services({"DATABASE_URL": database_url}, clock=FixedClock(AT))
    app = services.app
    agent = app.register_user(email="ann@shop.example", name="Ann", role="agent", occurred_at=AT, actor="system:t").id
    customer = app.register_customer(name="Ada", contact_points=[{"kind": "email", "value": "ada@example.com"}],
                                     occurred_at=AT, actor="system:t").id
    with MailSink() as sink:
        for round_number, (step, nth) in enumerate(CRASHES):
            for i in range(2):  # new due work each round: 2 promises, 4 messages
                app.make_promise(customer_id=customer, what=f"Task {round_number}.{i}", due_at=AT - timedelta(minutes=5),
                                 owner=f"user:{agent}", channel="email", occurred_at=AT - timedelta(hours=1),
                                 actor="system:t")
            crashed = _scheduler(database_url, sink, step, nth)
            crashed.expect(f"killed at {step} #{nth}")
            assert crashed.process.wait(timeout=60) == -9
            crashed.stop()
            again = _scheduler(database_url, sink)
            again.expect("done")
            again.stop()
        ids_by_message: dict[tuple[str, str], set[str]] = defaultdict(set)
        copies: dict[str, int] = defaultdict(int)
        for mail in sink.messages:
            ids_by_message[(mail["To"], mail["Subject"])].add(mail["Message-ID"])
            copies[mail["Message-ID"]] += 1
    services.close()
    assert len(ids_by_message) == len(CRASHES) * 2 * 2, sorted(ids_by_message)  # every cause reached its recipient...
    assert all(len(ids) == 1 for ids in ids_by_message.values())  # ...with one message, one Message-ID
    assert sum(n - 1 for n in copies.values()) == 2  # the two "accepted" crashes resent (same Message-ID)
