"""The sales funnel, now or as of any past instant (business time), from stage history.

A deal counts in stage S at instant D when its stage row for S has
``entered_at <= D < exited_at`` (or no exit yet). Deals recorded without a known date
were opened at the time they were recorded, so they count only from then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from domain.deals.model import LOST, WON
from domain.users.model import as_user_ref
from projections.views.deals import deal_stages, deal_values, deals
from projections.views.directory import pipeline_stages, users

_CENTS = Decimal("0.01")


@dataclass(frozen=True)
class DealFilter:
    owner: str | None = None
    team: str | None = None
    region: str | None = None
    product_id: str | None = None
    opened_since: datetime | None = None
    opened_until: datetime | None = None

    def apply(self, query: sa.Select[Any]) -> sa.Select[Any]:
        """Restrict a query that already joins ``deals`` (and ``users`` when filtering by team/region)."""
        if self.owner:  # as reads show owners (user:<id>), or the bare id
            query = query.where(deals.c.owner == as_user_ref(self.owner))
        if self.product_id:
            query = query.where(deals.c.product_id == self.product_id)
        if self.team or self.region:
            query = query.join(users, deals.c.owner == sa.literal("user:") + users.c.id)
            if self.team:
                query = query.where(users.c.team == self.team)
            if self.region:
                query = query.where(users.c.region == self.region)
        if self.opened_since:
            query = query.where(deals.c.opened_at >= self.opened_since)
        if self.opened_until:
            query = query.where(deals.c.opened_at < self.opened_until)
        return query


def _money(cents: int | None) -> Decimal:
    return (Decimal(cents or 0) / 100).quantize(_CENTS)


def valued_at(as_of: datetime) -> sa.Join:
    """``deal_stages`` joined to ``deals`` and, for each stage row, to the deal's value row valid
    at ``as_of``: what an open stage was worth then (revisions since do not rewrite it)."""
    return deal_stages.join(deals, deals.c.id == deal_stages.c.deal_id).outerjoin(deal_values, sa.and_(
        deal_values.c.deal_id == deal_stages.c.deal_id, deal_values.c.valid_from <= as_of,
        sa.or_(deal_values.c.valid_to.is_(None), deal_values.c.valid_to > as_of)))


def stage_amount() -> sa.ColumnElement[Any]:
    """A stage row's value: Won at the close value, Lost at the value it was lost with, an open
    stage at the value valid at the as-of instant (``valued_at``)."""
    return sa.case((deal_stages.c.stage.in_((WON, LOST)), deal_stages.c.amount),
                   else_=sa.func.coalesce(deal_values.c.amount, deal_stages.c.amount))


def get_funnel(conn: sa.Connection, *, as_of: datetime, where: DealFilter = DealFilter()) -> dict[str, Any]:
    """Stages with count and value, conversion, win rate, won value, cycle and velocity at ``as_of``.

    Every figure is an SQL aggregate over ``deal_stages`` (indexed by stage and entry time),
    so the cost follows the number of deals, never the length of the event log."""
    open_stages = pipeline_stages(conn)
    order = [*open_stages, WON, LOST]
    joined = deal_stages.join(deals, deals.c.id == deal_stages.c.deal_id)
    entered = deal_stages.c.entered_at <= as_of
    in_stage_at = sa.and_(entered, sa.or_(deal_stages.c.exited_at.is_(None), deal_stages.c.exited_at > as_of))

    current = where.apply(
        sa.select(deal_stages.c.stage, sa.func.count(), sa.func.sum(stage_amount(), type_=sa.BigInteger),
                  sa.func.sum(deal_stages.c.cycle_seconds, type_=sa.BigInteger))
        .select_from(valued_at(as_of)).where(in_stage_at)
    ).group_by(deal_stages.c.stage)
    counts: dict[str, tuple[int, Decimal]] = {}
    won_cycle_seconds = 0
    for stage, count, cents, cycles in conn.execute(current):
        counts[stage] = (count, _money(cents))
        if stage == WON:
            won_cycle_seconds = int(cycles or 0)  # PostgreSQL sums bigints as numeric
    stages = [{"name": s, "count": counts.get(s, (0, 0))[0], "value": counts.get(s, (0, _money(0)))[1]}
              for s in order]
    stages += [{"name": s, "count": c, "value": v} for s, (c, v) in counts.items() if s not in order]

    # Per deal, which open stages it reached by as_of and whether it went beyond each: one
    # grouped scan in key order (a correlated EXISTS made SQLite's planner go quadratic).
    flags = []
    for i, stage in enumerate(open_stages):
        beyond = [*open_stages[i + 1:], WON]
        flags.append(sa.func.max(sa.case((deal_stages.c.stage == stage, 1), else_=0)).label(f"r{i}"))
        flags.append(sa.func.max(sa.case((deal_stages.c.stage.in_(beyond), 1), else_=0)).label(f"b{i}"))
    per_deal = where.apply(sa.select(deal_stages.c.deal_id, *flags).select_from(joined).where(entered)) \
        .group_by(deal_stages.c.deal_id).subquery()
    totals = conn.execute(sa.select(*[
        x for i in range(len(open_stages))
        for x in (sa.func.sum(per_deal.c[f"r{i}"]), sa.func.sum(per_deal.c[f"r{i}"] * per_deal.c[f"b{i}"]))
    ])).one() if open_stages else ()
    conversion = []
    for i, stage in enumerate(open_stages):
        n, advanced = int(totals[2 * i] or 0), int(totals[2 * i + 1] or 0)
        conversion.append({"from": stage, "to": [*open_stages[i + 1:], WON][0], "entered": n, "advanced": advanced,
                           "rate": round(advanced / n, 4) if n else None})

    left_by_then = sa.and_(deal_stages.c.exited_at.is_not(None), deal_stages.c.exited_at <= as_of,
                           deal_stages.c.stage.in_(open_stages))
    durations = where.apply(sa.select(deal_stages.c.stage, sa.func.avg(deal_stages.c.seconds_in_stage))
                            .select_from(joined).where(left_by_then)).group_by(deal_stages.c.stage)
    time_in_stage = {stage: round(float(avg) / 86400, 2) for stage, avg in conn.execute(durations) if avg is not None}

    won_count, won_value = counts.get(WON, (0, _money(0)))
    lost_count = counts.get(LOST, (0, 0))[0]
    open_count = sum(counts.get(s, (0, 0))[0] for s in open_stages)
    win_rate = won_count / (won_count + lost_count) if won_count + lost_count else None
    avg_cycle = won_cycle_seconds / won_count / 86400 if won_count else None
    avg_won = won_value / won_count if won_count else None
    velocity = (open_count * float(avg_won) * win_rate / avg_cycle
                if avg_won is not None and win_rate is not None and avg_cycle else None)
    return {
        "as_of": as_of,
        "stages": stages,
        "conversion": conversion,
        "time_in_stage_days": time_in_stage,
        "open_deals": open_count,
        "win_rate": round(win_rate, 4) if win_rate is not None else None,
        "won_value": won_value,
        "avg_cycle_days": round(avg_cycle, 2) if avg_cycle is not None else None,
        "velocity": round(velocity, 2) if velocity is not None else None,
    }


def list_rotting_deals(
    conn: sa.Connection, *, now: datetime, days: int = 30, days_by_stage: dict[str, int] | None = None,
    where: DealFilter = DealFilter(), limit: int = 100,
) -> list[dict[str, Any]]:
    """Open deals with no activity for more than N days (per stage, else ``days``), stalest first."""
    open_stages = pipeline_stages(conn)
    limits = {s: (days_by_stage or {}).get(s, days) for s in open_stages}
    conditions = [sa.and_(deals.c.stage == s, deals.c.last_activity_at < now - timedelta(days=n))
                  for s, n in limits.items()]
    query = where.apply(sa.select(deals).where(sa.or_(*conditions))).order_by(deals.c.last_activity_at).limit(limit)
    return [dict(r) for r in conn.execute(query).mappings()]

