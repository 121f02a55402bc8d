"""SLA escalations: each target at risk, and each breached, is escalated once.

Breach status comes from the ``sla`` view exactly as ``projections.queries.sla`` reads it
(decision 9): a target ``breached``, or still ``active`` past its ``due_at``. At risk: still
active, not due yet, with at least ``at_risk_share`` of its time used (in the target's own
minutes: business or calendar). One ``SlaEscalated`` event per target, cycle and level on
the case, with notices to the assignee and their manager (none when unassigned: the event
still shows it was escalated); ``outbox_notices`` keeps later ticks from repeating it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain.messages.model import Draft, cause_of
from domain.messages.notices import NoticeOutcome, SlaNotice
from domain.sla.calendar import ELAPSED
from domain.sla.terms import PolicyTerms
from projections.views.cases import cases
from projections.views.outbox import outbox_notices
from projections.views.sla import sla_policy_versions, sla_targets, terms_of
from scheduler.context import SchedulerContext
from scheduler.directory import Directory
from scheduler.templates import TemplateBook, when

t, n = sla_targets.c, outbox_notices.c
COLUMNS = (t.case_id, t.target, t.cycle, t.due_at, t.minutes, t.business_hours, t.policy_id, t.policy_version,
           t.assignee, t.priority)


def _not_escalated(level: str) -> sa.ColumnElement[bool]:
    return ~sa.exists().where(n.source_id == t.case_id, n.kind == f"sla_{level}", n.target == t.target,
                              n.cycle == t.cycle)


def breached_scan(since: datetime, now: datetime, limit: int) -> list[sa.Select[Any]]:
    """Breaches in (since, now] not escalated yet: settled ones and running ones past due."""
    settled = sa.select(*COLUMNS).where(t.status == "breached", t.breached_at > since, t.breached_at <= now,
                                        _not_escalated("breached"))
    running = sa.select(*COLUMNS).where(t.status == "active", t.due_at > since, t.due_at <= now,
                                        _not_escalated("breached"))
    return [q.order_by(t.case_id, t.target, t.cycle).limit(limit) for q in (settled, running)]


def at_risk_scan(now: datetime, until: datetime, limit: int) -> sa.Select[Any]:
    return sa.select(*COLUMNS).where(t.status == "active", t.due_at > now, t.due_at <= until,
                                     _not_escalated("at_risk")).order_by(t.due_at).limit(limit)


class _Terms:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn, self.found = conn, {}  # type: ignore[var-annotated]

    def __call__(self, policy_id: str, version: int) -> PolicyTerms:
        if (policy_id, version) not in self.found:
            row = self.conn.execute(sa.select(sla_policy_versions).where(
                sla_policy_versions.c.policy_id == policy_id, sla_policy_versions.c.version == version)).mappings().one()
            self.found[(policy_id, version)] = terms_of(dict(row))
        return self.found[(policy_id, version)]  # type: ignore[no-any-return]


def used_share(row: Any, now: datetime, terms: _Terms) -> float:
    basis = terms(row.policy_id, row.policy_version).calendar if row.business_hours else ELAPSED
    return 1 - basis.minutes_between(now, row.due_at) / row.minutes


def escalate_sla(ctx: SchedulerContext) -> NoticeOutcome:
    now, s = ctx.clock.now(), ctx.settings
    outcome = NoticeOutcome()
    with ctx.views.connect() as conn:
        breached = [r for q in breached_scan(now - s.lookback, now, s.page_size) for r in conn.execute(q)]
        terms = _Terms(conn)
        at_risk = [r for r in conn.execute(at_risk_scan(now, now + s.at_risk_window, s.page_size))
                   if used_share(r, now, terms) >= s.at_risk_share]
        work = [("breached", r) for r in breached] + [("at_risk", r) for r in at_risk]
        directory = Directory(conn)
        directory.load(refs=[r.assignee for _, r in work])
        ids = sorted({r.case_id for _, r in work})
        found = conn.execute(sa.select(cases.c.id, cases.c.tracking_code, cases.c.subject, cases.c.customer_id)
                             .where(cases.c.id.in_(ids))).all() if ids else []
        info = {row.id: row for row in found}
    book = TemplateBook(ctx.app)
    notices = [_notice(level, row, info.get(row.case_id), directory, now, terms, book, s.timezone)
               for level, row in work]
    outcome.add(ctx.issue([notice for notice in notices if notice]))
    return outcome


def _notice(level: str, row: Any, case: Any, directory: Directory, now: datetime, terms: _Terms,
            book: TemplateBook, zone: str) -> SlaNotice | None:
    """Each of the assignee and their manager is told the due time in their own zone (else ``zone``)."""
    if case is None:  # the cases view is behind the sla view: next tick
        return None
    assignee = directory.person(row.assignee)
    values = {"code": case.tracking_code, "subject": case.subject, "target": row.target.replace("_", " "),
              "priority": row.priority,
              "assignee": assignee.name if assignee else (row.assignee or "nobody"),
              "used": f"{used_share(row, now, terms):.0%}" if level == "at_risk" else "all"}
    drafts = []
    for role, person in (("assignee", assignee), ("manager", directory.manager_of(row.assignee))):
        if person is not None:
            subject, body = book.render(f"sla_{level}", **values, due=when(row.due_at, person.zone or zone))
            drafts.append(Draft(cause=cause_of(f"sla-{level}", row.case_id, row.target, row.cycle, role),
                                purpose=f"sla_{level}", channel="email", audience="staff", recipient=person.email,
                                subject=subject, body=body, customer_id=UUID(case.customer_id),
                                case_id=UUID(row.case_id)))
    return SlaNotice(UUID(row.case_id), level, row.target, row.cycle, row.due_at, tuple(drafts))
