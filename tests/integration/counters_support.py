"""Support for the counter tests (test_service_counters.py): a generated history, and the contact
rates and agent workload counted from every row, as the queries did before the projections kept
counts: the definitions the counted answers are checked against."""

from __future__ import annotations

import random
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain.errors import DomainError
from projections.views.cases import cases
from projections.views.promises import promises
from projections.views.touchpoints import touchpoints
from web.services import Services

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
MIDNIGHT = NOW.replace(hour=0)
DAY = timedelta(days=1)
AGENTS = ("user:ann", "user:bob", "user:cy")
SUBJECTS = ("Router broken", "RE: router broken", "Invoice wrong", "Fwd: Invoice wrong", "Delivery late")


class History:
    """A seeded random history of contacts, cases and promises; the projections follow it in
    batches of three events, caught up every few commands."""

    def __init__(self, s: Services, seed: int) -> None:
        self.s, self.rng, self.runner = s, random.Random(seed), s.projection_runner(batch_size=3)
        self.customers = [s.app.register_customer(name=f"C{i}", occurred_at=NOW - 900 * DAY, actor=AGENTS[0]).id
                          for i in range(4)]
        self.touches: list[UUID] = []
        self.cases: list[tuple[UUID, datetime]] = []
        self.promises: list[UUID] = []
        self.clock = NOW - 40 * DAY

    def when(self) -> datetime:
        """Mostly forward in time (so contacts repeat), some back-dated, some at a midnight, some
        over a year back (gaps past 365 days)."""
        pick = self.rng.random()
        if pick < 0.1:
            return MIDNIGHT - self.rng.randint(0, 40) * DAY
        if pick < 0.15:
            return NOW - self.rng.randint(380, 420) * DAY
        if pick < 0.3:
            return NOW - timedelta(seconds=self.rng.randint(0, 40 * 86400))
        self.clock = min(NOW, self.clock + timedelta(seconds=self.rng.randint(0, 6 * 3600)))
        return self.clock

    def touch(self, customer: UUID, agent: str) -> None:
        case = self.rng.choice(self.cases)[0] if self.cases and self.rng.random() < 0.3 else None
        self.touches.append(self.s.app.record_touchpoint(
            customer_id=customer, channel="phone", direction=self.rng.choice(("inbound", "inbound", "outbound")),
            kind="inquiry", subject=self.rng.choice(SUBJECTS), case_id=case, occurred_at=self.when(), actor=agent).id)

    def change_touch(self, action: str, agent: str) -> None:
        app, touch = self.s.app, self.rng.choice(self.touches)
        if action == "retract":
            app.retract_touchpoint(touch, reason="wrong customer", occurred_at=NOW, actor=agent)
            return
        changes = self.rng.choice(({"occurred_at": self.when()}, {"direction": self.rng.choice(("inbound", "outbound"))},
                                   {"subject": self.rng.choice(SUBJECTS)}))
        app.correct_touchpoint(touch, changes=changes, reason="fix", occurred_at=NOW, actor=agent)

    def open_case(self, customer: UUID, agent: str) -> None:
        opened = self.when()
        contact = {"channel": "phone", "direction": "inbound", "kind": "inquiry", "subject": self.rng.choice(SUBJECTS)}
        self.cases.append((self.s.app.open_case(customer_id=customer, subject="Help", channel="phone", occurred_at=opened,
                                                touchpoint=contact if self.rng.random() < 0.5 else None,
                                                actor=agent).id, opened))

    def work_case(self, action: str, agent: str) -> None:
        app, (case, opened) = self.s.app, self.rng.choice(self.cases)
        at = min(NOW, opened + timedelta(hours=self.rng.randint(1, 200)))
        if action == "assign":
            app.assign_case(case, assignee=agent, occurred_at=at, actor=agent)
        elif action == "transfer":
            app.transfer_case(case, to_assignee=agent, note="yours", occurred_at=at, actor=AGENTS[0])
        elif action == "reply":
            app.record_customer_reply(case, body="again", channel="email", occurred_at=at, actor="customer:x")
        elif action == "resolve":
            app.resolve_case(case, resolution="done", occurred_at=at, actor=agent)
        elif action == "reopen":
            app.reopen_case(case, reason="back", occurred_at=at, actor=agent)
        else:
            app.close_case(case, occurred_at=at, actor=agent)

    def promise(self, action: str, customer: UUID, agent: str) -> None:
        app, hours = self.s.app, timedelta(hours=self.rng.randint(-300, 300))
        if action == "promise":
            self.promises.append(app.make_promise(customer_id=customer, what="Call back", due_at=NOW + hours,
                                                  owner=agent, channel="phone", occurred_at=NOW - 20 * DAY,
                                                  actor=agent).id)
            return
        promise = self.rng.choice(self.promises)
        if action == "keep":
            app.keep_promise(promise, evidence="called", occurred_at=NOW - abs(hours) / 10, actor=agent)
        elif action == "cancel":
            app.cancel_promise(promise, reason="moot", occurred_at=NOW - DAY, actor=agent)
        elif action == "hand_over":  # its counts move to the new owner's
            app.hand_over_promise(promise, to_owner=self.rng.choice(AGENTS), occurred_at=NOW - DAY, actor=agent)
        else:
            app.reschedule_promise(promise, due_at=NOW + hours / 5, reason="asked", occurred_at=NOW - DAY, actor=agent)

    def step(self) -> None:
        customer, agent = self.rng.choice(self.customers), self.rng.choice(AGENTS)
        action = self.rng.choice(("touch", "touch", "touch", "correct", "retract", "case", "case", "assign",
                                  "transfer", "reply", "resolve", "reopen", "close", "promise", "promise", "keep",
                                  "cancel", "reschedule", "hand_over"))
        if action == "touch":
            self.touch(customer, agent)
        elif action in ("correct", "retract") and self.touches:
            self.change_touch(action, agent)
        elif action == "case":
            self.open_case(customer, agent)
        elif action in ("assign", "transfer", "reply", "resolve", "reopen", "close") and self.cases:
            self.work_case(action, agent)
        elif action == "promise" or (action in ("keep", "cancel", "reschedule", "hand_over") and self.promises):
            self.promise(action, customer, agent)

    def write(self, steps: int) -> None:
        for i in range(steps):
            with suppress(DomainError):  # a step the rules refuse (resolving a closed case...) is skipped
                self.step()
            if i == steps // 2:  # the first customer's personal data goes: their contacts leave the threads
                self.s.app.erase_customer(self.customers.pop(0), reason="asked", occurred_at=NOW, actor=AGENTS[0])
            if self.rng.random() < 0.3:
                self.runner.catch_up()
        self.runner.catch_up()


OPEN_CASE = ("new", "open", "pending")


def contact_rates_from_rows(conn: sa.Connection, *, since: datetime | None, within_days: int) -> dict[str, Any]:
    t, c = touchpoints.c, cases.c
    inbound = sa.and_(t.direction == "inbound", t.retracted.is_(False), *([t.occurred_at >= since] if since else []))
    total = conn.execute(sa.select(sa.func.count()).where(inbound)).scalar() or 0
    repeats = conn.execute(sa.select(sa.func.count()).where(
        inbound, t.repeat_gap_seconds <= within_days * 86400)).scalar() or 0
    first = sa.case((sa.and_(c.customer_contacts == 1, c.reopened == 0), 1), else_=0)
    resolved = sa.select(sa.func.count(), sa.func.sum(first)).where(c.status.in_(("resolved", "closed")))
    if since:
        resolved = resolved.where(c.opened_at >= since)
    resolved_count, first_contact = conn.execute(resolved).one()
    return {
        "inbound_contacts": total, "repeat_contacts": repeats,
        "repeat_contact_rate": round(repeats / total, 4) if total else None,
        "resolved_cases": resolved_count or 0, "resolved_first_contact": first_contact or 0,
        "first_contact_resolution_rate": round((first_contact or 0) / resolved_count, 4) if resolved_count else None,
    }


def agent_workload_from_rows(conn: sa.Connection, *, now: datetime) -> list[dict[str, Any]]:
    work: dict[str, dict[str, Any]] = {}

    def agent(name: str) -> dict[str, Any]:
        return work.setdefault(name, {"agent": name, "active_cases": 0, "open_promises": 0, "overdue_promises": 0,
                                      "promises_due": 0, "kept_on_time": 0})

    for assignee, count in conn.execute(sa.select(cases.c.assignee, sa.func.count())
                                        .where(cases.c.status.in_(OPEN_CASE), cases.c.assignee.is_not(None))
                                        .group_by(cases.c.assignee)):
        agent(assignee)["active_cases"] = count
    p = promises.c
    overdue = sa.case((sa.and_(p.status == "open", p.due_at < now), 1), else_=0)
    is_open = sa.case((p.status == "open", 1), else_=0)
    due = sa.case((sa.or_(p.status == "kept", p.due_at < now), 1), else_=0)
    on_time = sa.case((p.kept_on_time.is_(True), 1), else_=0)
    for owner, n_open, n_overdue, n_due, n_on_time in conn.execute(
            sa.select(p.owner, sa.func.sum(is_open), sa.func.sum(overdue), sa.func.sum(due), sa.func.sum(on_time))
            .where(p.status != "cancelled").group_by(p.owner)):
        agent(owner).update(open_promises=n_open or 0, overdue_promises=n_overdue or 0, promises_due=n_due or 0,
                            kept_on_time=n_on_time or 0)
    for row in work.values():
        row["promise_keeping_rate"] = round(row["kept_on_time"] / row["promises_due"], 4) if row["promises_due"] else None
    return sorted(work.values(), key=lambda r: (-r["active_cases"], r["agent"]))
