"""The weighted forecast: open deals' value x their stage's win probability, by expected close month.

A stage's probability is the one an admin set for it, else what the pipeline's own history says:
of the deals that passed through the stage and were closed by then, the share won. Like the
funnel, it can be read "as of" any past instant: the stages, values and close dates valid then.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import sqlalchemy as sa

from domain.deals.model import LOST, WON
from projections.queries.funnel import DealFilter, stage_amount, valued_at
from projections.views.deals import deal_stages, deal_values
from projections.views.directory import pipeline_probabilities, pipeline_stages

_CENTS = Decimal("0.01")


def _money(cents: Decimal | int) -> Decimal:
    return (Decimal(cents) / 100).quantize(_CENTS, rounding=ROUND_HALF_EVEN)


def _in_stage_at(as_of: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(deal_stages.c.entered_at <= as_of,
                   sa.or_(deal_stages.c.exited_at.is_(None), deal_stages.c.exited_at > as_of))


def historical_win_rates(conn: sa.Connection, stages: list[str], as_of: datetime) -> dict[str, tuple[float, int]]:
    """Per open stage: (share won, deals closed) among the deals that had entered it and were won
    or lost at ``as_of``; a stage none of whose deals had closed is left out. Whole pipeline, not a
    filter's slice: one owner's few closed deals would make a noisy probability."""
    if not stages:
        return {}
    closed_at_then = sa.and_(_in_stage_at(as_of), deal_stages.c.stage.in_((WON, LOST)))
    flags = [sa.func.max(sa.case((deal_stages.c.stage == s, 1), else_=0)).label(f"r{i}") for i, s in enumerate(stages)]
    per_deal = sa.select(
        *flags,
        sa.func.max(sa.case((sa.and_(closed_at_then, deal_stages.c.stage == WON), 1), else_=0)).label("won"),
        sa.func.max(sa.case((closed_at_then, 1), else_=0)).label("closed"),
    ).where(deal_stages.c.entered_at <= as_of).group_by(deal_stages.c.deal_id).subquery()
    totals = conn.execute(sa.select(*[
        x for i in range(len(stages))
        for x in (sa.func.sum(per_deal.c[f"r{i}"] * per_deal.c.won), sa.func.sum(per_deal.c[f"r{i}"] * per_deal.c.closed))
    ])).one()
    rates = {}
    for i, stage in enumerate(stages):
        won, closed = int(totals[2 * i] or 0), int(totals[2 * i + 1] or 0)
        if closed:
            rates[stage] = (round(won / closed, 4), closed)  # as the forecast reports it, on every page alike
    return rates


def _bucket() -> dict[str, Any]:
    return {"open_deals": 0, "value": Decimal(0), "weighted_value": Decimal(0)}


def _add(bucket: dict[str, Any], count: int, cents: int, probability: float | None) -> None:
    bucket["open_deals"] += count
    bucket["value"] += cents
    bucket["weighted_value"] += Decimal(cents) * Decimal(str(probability or 0))


def _finish(bucket: dict[str, Any]) -> dict[str, Any]:
    return {**bucket, "value": _money(bucket["value"]), "weighted_value": _money(bucket["weighted_value"])}


def get_forecast(conn: sa.Connection, *, as_of: datetime, where: DealFilter | None = None,
                 day: date | None = None) -> dict[str, Any]:
    """Open deals at ``as_of`` by stage and by expected close month, each with its value and its
    value weighted by the stage's win probability. Deals whose expected close day was before
    ``day`` (the as-of day as the reader counts days; default: ``as_of``'s UTC date) are counted
    apart (``close_date_passed``): they slipped, and a forecast that put them in a past month
    would hide it."""
    stages = pipeline_stages(conn)
    set_by_admin = pipeline_probabilities(conn)
    history = historical_win_rates(conn, [s for s in stages if s not in set_by_admin], as_of)
    rows = conn.execute((where or DealFilter()).apply(
        sa.select(deal_stages.c.stage, deal_values.c.expected_close_on, sa.func.count(),
                  sa.func.sum(stage_amount(), type_=sa.BigInteger))
        .select_from(valued_at(as_of))
        .where(_in_stage_at(as_of), deal_stages.c.stage.not_in((WON, LOST)))
    ).group_by(deal_stages.c.stage, deal_values.c.expected_close_on)).all()

    def probability(stage: str) -> tuple[float | None, str, int | None]:
        if stage in set_by_admin:
            return set_by_admin[stage] / 100, "set", None
        if stage in history:
            rate, closed = history[stage]
            return rate, "history", closed
        return None, "none", None

    by_stage: dict[str, dict[str, Any]] = {s: _bucket() for s in stages}
    by_month: dict[str, dict[str, Any]] = defaultdict(_bucket)
    passed, undated, total = _bucket(), _bucket(), _bucket()
    today = day or as_of.date()
    for stage, close_on, count, cents in rows:
        p = probability(stage)[0]
        cents = int(cents or 0)
        _add(by_stage.setdefault(stage, _bucket()), count, cents, p)  # a removed stage that still holds deals
        _add(total, count, cents, p)
        if close_on is None:
            _add(undated, count, cents, p)
        elif close_on < today:
            _add(passed, count, cents, p)
        else:
            _add(by_month[f"{close_on:%Y-%m}"], count, cents, p)
    return {
        "as_of": as_of,
        "stages": [{"name": s, **_finish(b), **dict(zip(("probability", "probability_source", "closed_deals"),
                                                          probability(s)))}
                   for s, b in by_stage.items()],
        "by_close_month": [{"month": m, **_finish(by_month[m])} for m in sorted(by_month)],
        "close_date_passed": _finish(passed),
        "no_close_date": _finish(undated),
        **_finish(total),
    }

