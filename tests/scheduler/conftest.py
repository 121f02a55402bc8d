"""Fixtures for the scheduler: the real stores (SQLite and PostgreSQL), a frozen clock, a real
SMTP server (aiosmtpd) counting messages, and a small world of staff, a customer and work."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.clock import FixedClock
from scheduler.context import SchedulerContext
from scheduler.mailsink import MailSink
from scheduler.notifiers import SmtpNotifier
from scheduler.process import run_once
from scheduler.settings import SchedulerSettings
from web.services import Services, build_services

ADMIN = "system:test"
FROM = "Touchline <support@shop.example>"


class World:
    """The Application, its read models, the scheduler's context and the mail it sent."""

    def __init__(self, services: Services, clock: FixedClock, sink: MailSink) -> None:
        self.services, self.app, self.clock, self.sink = services, services.app, clock, sink
        self.runner = services.projection_runner()
        self.ctx = SchedulerContext(self.app, services.views, clock, SchedulerSettings(mail_from=FROM),
                                    {"email": SmtpNotifier(sink.url, FROM)})
        now = clock.now()
        self.manager = self.app.register_user(email="mia@shop.example", name="Mia Manager", role="agent",
                                              team="North", occurred_at=now, actor=ADMIN).id
        self.agent = self.app.register_user(email="ann@shop.example", name="Ann Agent", role="agent", team="North",
                                            manager_id=self.manager, occurred_at=now, actor=ADMIN).id
        self.customer = self.app.register_customer(
            name="Ada Lovelace", contact_points=[{"kind": "email", "value": "ada@example.com"},
                                                 {"kind": "mobile", "value": "+44 7700 900123"}],
            occurred_at=now, actor=ADMIN).id

    @property
    def agent_ref(self) -> str:
        return f"user:{self.agent}"

    def promise(self, *, due_in: timedelta, channel: str = "email", kind: str = "promise",
                made_ago: timedelta = timedelta(0), **fields: Any) -> UUID:
        """A promise due ``due_in`` from now, recorded ``made_ago`` (now by default)."""
        now = self.clock.now()
        return self.app.make_promise(customer_id=self.customer, what=fields.pop("what", "Send the refund form"),
                                     due_at=now + due_in, owner=fields.pop("owner", self.agent_ref),
                                     channel=channel, kind=kind, occurred_at=now - made_ago, actor=self.agent_ref,
                                     **fields).id

    def case(self, subject: str = "Printer jams", **fields: Any) -> UUID:
        return self.app.open_case(customer_id=self.customer, subject=subject, channel=fields.pop("channel", "email"),
                                  occurred_at=self.clock.now(), actor=self.agent_ref, **fields).id

    def catch_up(self) -> None:
        self.runner.catch_up()

    def tick(self) -> dict[str, Any]:
        """What one scheduler run does with the read models up to date: every job once."""
        self.catch_up()
        results = run_once(self.ctx, before_delivery=self.catch_up)
        self.catch_up()
        return results

    def mail_to(self, address: str) -> list[Any]:
        return [m for m in self.sink.messages if m["To"] == address]


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with MailSink() as server:
        yield server


@pytest.fixture
def world(database_url: str, clock: FixedClock, sink: MailSink) -> Iterator[World]:
    services = build_services({"DATABASE_URL": database_url}, clock=clock)
    found = World(services, clock, sink)
    yield found
    found.runner.close()
    services.close()


@pytest.fixture
def now(clock: FixedClock) -> datetime:
    return clock.now()


ROUND_THE_CLOCK = {"timezone": "UTC", "hours": {d: [["00:00", "24:00"]]
                                                for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}}


def define_policy(world: World, first_response: int = 60) -> UUID:
    """A policy covering every case: first response within ``first_response`` calendar minutes."""
    targets = {kind: {"minutes": minutes, "business_hours": False}
               for kind, minutes in (("first_response", first_response), ("next_response", 120), ("resolution", 480))}
    return world.app.define_sla_policy(name="Everyone", position=10, conditions=None, calendar=ROUND_THE_CLOCK,
                                       targets={p: targets for p in ("low", "normal", "high", "urgent")},
                                       occurred_at=world.clock.now(), actor=ADMIN).id
