"""Promises that must not silently lapse: overdue follow-ups, escalations, callback reminders.

- Overdue (due at or before now): an apology to the customer over the promise's channel and
  a reminder to the owner.
- Still overdue ``escalate_after`` later: an escalation to the owner's manager.
- A callback due within ``callback_lead``: a reminder to the agent.
- A callback the customer booked on the public page (held by ``CALLBACK_QUEUE``), due within
  ``CONFIRM_AHEAD``: a confirmation to them, with its time and a link that cancels it; again
  when it is moved, by whoever holds it then.

Each rule scans the indexed ``promises`` view ((status, lapses_at) range, newest work only:
lapsed within the lookback, so a promise recorded today as due last week counts and imported
history does not) for open promises without that notice for their current due time
(``outbox_notices``), a page at a time, and issues the notices in batches. The view holds
what the messages need and the version it has seen: the follow-ups are appended after that
version without loading the promise (one load per due promise was most of the cost). A
rescheduled promise is due anew: its next lapse gets notices again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain.messages.model import Draft, cause_of
from domain.messages.notices import NoticeOutcome, PromiseFollowUp
from domain.personal import ERASED
from domain.promises.model import CALLBACK_QUEUE
from projections.views.outbox import outbox_notices
from projections.views.promises import promises
from scheduler.context import SchedulerContext
from scheduler.directory import Directory, Person, due_pages, route
from scheduler.links import callback_cancel_url
from scheduler.templates import TemplateBook, duration, when

p, n = promises.c, outbox_notices.c
CONFIRM_AHEAD = timedelta(days=90)  # a callback booked further ahead is confirmed once it comes this close


@dataclass(frozen=True)
class DuePromise:
    """An open promise as the scan read it from the ``promises`` view, at ``version``."""

    id: UUID
    customer_id: UUID
    what: str
    due_at: datetime
    owner: str
    channel: str
    contact_point: str | None
    case_id: UUID | None
    version: int
    timezone: str | None = None  # the customer's, when they chose one (a callback booked on the public page)
    reply_to: str | None = None  # the address they booked with (a customer may have several)

    @classmethod
    def of(cls, row: Any) -> DuePromise:
        return cls(UUID(row.id), UUID(row.customer_id), row.what, row.due_at, row.owner, row.channel,
                   row.contact_point, UUID(row.case_id) if row.case_id else None, row.version, row.timezone,
                   row.reply_to)

    def to_customer(self, channel: str, recipient: str | None) -> str | None:
        """Where a message to the customer goes: by email, the address they booked with, if any."""
        return self.reply_to if channel == "email" and self.reply_to not in (None, ERASED) else recipient


Build = Callable[[DuePromise, Directory, TemplateBook, SchedulerContext], list[Draft]]


@dataclass(frozen=True)
class Rule:
    purpose: str  # the notice whose absence makes a promise due for this rule
    since: datetime  # lapsing after this...
    until: datetime  # ...and at or before this
    build: Build
    kind: str | None = None  # promise kind, when the rule is for one kind only
    owner: str | None = None  # holder, when the rule is for one holder only...
    or_notified: bool = False  # ...or for promises that had this notice before (for an earlier due time)


def scan(rule: Rule, limit: int, after: tuple[datetime, str] | None = None) -> sa.Select[Any]:
    """Open promises lapsing in the rule's window with no ``rule.purpose`` notice for their due time."""
    done = sa.exists().where(n.source_id == p.id, n.kind == rule.purpose, n.cause_at == p.due_at)
    query = sa.select(p.id, p.owner, p.customer_id, p.due_at, p.lapses_at, p.what, p.channel, p.contact_point,
                      p.case_id, p.version, p.timezone, p.reply_to).where(p.status == "open", p.lapses_at > rule.since,
                                                              p.lapses_at <= rule.until, ~done)
    if rule.kind:
        query = query.where(p.kind == rule.kind)
    if rule.owner:
        held = p.owner == rule.owner
        if rule.or_notified:
            held = sa.or_(held, sa.exists().where(n.source_id == p.id, n.kind == rule.purpose))
        query = query.where(held)
    if after:
        query = query.where(sa.tuple_(p.lapses_at, p.id) > sa.tuple_(*after))
    return query.order_by(p.lapses_at, p.id).limit(limit)


def rules(ctx: SchedulerContext) -> tuple[Rule, ...]:
    now, s = ctx.clock.now(), ctx.settings
    return (
        Rule("customer_apology", now - s.lookback, now, _overdue),
        Rule("manager_escalation", now - s.lookback, now - s.escalate_after, _escalation),
        Rule("callback_reminder", now, now + s.callback_lead, _callback, kind="callback"),
        # Booked by the customer (in the queue), or confirmed to them before: an agent who took the
        # call and moved it must not leave them with a dead link and the old time.
        Rule("callback_confirmation", now, now + CONFIRM_AHEAD, _confirmation, kind="callback", owner=CALLBACK_QUEUE,
             or_notified=True),
    )


def follow_up_promises(ctx: SchedulerContext) -> NoticeOutcome:
    outcome = NoticeOutcome()
    touched: set[UUID] = set()
    for rule in rules(ctx):
        outcome.add(apply_rule(ctx, rule, touched))
    return outcome


def apply_rule(ctx: SchedulerContext, rule: Rule, touched: set[UUID] | None = None) -> NoticeOutcome:
    """Issue ``rule``'s notices for what the view shows due, appended after the version it shows
    (no event-store read; a stale view is caught by the save, see ``issue_notices``). Promises
    in ``touched`` got a notice earlier in this run, which the view does not show yet: those are
    loaded instead. Adds the promises given a notice to ``touched``."""
    touched = set() if touched is None else touched
    outcome = NoticeOutcome()
    book = TemplateBook(ctx.app)
    for rows, directory in due_pages(ctx.views, ctx.settings.page_size,
                                     lambda after: scan(rule, ctx.settings.page_size, after),
                                     lambda row: (row.lapses_at, row.id), staff=lambda row: row.owner):
        notices = []
        for row in rows:
            if rule.purpose == "manager_escalation" and directory.manager_of(row.owner) is None:
                continue  # nobody to escalate to
            promise = DuePromise.of(row)
            drafts = rule.build(promise, directory, book, ctx)
            if drafts:
                version = None if promise.id in touched else promise.version
                notices.append(PromiseFollowUp(promise.id, promise.due_at, tuple(drafts), version))
                touched.add(promise.id)
        outcome.add(ctx.issue(notices))
    return outcome


def _values(promise: DuePromise, directory: Directory) -> dict[str, Any]:
    customer, owner = directory.customer(promise.customer_id), directory.person(promise.owner)
    return {"customer": customer.name if customer else "customer", "what": promise.what,
            "due": when(promise.due_at), "owner": owner.name if owner else "Our team",
            "reference": f"\n\nPromise {promise.id}"}


def _customer_due(promise: DuePromise, default_zone: str) -> str:
    """The due time as the customer reads it: in their zone when the promise names one, else
    ``default_zone``; the zone named (an abbreviation such as "CST" alone is ambiguous)."""
    zone = promise.timezone or default_zone
    return when(promise.due_at, zone) + ("" if zone == "UTC" else f" ({zone} time)")


def _to_staff(book: TemplateBook, purpose: str, cause: str, person: Person, promise: DuePromise,
              zone: str | None = None, **values: Any) -> Draft:
    """A message to a colleague, with the due time in their zone (else ``zone``, the installation's)."""
    subject, body = book.render(purpose, **{**values, "due": when(promise.due_at, person.zone or zone)})
    return Draft(cause=cause, purpose=purpose, channel="email", audience="staff", recipient=person.email,
                 subject=subject, body=body, customer_id=promise.customer_id, case_id=promise.case_id,
                 promise_id=promise.id)


def _overdue(promise: DuePromise, directory: Directory, book: TemplateBook, ctx: SchedulerContext) -> list[Draft]:
    values = _values(promise, directory)
    channel, recipient = route(promise.channel, directory.customer(promise.customer_id), promise.contact_point,
                               ctx.notifiers)
    recipient = promise.to_customer(channel, recipient)
    # The customer's zone when the promise names one (a callback booked on the public page), else the
    # installation's (a promise has no calendar of its own).
    subject, body = book.render("customer_apology", **{**values, "due": _customer_due(promise, ctx.settings.timezone),
                                                       "reference": ""})
    drafts = [Draft(cause=cause_of("promise-overdue", promise.id, promise.due_at, "customer"),
                    purpose="customer_apology", channel=channel, audience="customer", recipient=recipient,
                    subject=subject, body=body, customer_id=promise.customer_id, case_id=promise.case_id,
                    promise_id=promise.id)]
    owner = directory.person(promise.owner)
    if owner:
        drafts.append(_to_staff(book, "owner_reminder", cause_of("promise-overdue", promise.id, promise.due_at, "owner"),
                                owner, promise, ctx.settings.timezone, **values))
    return drafts


def _escalation(promise: DuePromise, directory: Directory, book: TemplateBook, ctx: SchedulerContext) -> list[Draft]:
    manager = directory.manager_of(promise.owner)
    if manager is None:
        return []
    return [_to_staff(book, "manager_escalation", cause_of("promise-escalation", promise.id, promise.due_at, "manager"),
                      manager, promise, ctx.settings.timezone, **_values(promise, directory),
                      escalate_after=duration(ctx.settings.escalate_after.total_seconds() / 60))]


def _callback(promise: DuePromise, directory: Directory, book: TemplateBook, ctx: SchedulerContext) -> list[Draft]:
    owner = directory.person(promise.owner)
    if owner is None:
        return []
    _, contact = route(promise.channel, directory.customer(promise.customer_id), promise.contact_point)
    return [_to_staff(book, "callback_reminder", cause_of("callback-reminder", promise.id, promise.due_at), owner, promise,
                      ctx.settings.timezone, **_values(promise, directory), contact=contact or "none on record")]


def _confirmation(promise: DuePromise, directory: Directory, book: TemplateBook, ctx: SchedulerContext) -> list[Draft]:
    """The customer's confirmation, by email, in the zone the booking page showed them the time in
    (the one they chose there, else the public calendar's); none when they have no email address
    (they booked by phone number only) or no link key signs the cancel link."""
    customer = directory.customer(promise.customer_id)
    channel, recipient = route("email", customer)
    recipient = promise.to_customer(channel, recipient)
    if channel != "email" or recipient is None or not ctx.settings.link_key:
        return []
    calendar = ctx.app.callback_calendar()  # booked before the page recorded a zone: the one it showed then
    subject, body = book.render("callback_confirmation", **{
        **_values(promise, directory),
        "due": _customer_due(promise, str(calendar["timezone"]) if calendar else ctx.settings.timezone),
        "contact": promise.contact_point or "the number you gave us",
        "cancel": callback_cancel_url(ctx.settings, promise.id, promise.due_at)})
    return [Draft(cause=cause_of("callback-confirmation", promise.id, promise.due_at), purpose="callback_confirmation",
                  channel=channel, audience="customer", recipient=recipient, subject=subject, body=body,
                  customer_id=promise.customer_id, promise_id=promise.id)]
