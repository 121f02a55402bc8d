"""Satisfaction surveys: ``survey_delay`` after a case is resolved, the customer is asked to
rate it (1-5) on a public page; the answer becomes the case's CSAT.

The scan reads the ``cases`` view (resolved or closed, resolved within the lookback before
``now - survey_delay``: the (status, resolved_at) index) less those with a survey queued since
that resolution (``outbox`` by case). The case then has the last word: no survey when it was
reopened meanwhile, rated already, or surveyed for this resolution (``SurveySent``, saved with
the message), and none when the customer withdrew consent to surveys.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain.cases.model import Case
from domain.customers.outreach import CONSENT_OF_PURPOSE, SurveyNotice
from domain.errors import NotFoundError
from domain.messages.model import Draft, cause_of, message_uuid
from domain.messages.notices import NoticeOutcome
from projections.views.cases import cases
from projections.views.outbox import outbox
from scheduler.context import SchedulerContext
from scheduler.directory import Directory, due_pages, route
from scheduler.links import survey_url, unsubscribe_url
from scheduler.templates import TemplateBook

c, o = cases.c, outbox.c


def scan(since: datetime, until: datetime, limit: int, after: tuple[datetime, str] | None = None) -> sa.Select[Any]:
    asked = sa.exists().where(o.case_id == c.id, o.purpose == "survey", o.queued_at > c.resolved_at)
    query = sa.select(c.id, c.resolved_at, c.customer_id).where(
        c.status.in_(("resolved", "closed")), c.resolved_at > since, c.resolved_at <= until, ~asked)
    if after:
        query = query.where(sa.tuple_(c.resolved_at, c.id) > sa.tuple_(*after))
    return query.order_by(c.resolved_at, c.id).limit(limit)


def send_surveys(ctx: SchedulerContext) -> NoticeOutcome:
    now, s = ctx.clock.now(), ctx.settings
    outcome = NoticeOutcome()
    if not s.link_key:  # no key, no links that work: nothing to send
        return outcome
    until = now - s.survey_delay
    book = TemplateBook(ctx.app)
    for rows, directory in due_pages(ctx.views, s.page_size,
                                     lambda after: scan(until - s.lookback, until, s.page_size, after),
                                     lambda row: (row.resolved_at, row.id)):
        loaded: dict[UUID, Any] = {}
        notices = []
        for row in rows:
            case = _due(ctx, UUID(row.id), until)
            if case is not None:
                loaded[case.id] = case
                notices.append(_notice(ctx, case, directory, book))
        outcome.add(ctx.issue(notices, loaded))
    return outcome


def _due(ctx: SchedulerContext, case_id: UUID, until: datetime) -> Case | None:
    """The case if its latest resolution is due a survey (the view may lag behind it)."""
    try:
        case = ctx.app.get_case(case_id)
        customer = ctx.app.get_customer(ctx.app.survivor(case.customer_id))  # the person now (merges)
    except NotFoundError:
        return None
    if case.resolved_at is None or case.resolved_at > until or case.resolutions in case.surveys:
        return None
    if customer.erased:
        return None  # nobody to ask: their contact points are gone
    if not case.survey_open(case.resolutions) or not customer.may_send(CONSENT_OF_PURPOSE["survey"]):
        return None
    return case


def _notice(ctx: SchedulerContext, case: Case, directory: Directory, book: TemplateBook) -> SurveyNotice:
    customer = directory.customer(case.customer_id)
    channel, recipient = route(case.channel, customer, deliverable=ctx.notifiers)
    cause = cause_of("case-survey", case.id, case.resolutions)
    subject, body = book.render("survey", customer=customer.name if customer else "customer",
                                code=case.tracking_code, subject=case.subject,
                                survey_link=survey_url(ctx.settings, case.id, case.resolutions),
                                unsubscribe_link=unsubscribe_url(ctx.settings, message_uuid(cause)))
    draft = Draft(cause=cause, purpose="survey", channel=channel, audience="customer", recipient=recipient,
                  subject=subject, body=body, customer_id=case.customer_id, case_id=case.id)
    return SurveyNotice(case.id, case.resolutions, draft)
