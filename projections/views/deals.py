"""Deals and their stage history (entered/exited per stage, in business time).

The funnel "as of" any date is computed from ``deal_stages``, never from snapshots:
a deal was in stage S at D when S's row has ``entered_at <= D < exited_at``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from domain.customers.model import Customer
from domain.deals.model import Deal
from domain.personal import ERASED
from domain.touchpoints.model import Touchpoint
from domain.users.model import as_user_ref
from projections.crypto_scrub import rewrite
from projections.projection import Context, Projection, handles
from projections.rows import Rows
from projections.schema import Id, Money, UTCDateTime, metadata

deals = sa.Table(
    "deals", metadata,
    sa.Column("id", Id(), primary_key=True),
    sa.Column("customer_id", Id(), index=True),
    sa.Column("product_id", Id(), index=True),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("value", Money, nullable=False),
    sa.Column("owner", sa.String(200), nullable=False, index=True),
    sa.Column("stage", sa.String(60), nullable=False, index=True),
    sa.Column("opened_at", UTCDateTime, nullable=False),
    sa.Column("stage_entered_at", UTCDateTime, nullable=False),
    sa.Column("closed_at", UTCDateTime),
    sa.Column("close_value", Money),
    sa.Column("lost_reason", sa.String(1000)),
    sa.Column("last_activity_at", UTCDateTime, nullable=False),
    sa.Column("stage_count", sa.Integer, nullable=False, default=0),
    sa.Column("external_ref", sa.String(200)),
    sa.Column("expected_close_on", sa.Date),
    sa.Column("value_count", sa.Integer, nullable=False, default=0),  # rows in deal_values
    sa.Column("version", sa.Integer, nullable=False),  # the aggregate's: what If-Match names
    # The API's sort keys (projections/queries/records.py): pages read in index order.
    sa.Index("ix_deals_opened", "opened_at", "id"),
    sa.Index("ix_deals_value", "value", "id"),
    sa.Index("ix_deals_closed", "closed_at", "id"),
    sa.Index("ix_deals_customer_opened", "customer_id", "opened_at", "id"),  # a customer's newest deals
)

deal_stages = sa.Table(
    "deal_stages", metadata,
    sa.Column("deal_id", Id(), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("stage", sa.String(60), nullable=False),
    sa.Column("entered_at", UTCDateTime, nullable=False),
    sa.Column("exited_at", UTCDateTime),
    # The deal's value while in this stage: the close value for Won, else the list value.
    sa.Column("amount", Money, nullable=False),
    # Set when the stage is left: time spent in it. On Won rows: opening to winning (the cycle).
    # Stored as numbers so the funnel aggregates in SQL, alike on SQLite and PostgreSQL.
    sa.Column("seconds_in_stage", sa.BigInteger),
    sa.Column("cycle_seconds", sa.BigInteger),
    sa.Index("ix_deal_stages_stage_entered", "stage", "entered_at"),
)

# The deal's value and expected close date over time: one row from its opening, one more per
# revision, valid from then until the next (``valid_to``). An open stage's value "as of" a date
# is the value valid then, so a revision never rewrites an earlier funnel or forecast.
deal_values = sa.Table(
    "deal_values", metadata,
    sa.Column("deal_id", Id(), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("valid_from", UTCDateTime, nullable=False),
    sa.Column("valid_to", UTCDateTime),
    sa.Column("amount", Money, nullable=False),
    sa.Column("expected_close_on", sa.Date),
)


def _day(iso: str | None) -> date | None:
    return date.fromisoformat(iso) if iso else None


class DealsProjection(Projection):
    name = "deals"
    version = 5  # 2: seconds_in_stage and cycle_seconds on stage rows; 3: the deal's version; 4: titles erased,
    # every owner as user:<id>; 5: values and expected close dates over time
    tables = (deals, deal_stages, deal_values)

    def prefetch(self, events: list[Any], rows: Rows) -> None:
        rows.prefetch(deals, self.ids([e for e in events if not isinstance(e, Touchpoint.Recorded)], "originator_id")
                      | self.ids(events, "deal_id"))

    def _enter(self, rows: Rows, deal: dict[str, Any], stage: str, at: Any, amount: Any = None) -> None:
        if deal["stage_count"]:
            # The deal row knows when its current stage began: no read of the stage row needed.
            rows.patch(deal_stages, (deal["id"], deal["stage_count"]), exited_at=at,
                        seconds_in_stage=int((at - deal["stage_entered_at"]).total_seconds()))
        seq = deal["stage_count"] + 1
        rows.put(deal_stages, {"deal_id": deal["id"], "seq": seq, "stage": stage, "entered_at": at,
                               "amount": deal["value"] if amount is None else amount,
                               "cycle_seconds": int((at - deal["opened_at"]).total_seconds())
                               if stage == "Won" else None})
        rows.update(deals, deal["id"], stage=stage, stage_entered_at=at, stage_count=seq, last_activity_at=at)

    def _value(self, rows: Rows, deal: dict[str, Any], at: Any, amount: Any, close_on: date | None) -> None:
        if deal["value_count"]:
            rows.patch(deal_values, (deal["id"], deal["value_count"]), valid_to=at)
        seq = deal["value_count"] + 1
        rows.put(deal_values, {"deal_id": deal["id"], "seq": seq, "valid_from": at, "amount": amount,
                               "expected_close_on": close_on})
        rows.update(deals, deal["id"], value=amount, expected_close_on=close_on, value_count=seq)

    @handles(Customer.Erased)
    def customer_erased(self, e: Any, ctx: Context, rows: Rows) -> None:
        """The titles of the customer's deals (personal), as a rebuild from the erased events writes them."""
        rewrite(rows, deals, "customer_id", str(e.originator_id), lambda r: {"title": ERASED})

    @handles(Deal.Opened)
    def opened(self, e: Any, ctx: Context, rows: Rows) -> None:
        deal = rows.put(deals, {
            "id": str(e.originator_id), "customer_id": str(e.customer_id) if e.customer_id else None,
            "product_id": str(e.product_id) if e.product_id else None, "title": e.title, "value": e.value,
            # Imported deals named their owner by the bare id: every owner reads as user:<id>.
            "owner": as_user_ref(e.owner), "stage": e.stage, "opened_at": e.occurred_at,
            "stage_entered_at": e.occurred_at,
            "last_activity_at": e.occurred_at, "stage_count": 0, "external_ref": e.external_ref,
            "value_count": 0, "version": e.originator_version,
        })
        self._value(rows, deal, e.occurred_at, e.value, _day(e.expected_close_on))
        self._enter(rows, deal, e.stage, e.occurred_at)

    @handles(Deal.Revised)
    def revised(self, e: Any, ctx: Context, rows: Rows) -> None:
        deal = rows.get(deals, str(e.originator_id))
        if deal:
            self._value(rows, deal, e.occurred_at, e.value, _day(e.expected_close_on))
            rows.update(deals, deal["id"], last_activity_at=max(deal["last_activity_at"], e.occurred_at),
                        version=e.originator_version)

    @handles(Deal.HandedOver)
    def handed_over(self, e: Any, ctx: Context, rows: Rows) -> None:
        if rows.get(deals, str(e.originator_id)):
            rows.update(deals, str(e.originator_id), owner=as_user_ref(e.owner), version=e.originator_version)

    @handles(Deal.StageChanged)
    def stage_changed(self, e: Any, ctx: Context, rows: Rows) -> None:
        deal = rows.get(deals, str(e.originator_id))
        if deal:
            self._enter(rows, deal, e.to_stage, e.occurred_at)
            rows.update(deals, deal["id"], version=e.originator_version)

    @handles(Deal.Won, Deal.Lost)
    def closed(self, e: Any, ctx: Context, rows: Rows) -> None:
        deal = rows.get(deals, str(e.originator_id))
        if not deal:
            return
        won = isinstance(e, Deal.Won)
        self._enter(rows, deal, "Won" if won else "Lost", e.occurred_at, e.close_value if won else None)
        rows.update(deals, deal["id"], closed_at=e.occurred_at, close_value=e.close_value if won else 0,
                    lost_reason=None if won else e.reason, version=e.originator_version)

    @handles(Deal.Reopened)
    def reopened(self, e: Any, ctx: Context, rows: Rows) -> None:
        deal = rows.get(deals, str(e.originator_id))
        if deal:
            self._enter(rows, deal, e.to_stage, e.occurred_at)
            rows.update(deals, deal["id"], closed_at=None, close_value=None, lost_reason=None,
                        version=e.originator_version)

    @handles(Touchpoint.Recorded)
    def touched(self, e: Any, ctx: Context, rows: Rows) -> None:
        if e.deal_id is None:
            return
        deal = rows.get(deals, str(e.deal_id))
        if deal and e.occurred_at > deal["last_activity_at"]:
            rows.update(deals, deal["id"], last_activity_at=e.occurred_at)
