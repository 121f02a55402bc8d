"""Touchpoints as listed and searched, corrections applied, retractions flagged."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from domain.customers.model import Customer
from domain.personal import ERASED
from domain.touchpoints.model import Touchpoint
from projections.crypto_scrub import delete_where, rewrite
from projections.projection import Context, Projection, handles
from projections.rows import Counted, Rows
from projections.schema import Id, UTCDateTime, metadata
from projections.views.periods import DAY_SECONDS, day_of, periods_of

touchpoints = sa.Table(
    "touchpoints", metadata,
    sa.Column("id", Id(), primary_key=True),
    sa.Column("customer_id", Id(), nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("direction", sa.String(10), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("subject", sa.String(300), nullable=False),
    # Normalised subject: repeat-contact detection compares these.
    sa.Column("topic", sa.String(300), nullable=False),
    sa.Column("occurred_at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("case_id", Id(), index=True),
    sa.Column("deal_id", Id()),
    sa.Column("promise_id", Id()),
    sa.Column("retracted", sa.Boolean, nullable=False, default=False),
    # Inbound only: seconds since the customer's previous inbound contact about the same case
    # or topic (None when there was none); "repeat within N days" is gap <= N days.
    sa.Column("repeat_gap_seconds", sa.BigInteger),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Index("ix_touchpoints_customer_time", "customer_id", "occurred_at"),
    # The API's repeat-contact list, newest first (projections/queries/service.py).
    sa.Index("ix_touchpoints_time", "occurred_at", "id"),
    # Contact rates since an instant off midnight count that day's inbound rows from here alone
    # (projections/queries/service.py): no table row is read, however busy the day.
    sa.Index("ix_touchpoints_inbound_time", "direction", "occurred_at", "retracted", "repeat_gap_seconds"),
)

# The latest inbound contact per customer and thread ("case:<id>" or "topic:<topic>").
touch_threads = sa.Table(
    "touch_threads", metadata,
    sa.Column("key", sa.String(400), primary_key=True),
    sa.Column("last_inbound_at", UTCDateTime, nullable=False),
)

# Inbound contacts not retracted, counted per UTC day, month and year (``projections.views.periods``)
# for the contact rates (projections/queries/service.py). Node 0 counts them all; nodes
# 1..GAP_NODES are a Fenwick tree over gap_days + 1 (gap_days = ceil(repeat_gap_seconds / 1 day),
# at most MAX_GAP_DAYS), so the repeats within any 1..365 days are the sum of at most 9 nodes a
# period: the rows read follow the calendar, not the contacts (a histogram by gap would grow toward
# 367 rows a period).
inbound_days = sa.Table(
    "inbound_days", metadata,
    sa.Column("node", sa.Integer, primary_key=True),  # first: each node's periods of a unit are one index range
    sa.Column("unit", sa.Integer, primary_key=True),
    sa.Column("day", sa.Integer, primary_key=True),  # the period's first day
    sa.Column("contacts", sa.Integer, nullable=False),
)
MAX_GAP_DAYS = 366  # "repeat within N days" (gap <= N days) is gap_days <= N, exact for N < MAX_GAP_DAYS
GAP_NODES = MAX_GAP_DAYS + 1


def gap_nodes(gap_seconds: int) -> tuple[int, ...]:
    """The Fenwick nodes a repeat with this gap counts in."""
    return _nodes_from(min(-(-gap_seconds // DAY_SECONDS), MAX_GAP_DAYS) + 1)


@lru_cache(maxsize=GAP_NODES)
def _nodes_from(i: int) -> tuple[int, ...]:
    nodes = []
    while i <= GAP_NODES:
        nodes.append(i)
        i += i & -i
    return tuple(nodes)


def within_nodes(within_days: int) -> list[int]:
    """The Fenwick nodes whose sum is the repeats with gap_days <= ``within_days``."""
    i, nodes = within_days + 1, []
    while i > 0:
        nodes.append(i)
        i -= i & -i
    return nodes


def counted(row: dict[str, Any]) -> Counted:
    """What a touchpoint row counts for in ``inbound_days``."""
    if row["direction"] != "inbound" or row["retracted"]:
        return ()
    periods, gap = periods_of(day_of(row["occurred_at"])), row["repeat_gap_seconds"]
    return tuple((inbound_days, (node, unit, day), {"contacts": 1})
                 for node in [0, *(gap_nodes(gap) if gap is not None else ())] for unit, day in periods)


_REPLY_PREFIXES = re.compile(r"^(?:(?:re|fwd?|aw|sv)\s*:\s*)+")
_NOT_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=4096)  # subjects recur (and prefetch and handler both ask): two regex passes saved
def topic_of(subject: str) -> str:
    """``"RE: Fwd: Printer broken!"`` -> ``"printer broken"``."""
    return _NOT_WORD.sub(" ", _REPLY_PREFIXES.sub("", subject.lower().strip())).strip()


class TouchpointsProjection(Projection):
    name = "touchpoints"
    version = 3  # 2: inbound_days; 3: per month and year too
    tables = (touchpoints, touch_threads, inbound_days)
    write_mostly = (touchpoints,)

    @staticmethod
    def _threads(e: Any, topic: str) -> list[str]:
        keys = [f"{e.customer_id}|topic:{topic}"]
        if e.case_id:
            keys.append(f"{e.customer_id}|case:{e.case_id}")
        return keys

    def prefetch(self, events: list[Any], rows: Rows) -> None:
        rows.prefetch(touch_threads, {k for e in events if isinstance(e, Touchpoint.Recorded)
                                      and e.direction == "inbound" for k in self._threads(e, topic_of(e.subject))})
        rows.prefetch(touchpoints, {str(e.originator_id) for e in events if not isinstance(e, Touchpoint.Recorded)})

    def _repeat_gap(self, e: Any, topic: str, rows: Rows) -> int | None:
        if e.direction != "inbound" or e.subject == ERASED:
            return None
        gap = None
        for key in self._threads(e, topic):
            thread = rows.get(touch_threads, key)
            if thread and thread["last_inbound_at"] <= e.occurred_at:
                seconds = int((e.occurred_at - thread["last_inbound_at"]).total_seconds())
                gap = seconds if gap is None else min(gap, seconds)
            if thread is None or thread["last_inbound_at"] < e.occurred_at:
                rows.put(touch_threads, {"key": key, "last_inbound_at": e.occurred_at})
        return gap

    @handles(Touchpoint.Recorded)
    def recorded(self, e: Any, ctx: Context, rows: Rows) -> None:
        topic = topic_of(e.subject)
        row = rows.put(touchpoints, {
            "id": str(e.originator_id), "customer_id": str(e.customer_id), "channel": e.channel,
            "direction": e.direction, "kind": e.kind, "subject": e.subject, "topic": topic,
            "occurred_at": e.occurred_at, "actor": e.actor,
            "case_id": str(e.case_id) if e.case_id else None, "deal_id": str(e.deal_id) if e.deal_id else None,
            "promise_id": str(e.promise_id) if e.promise_id else None, "retracted": False,
            "repeat_gap_seconds": self._repeat_gap(e, topic, rows), "version": e.originator_version,
        })
        rows.recount((), counted(row))

    @handles(Touchpoint.Corrected)
    def corrected(self, e: Any, ctx: Context, rows: Rows) -> None:
        changes = dict(e.changes)
        if "subject" in changes:
            changes["topic"] = topic_of(changes["subject"])
        changes.pop("summary", None)
        rows.update_counted(touchpoints, str(e.originator_id), counted, version=e.originator_version, **changes)

    @handles(Touchpoint.Retracted)
    def retracted(self, e: Any, ctx: Context, rows: Rows) -> None:
        rows.update_counted(touchpoints, str(e.originator_id), counted, retracted=True, version=e.originator_version)

    @handles(Customer.Erased)
    def customer_erased(self, e: Any, ctx: Context, rows: Rows) -> None:
        """An erased subject has no topic to compare: its touchpoints leave the repeat-contact
        threads, as a rebuild from their erased events leaves them (``recorded``)."""
        customer_id = str(e.originator_id)

        def erase(row: dict[str, Any]) -> dict[str, Any]:
            changes = {"subject": ERASED, "topic": topic_of(ERASED), "repeat_gap_seconds": None}
            rows.recount(counted(row), counted({**row, **changes}))
            return changes

        rewrite(rows, touchpoints, "customer_id", customer_id, erase)
        delete_where(rows, touch_threads, touch_threads.c.key.startswith(f"{customer_id}|"),
                     lambda r: str(r["key"]).startswith(f"{customer_id}|"))
