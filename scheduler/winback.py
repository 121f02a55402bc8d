"""Win-back offers: customers on the churn list (past buyers quiet for ``winback_quiet_days``,
``projections.queries.customers.list_churn_candidates``) who consented to marketing get an
offer with a coupon code, at most once per ``winback_period``.

The offer is recorded on the customer (``WinBackOffered``, saved with the message). Its cause is
the customer's next offer number, so two schedulers or a retry build the same message id and the
same coupon (an HMAC of the cause: unguessable, and distinct per customer and offer). The
customer has the last word: no offer without consent, after unsubscribing, or within the period.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain.customers.model import Customer
from domain.customers.outreach import WinBackNotice
from domain.errors import NotFoundError
from domain.messages.model import Draft, cause_of, message_uuid
from domain.messages.notices import NoticeOutcome
from projections.queries.customers import list_churn_candidates
from projections.views.outbox import outbox
from scheduler.context import SchedulerContext
from scheduler.directory import Customer as Recipient
from scheduler.directory import route
from scheduler.links import unsubscribe_url
from scheduler.templates import TemplateBook

o = outbox.c


def coupon_code(key: bytes, cause: str) -> str:
    """``WB-XXXX-XXXX-XXXX``: 60 bits of an HMAC of the cause (the same for every retry)."""
    digest = hmac.new(key, f"coupon/{cause}".encode(), hashlib.sha256).digest()
    letters = base64.b32encode(digest).decode()[:12]
    return "WB-" + "-".join(letters[i:i + 4] for i in range(0, 12, 4))


def recently_offered(conn: sa.Connection, since: datetime) -> set[str]:
    """Customers sent a win-back offer after ``since`` (by the outbox's queued_at index)."""
    query = sa.select(o.customer_id).where(o.queued_at > since, o.purpose == "winback")
    return {str(r) for r in conn.execute(query).scalars()}


def offer_win_backs(ctx: SchedulerContext) -> NoticeOutcome:
    now, s = ctx.clock.now(), ctx.settings
    outcome = NoticeOutcome()
    if not s.link_key:  # no key, no unsubscribe link that works: no marketing
        return outcome
    book = TemplateBook(ctx.app)
    cursor = None
    while True:
        with ctx.views.connect() as conn:
            page = list_churn_candidates(conn, now=now, quiet_days=s.winback_quiet_days, limit=s.page_size,
                                         cursor=cursor)
            skip = recently_offered(conn, now - s.winback_period)
        loaded: dict[UUID, Any] = {}
        notices = []
        for row in page.items:
            if not (row["consents"] or {}).get("marketing") or row["id"] in skip:
                continue
            customer = _due(ctx, UUID(row["id"]), now)
            notice = _notice(ctx, customer, book) if customer is not None else None
            if notice is not None:  # None: no email address to write to
                loaded[notice.customer_id] = customer
                notices.append(notice)
        outcome.add(ctx.issue(notices, loaded))
        cursor = page.next_cursor
        if not cursor:
            return outcome


def _due(ctx: SchedulerContext, customer_id: UUID, now: datetime) -> Customer | None:
    try:
        customer = ctx.app.get_customer(customer_id)
    except NotFoundError:
        return None
    last = customer.win_back_offers[-1]["at"] if customer.win_back_offers else None
    if not customer.has_consented("marketing") or customer.merged_into is not None:
        return None
    return customer if last is None or now - last >= ctx.settings.winback_period else None


def _notice(ctx: SchedulerContext, customer: Customer, book: TemplateBook) -> WinBackNotice | None:
    number = len(customer.win_back_offers) + 1
    cause = cause_of("win-back", customer.id, number)
    coupon = coupon_code(ctx.settings.link_key, cause)
    channel, recipient = route("email", Recipient(str(customer.id), customer.name, customer.contact_points))
    if recipient is None:
        return None
    subject, body = book.render("winback", customer=customer.name, coupon=coupon,
                                unsubscribe_link=unsubscribe_url(ctx.settings, message_uuid(cause)))
    draft = Draft(cause=cause, purpose="winback", channel=channel, audience="customer", recipient=recipient,
                  subject=subject, body=body, customer_id=customer.id)
    return WinBackNotice(customer.id, number, coupon, ctx.settings.winback_period, draft)
