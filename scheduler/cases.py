"""Acknowledgements: every new case is told its tracking code and when to expect an answer.

The scan reads cases opened within the lookback, not acknowledged and not answered yet
(``cases`` view, by ``opened_at``), with their first-response target from the ``sla`` view. The message goes to
the contact point the case came from (its opening touchpoint), else to the customer's own.
Recorded on the case as ``Acknowledged``, which no SLA clock counts as a response. It links up
to 3 published knowledge articles matched to the case's subject and first message
(``domain.knowledge.matching``), on the public pages at ``TOUCHLINE_PUBLIC_URL``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain.errors import NotFoundError
from domain.knowledge.matching import ArticleCard, match_articles
from domain.messages.model import Draft, cause_of
from domain.messages.notices import CaseAcknowledgement, NoticeOutcome
from projections.views.cases import cases
from projections.views.knowledge import published_cards
from projections.views.sla import sla_targets
from scheduler.context import SchedulerContext
from scheduler.directory import due_pages, route
from scheduler.templates import TemplateBook, duration, when

c, t = cases.c, sla_targets.c
ACTIVE = ("new", "open", "pending")


def scan(since: datetime, until: datetime, limit: int, after: tuple[datetime, str] | None = None) -> sa.Select[Any]:
    first = sa.and_(t.case_id == c.id, t.target == "first_response")  # one cycle only
    query = sa.select(c.id, c.opened_at, c.customer_id, t.due_at, t.minutes, t.business_hours) \
        .select_from(cases.outerjoin(sla_targets, first)) \
        .where(c.opened_at > since, c.opened_at <= until, c.status.in_(ACTIVE), c.acknowledged_at.is_(None),
               c.first_response_at.is_(None))  # answered already: "we received it" would come after the answer
    if after:
        query = query.where(sa.tuple_(c.opened_at, c.id) > sa.tuple_(*after))
    return query.order_by(c.opened_at, c.id).limit(limit)


def expectation(due_at: datetime | None, minutes: int | None, business_hours: bool | None, zone: str) -> str:
    """The first answer's due time, in ``zone``: the case's calendar's, as its status page shows it."""
    if due_at is None or minutes is None:
        return "We will answer you as soon as we can."
    within = duration(minutes) + (" of our business hours" if business_hours else "")
    return f"You can expect a first answer by {when(due_at, zone)} (within {within})."


def article_links(articles: list[ArticleCard], public_url: str) -> str:
    """The acknowledgement's paragraph of links to matched articles ("" when none matched)."""
    if not articles:
        return ""
    lines = [f"- {a.title}: {public_url.rstrip('/')}/articles/{a.id}" for a in articles]
    return "\n\nThese articles may help you meanwhile:\n" + "\n".join(lines)


def _description(ctx: SchedulerContext, case_id: UUID) -> str:
    """What the customer wrote when the case was opened without a touchpoint (its first event)."""
    opened = next(iter(ctx.app.events.get(case_id, lte=1)), None)
    return str(getattr(opened, "description", "") or "")


def acknowledge_cases(ctx: SchedulerContext) -> NoticeOutcome:
    now, s = ctx.clock.now(), ctx.settings
    outcome = NoticeOutcome()
    book = TemplateBook(ctx.app)
    with ctx.views.connect() as conn:
        cards = published_cards(conn)  # read once per run: a few hundred rows at most
    for rows, directory in due_pages(ctx.views, s.page_size,
                                     lambda after: scan(now - s.lookback, now, s.page_size, after),
                                     lambda row: (row.opened_at, row.id)):
        loaded: dict[UUID, Any] = {}
        notices = []
        for row in rows:
            try:
                case = ctx.app.get_case(UUID(row.id))
            except NotFoundError:
                continue
            if case.acknowledged:
                continue
            opening = ctx.app.get_touchpoint(case.touchpoint_id) if case.touchpoint_id is not None else None
            customer = directory.customer(case.customer_id)
            channel, recipient = route(case.channel, customer, opening.contact_point if opening else None, ctx.notifiers)
            first_message = opening.summary if opening else _description(ctx, case.id)
            matched = match_articles(cards, case.subject, first_message) if cards else []
            subject, body = book.render("acknowledgement", customer=customer.name if customer else "customer",
                                        code=case.tracking_code, subject=case.subject,
                                        expectation=expectation(row.due_at, row.minutes, row.business_hours,
                                                                ctx.app.case_zone(case) or s.timezone),
                                        articles=article_links(matched, ctx.settings.public_url))
            draft = Draft(cause=cause_of("case-acknowledgement", case.id), purpose="acknowledgement",
                          channel=channel, audience="customer", recipient=recipient, subject=subject, body=body,
                          customer_id=case.customer_id, case_id=case.id)
            loaded[case.id] = case
            notices.append(CaseAcknowledgement(case.id, draft))
        outcome.add(ctx.issue(notices, loaded))
    return outcome
