"""Promises that must not silently lapse: overdue follow-ups, escalations, callback reminders.

- Overdue (due at or before now): an apology to the customer over the promise's channel and
  a reminder to the owner.
- Still overdue ``escalate_after`` later: an escalation to the owner's manager.
- A callback due within ``callback_lead``: a reminder to the agent.

Each rule scans the indexed ``promises`` view ((status, due_at) range, newest work only: due
within the lookback) for open promises without that notice for their current due time
(``outbox_notices``), a page at a time, and issues the notices in batches. A rescheduled
promise is due anew: its next lapse gets notices again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain.errors import NotFoundError
from domain.messages.model import Draft, cause_of
from domain.messages.notices import NoticeOutcome, PromiseFollowUp
from domain.promises.model import Promise
from projections.views.outbox import outbox_notices
from projections.views.promises import promises
from scheduler.context import SchedulerContext
from scheduler.directory import Directory, Person, route
from scheduler.templates import TemplateBook, duration, when

p, n = promises.c, outbox_notices.c
Build = Callable[[Promise, Directory, TemplateBook, SchedulerContext], list[Draft]]


@dataclass(frozen=True)
class Rule:
    purpose: str  # the notice whose absence makes a promise due for this rule
    since: datetime  # due after this...
    until: datetime  # ...and at or before this
    build: Build
    kind: str | None = None  # promise kind, when the rule is for one kind only


def scan(rule: Rule, limit: int, after: tuple[datetime, str] | None = None) -> sa.Select[Any]:
    """Open promises due in the rule's window with no ``rule.purpose`` notice for that due time."""
    done = sa.exists().where(n.source_id == p.id, n.kind == rule.purpose, n.cause_at == p.due_at)
    query = sa.select(p.id, p.owner, p.customer_id, p.due_at).where(
        p.status == "open", p.due_at > rule.since, p.due_at <= rule.until, ~done)
    if rule.kind:
        query = query.where(p.kind == rule.kind)
    if after:
        query = query.where(sa.tuple_(p.due_at, p.id) > sa.tuple_(*after))
    return query.order_by(p.due_at, p.id).limit(limit)


def follow_up_promises(ctx: SchedulerContext) -> NoticeOutcome:
    now, s = ctx.clock.now(), ctx.settings
    outcome = NoticeOutcome()
    for rule in (
        Rule("customer_apology", now - s.lookback, now, _overdue),
        Rule("manager_escalation", now - s.lookback, now - s.escalate_after, _escalation),
        Rule("callback_reminder", now, now + s.callback_lead, _callback, kind="callback"),
    ):
        outcome.add(apply_rule(ctx, rule))
    return outcome


def apply_rule(ctx: SchedulerContext, rule: Rule) -> NoticeOutcome:
    outcome = NoticeOutcome()
    after = None
    book = TemplateBook(ctx.app)
    while True:
        with ctx.views.connect() as conn:
            rows = conn.execute(scan(rule, ctx.settings.page_size, after)).all()
            directory = Directory(conn)
            directory.load(refs=[r.owner for r in rows], customer_ids=[r.customer_id for r in rows])
        loaded: dict[UUID, Any] = {}
        notices = []
        for row in rows:
            if rule.purpose == "manager_escalation" and directory.manager_of(row.owner) is None:
                continue  # nobody to escalate to
            try:
                promise = ctx.app.get_promise(UUID(row.id))
            except NotFoundError:
                continue
            due = promise.status == "open" and rule.since < promise.due_at <= rule.until  # the view may lag
            drafts = rule.build(promise, directory, book, ctx) if due else []
            if drafts:
                loaded[promise.id] = promise
                notices.append(PromiseFollowUp(promise.id, promise.due_at, tuple(drafts)))
        outcome.add(ctx.issue(notices, loaded))
        if len(rows) < ctx.settings.page_size:
            return outcome
        after = (rows[-1].due_at, rows[-1].id)


def _values(promise: Promise, directory: Directory) -> dict[str, Any]:
    customer, owner = directory.customer(promise.customer_id), directory.person(promise.owner)
    return {"customer": customer.name if customer else "customer", "what": promise.what,
            "due": when(promise.due_at), "owner": owner.name if owner else "Our team",
            "reference": f"\n\nPromise {promise.id}"}


def _to_staff(book: TemplateBook, purpose: str, cause: str, person: Person, promise: Promise,
              **values: Any) -> Draft:
    subject, body = book.render(purpose, **values)
    return Draft(cause=cause, purpose=purpose, channel="email", audience="staff", recipient=person.email,
                 subject=subject, body=body, customer_id=promise.customer_id, case_id=promise.case_id,
                 promise_id=promise.id)


def _overdue(promise: Promise, directory: Directory, book: TemplateBook, ctx: SchedulerContext) -> list[Draft]:
    values = _values(promise, directory)
    channel, recipient = route(promise.channel, directory.customer(promise.customer_id), promise.contact_point)
    subject, body = book.render("customer_apology", **{**values, "reference": ""})
    drafts = [Draft(cause=cause_of("promise-overdue", promise.id, promise.due_at, "customer"),
                    purpose="customer_apology", channel=channel, audience="customer", recipient=recipient,
                    subject=subject, body=body, customer_id=promise.customer_id, case_id=promise.case_id,
                    promise_id=promise.id)]
    owner = directory.person(promise.owner)
    if owner:
        drafts.append(_to_staff(book, "owner_reminder", cause_of("promise-overdue", promise.id, promise.due_at, "owner"),
                                owner, promise, **values))
    return drafts


def _escalation(promise: Promise, directory: Directory, book: TemplateBook, ctx: SchedulerContext) -> list[Draft]:
    manager = directory.manager_of(promise.owner)
    if manager is None:
        return []
    return [_to_staff(book, "manager_escalation", cause_of("promise-escalation", promise.id, promise.due_at, "manager"),
                      manager, promise, **_values(promise, directory),
                      escalate_after=duration(ctx.settings.escalate_after.total_seconds() / 60))]


def _callback(promise: Promise, directory: Directory, book: TemplateBook, ctx: SchedulerContext) -> list[Draft]:
    owner = directory.person(promise.owner)
    if owner is None:
        return []
    _, contact = route(promise.channel, directory.customer(promise.customer_id), promise.contact_point)
    return [_to_staff(book, "callback_reminder", cause_of("callback-reminder", promise.id, promise.due_at), owner, promise,
                      **_values(promise, directory), contact=contact or "none on record")]
