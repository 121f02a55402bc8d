"""Cases as agents and integrators list them: status, assignee, key instants and counts."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domain.cases.model import Case
from domain.customers.model import Customer
from domain.personal import ERASED
from projections.crypto_scrub import rewrite
from projections.projection import Context, Projection, handles
from projections.rows import Counted, Rows
from projections.schema import Id, UTCDateTime, metadata
from projections.views.periods import day_of, periods_of

cases = sa.Table(
    "cases", metadata,
    sa.Column("id", Id(), primary_key=True),
    sa.Column("tracking_code", sa.String(20), nullable=False, unique=True),
    sa.Column("customer_id", Id(), nullable=False, index=True),
    sa.Column("subject", sa.String(300), nullable=False),
    sa.Column("status", sa.String(20), nullable=False, index=True),
    sa.Column("priority", sa.String(10), nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("team", sa.String(100), index=True),
    sa.Column("assignee", sa.String(200), index=True),
    sa.Column("sla_policy_id", Id()),
    sa.Column("sla_policy_version", sa.Integer),
    sa.Column("opened_at", UTCDateTime, nullable=False, index=True),
    sa.Column("acknowledged_at", UTCDateTime),
    sa.Column("first_response_at", UTCDateTime),
    sa.Column("resolved_at", UTCDateTime),
    sa.Column("closed_at", UTCDateTime),
    sa.Column("last_activity_at", UTCDateTime, nullable=False),
    # Contacts from the customer about this case (the opening one included): FCR is 1.
    sa.Column("customer_contacts", sa.Integer, nullable=False, default=0),
    sa.Column("agent_replies", sa.Integer, nullable=False, default=0),
    sa.Column("transfers", sa.Integer, nullable=False, default=0),
    sa.Column("reopened", sa.Integer, nullable=False, default=0),
    sa.Column("satisfaction", sa.Integer),
    sa.Column("version", sa.Integer, nullable=False),
    # The API's sort keys (projections/queries/service.py), also per status: pages read in index order.
    sa.Index("ix_cases_status_opened", "status", "opened_at", "id"),
    sa.Index("ix_cases_resolved", "resolved_at", "id"),
    sa.Index("ix_cases_status_resolved", "status", "resolved_at", "id"),
    sa.Index("ix_cases_customer_status_opened", "customer_id", "status", "opened_at", "id"),  # a customer's open cases
)

ACTIVE = ("new", "open", "pending")
RESOLVED = ("resolved", "closed")

# Counts kept with the rows (``counted``), so first-contact resolution and workload read a few
# rows, not every case. Resolved or closed cases by the UTC day, month and year they were opened
# (``projections.views.periods``):
resolved_days = sa.Table(
    "resolved_days", metadata,
    sa.Column("unit", sa.Integer, primary_key=True),
    sa.Column("day", sa.Integer, primary_key=True),  # the period's first day (of opened_at)
    sa.Column("resolved", sa.Integer, nullable=False),
    sa.Column("first_contact", sa.Integer, nullable=False),  # of them, one customer contact, never reopened
)
# Active cases per assignee:
assignee_cases = sa.Table(
    "assignee_cases", metadata,
    sa.Column("assignee", sa.String(200), primary_key=True),
    sa.Column("active", sa.Integer, nullable=False),
)


def first_contact(row: dict[str, Any]) -> bool:
    return bool(row["customer_contacts"] == 1 and row["reopened"] == 0)


def counted(row: dict[str, Any]) -> Counted:
    """What a case row counts for in ``resolved_days`` and ``assignee_cases``."""
    if row["status"] in RESOLVED:
        counts = {"resolved": 1, "first_contact": int(first_contact(row))}
        return tuple((resolved_days, period, counts) for period in periods_of(day_of(row["opened_at"])))
    if row["status"] in ACTIVE and row["assignee"] is not None:
        return ((assignee_cases, row["assignee"], {"active": 1}),)
    return ()


class CasesProjection(Projection):
    name = "cases"
    version = 4  # 2: follows SLA re-targeting; 3: resolved_days, assignee_cases; 4: per month and year too
    tables = (cases, resolved_days, assignee_cases)

    def prefetch(self, events: list[Any], rows: Rows) -> None:
        rows.prefetch(cases, self.ids(events, "originator_id"))

    def _touch(self, e: Any, rows: Rows, **changes: Any) -> None:
        rows.update_counted(cases, str(e.originator_id), counted, last_activity_at=e.occurred_at,
                            version=e.originator_version, **changes)

    @handles(Case.Opened)
    def opened(self, e: Any, ctx: Context, rows: Rows) -> None:
        row = rows.put(cases, {
            "id": str(e.originator_id), "tracking_code": e.tracking_code, "customer_id": str(e.customer_id),
            "subject": e.subject, "status": "new", "priority": e.priority, "channel": e.channel, "team": e.team,
            "sla_policy_id": str(e.sla_policy_id) if e.sla_policy_id else None,
            "sla_policy_version": e.sla_policy_version, "opened_at": e.occurred_at,
            "last_activity_at": e.occurred_at, "customer_contacts": 1, "agent_replies": 0, "transfers": 0,
            "reopened": 0, "version": e.originator_version,
        })
        rows.recount((), counted(row))

    @handles(Case.Acknowledged)
    def acknowledged(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._touch(e, rows, acknowledged_at=e.occurred_at)

    @handles(Case.Assigned)
    def assigned(self, e: Any, ctx: Context, rows: Rows) -> None:
        row = rows.get(cases, str(e.originator_id))
        if row:
            self._touch(e, rows, assignee=e.assignee, team=e.team,
                        status="open" if row["status"] == "new" else row["status"])

    @handles(Case.Transferred)
    def transferred(self, e: Any, ctx: Context, rows: Rows) -> None:
        row = rows.get(cases, str(e.originator_id))
        if row:
            self._touch(e, rows, assignee=e.to_assignee, team=e.to_team, transfers=row["transfers"] + 1,
                        status="open" if row["status"] == "new" else row["status"])

    @handles(Case.AgentReplied)
    def agent_replied(self, e: Any, ctx: Context, rows: Rows) -> None:
        row = rows.get(cases, str(e.originator_id))
        if not row:
            return
        if not e.public:
            self._touch(e, rows)
            return
        self._touch(e, rows, agent_replies=row["agent_replies"] + 1,
                    first_response_at=row["first_response_at"] or e.occurred_at,
                    status="open" if row["status"] == "new" else row["status"])

    @handles(Case.CustomerReplied)
    def customer_replied(self, e: Any, ctx: Context, rows: Rows) -> None:
        row = rows.get(cases, str(e.originator_id))
        if row:
            self._touch(e, rows, customer_contacts=row["customer_contacts"] + 1,
                        status="open" if row["status"] == "pending" else row["status"])

    @handles(Case.Pended)
    def pended(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._touch(e, rows, status="pending")

    @handles(Case.Resumed)
    def resumed(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._touch(e, rows, status="open")

    @handles(Case.PriorityChanged)
    def priority_changed(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._touch(e, rows, priority=e.priority)

    @handles(Case.SlaRetargeted)
    def sla_retargeted(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._touch(e, rows, sla_policy_id=str(e.sla_policy_id) if e.sla_policy_id else None,
                    sla_policy_version=e.sla_policy_version)

    @handles(Case.Resolved)
    def resolved(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._touch(e, rows, status="resolved", resolved_at=e.occurred_at)

    @handles(Case.Reopened)
    def reopened(self, e: Any, ctx: Context, rows: Rows) -> None:
        row = rows.get(cases, str(e.originator_id))
        if row:
            self._touch(e, rows, status="open", resolved_at=None, reopened=row["reopened"] + 1)

    @handles(Case.Closed)
    def closed(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._touch(e, rows, status="closed", closed_at=e.occurred_at)

    @handles(Case.SatisfactionRated)
    def rated(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._touch(e, rows, satisfaction=e.score)

    @handles(Customer.Erased)
    def customer_erased(self, e: Any, ctx: Context, rows: Rows) -> None:
        """The customer's personal data, as a rebuild from the now erased events writes it."""
        rewrite(rows, cases, "customer_id", str(e.originator_id), lambda r: {"subject": ERASED})
