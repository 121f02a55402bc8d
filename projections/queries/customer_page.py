"""The admin panel's customer 360 page: a customer with everything merged into them, the SLA
clocks of their open cases, their promises and deals, the timeline, and possible duplicates.

A merge keeps both histories where they were (each record stays with the customer it was
about), so the survivor's page reads the records of every customer merged into it, however
many merges deep (``merged_ids``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from domain.deals.model import LOST, WON
from domain.personal import ERASED
from domain.values import digits_of
from projections.queries.customers import get_customer
from projections.queries.paging import Page, keyset_page
from projections.queries.records import is_overdue, merged_ids
from projections.queries.sla import _clocks_at, _Terms
from projections.queries.staff import staff_names
from projections.views.cases import ACTIVE, cases
from projections.views.customer360 import (
    NAME_KEY,
    PHONE_DIGITS,
    customer_emails,
    customer_timeline,
    customers,
)
from projections.views.deals import deals
from projections.views.promises import promises

SHOWN = 10  # promises and deals listed on the page: open ones first, then the latest
_STAFF_REF = re.compile(r"user:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")  # in timeline summaries
# "Merged into customer <id>", "Absorbed duplicate customer <id>": read as the other record's name.
_CUSTOMER_REF = re.compile(r"customer ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")
_MERGE_LINES = ("Customer.MergedInto", "Customer.Absorbed")


def get_case_clocks(conn: sa.Connection, case_ids: list[str], now: datetime) -> dict[str, list[dict[str, Any]]]:
    """Per case, its SLA clocks as of ``now`` (status, due, remaining or overrun minutes), computed
    exactly as the breach queries compute them."""
    clocks = _clocks_at(conn, set(case_ids), now, _Terms(conn))
    found: dict[str, list[dict[str, Any]]] = {case_id: [] for case_id in case_ids}
    for (case_id, _, _), clock in sorted(clocks.items()):
        found[case_id].append({
            "target": clock.target, "cycle": clock.cycle, "status": clock.status, "due_at": clock.due_at,
            "breached_at": clock.breached_at, "stopped_at": clock.stopped_at, "minutes": clock.minutes,
            "business_hours": clock.business_hours,
            "remaining_minutes": round(clock.remaining, 1) if clock.remaining is not None else None,
            "overrun_minutes": round(clock.overrun, 1) if clock.overrun is not None else None,
        })
    return found


def get_merged_timeline(conn: sa.Connection, ids: list[str], *, limit: int = 50,
                        cursor: str | None = None) -> Page[dict[str, Any]]:
    """The timeline of these customers together, newest first (business time; log position breaks ties)."""
    query = sa.select(customer_timeline).where(customer_timeline.c.customer_id.in_(ids))
    order = [customer_timeline.c.occurred_at, customer_timeline.c.position]
    return keyset_page(conn, query, order, limit=limit, cursor=cursor, descending=True, tag="customer-page-timeline")


def _named(conn: sa.Connection, lines: list[dict[str, Any]], refs: set[str]) -> dict[str, str]:
    """The names of the staff ``refs`` and of those the timeline ``lines`` name (their actors, and
    "assigned to user:<id>" in a summary, which is rewritten to read as the agent's name). Marks
    each line of a touchpoint retracted since (``retracted``), however far later that came."""
    t = customer_timeline.c
    touched = {line["record_id"] for line in lines if line["event_type"] == "Touchpoint.Recorded"}
    retracted = set(conn.execute(sa.select(t.record_id).where(
        t.customer_id.in_({line["customer_id"] for line in lines}), t.event_type == "Touchpoint.Retracted",
        t.record_id.in_(touched))).scalars()) if touched else set()
    for line in lines:
        line["retracted"] = line["event_type"] == "Touchpoint.Recorded" and line["record_id"] in retracted
    mentioned = {ref for line in lines for ref in _STAFF_REF.findall(line["summary"])}
    names = staff_names(conn, refs | {line["actor"] for line in lines} | mentioned)
    for line in lines:
        line["summary"] = _STAFF_REF.sub(lambda m: names.get(m.group(0), m.group(0)), line["summary"])
    merges = [line for line in lines if line["event_type"] in _MERGE_LINES]
    others = {ref for line in merges for ref in _CUSTOMER_REF.findall(line["summary"])}
    records = {str(r.id): r.name for r in conn.execute(
        sa.select(customers.c.id, customers.c.name).where(customers.c.id.in_(others)))} if others else {}
    for line in merges:
        line["summary"] = _CUSTOMER_REF.sub(lambda m: records.get(m.group(1), m.group(0)), line["summary"])
    return names


def get_case_conversation(conn: sa.Connection, case_id: str, *, limit: int = 500) -> dict[str, Any]:
    """A case's conversation, oldest first: its events and the touchpoints and promises made on it,
    each with its full text (what the customer wrote, replies, notes, handovers), so whoever picks
    the case up reads what was said. ``more``: there are lines after the first ``limit``."""
    t = customer_timeline.c
    rows = [dict(r) for r in conn.execute(sa.select(customer_timeline).where(t.case_id == case_id)
                                          .order_by(t.occurred_at, t.position).limit(limit + 1)).mappings()]
    lines = rows[:limit]
    return {"lines": lines, "names": _named(conn, lines, set()), "more": len(rows) > limit}


def normalised_name(name: str) -> str:
    return " ".join(name.lower().split())


def _sql_name(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """``normalised_name`` in SQL (runs of up to 8 spaces or tabs become one)."""
    column = sa.func.replace(column, "\t", " ")
    for _ in range(3):
        column = sa.func.replace(column, "  ", " ")
    return sa.func.lower(sa.func.trim(column))


def find_duplicates(conn: sa.Connection, customer: dict[str, Any], *, limit: int = 10) -> list[dict[str, Any]]:
    """Other live customers whose email or phone (digits only) is one of this customer's, or with
    the same name (case and spacing aside), each with the reasons it matched. Every contact point
    counts, not only the first of each kind: a survivor of a merge keeps the addresses it took."""
    if customer["name"] == ERASED:  # nobody is the same person as an erased record: it is a tombstone
        return []
    points = customer["contact_points"] or []  # the email and phone columns are the first of these
    emails = {p["value"].lower() for p in points if p["kind"] == "email" and p["value"] != ERASED}
    phones = {d for p in points if p["kind"] in ("phone", "mobile") and len(d := digits_of(p["value"])) >= 6}
    tests: dict[str, sa.ColumnElement[bool]] = {
        "name": _sql_name(customers.c.name) == normalised_name(customer["name"])}
    # Any address of theirs against any of the others' (``customer_emails``), stored lower-case.
    sharing = {str(i) for i in conn.execute(sa.select(customer_emails.c.customer_id)
                                            .where(customer_emails.c.email.in_(sorted(emails)))).scalars()
               } if emails else set()
    if sharing:
        tests["email"] = customers.c.id.in_(sorted(sharing))
    if phones:
        tests["phone"] = PHONE_DIGITS.in_(sorted(phones))
    query = (sa.select(customers.c.id, customers.c.name, customers.c.email, customers.c.phone, customers.c.kind,
                       customers.c.registered_at, customers.c.touches, customers.c.open_cases)
             .where(sa.or_(*tests.values()), customers.c.id != customer["id"], customers.c.merged_into.is_(None),
                    customers.c.name != ERASED)
             .order_by(NAME_KEY.element, customers.c.id).limit(limit))
    found = []
    for row in conn.execute(query).mappings():
        reasons = [reason for reason, matched in (
            ("email", str(row["id"]) in sharing),
            ("phone", digits_of(row["phone"]) in phones),
            ("name", normalised_name(row["name"]) == normalised_name(customer["name"]))) if matched]
        found.append({**row, "reasons": reasons})
    return found


def _first(conn: sa.Connection, table: sa.Table, ids: list[str], closed: sa.ColumnElement[bool],
           when: sa.ColumnElement[Any]) -> tuple[list[dict[str, Any]], int]:
    """The customers' first ``SHOWN`` rows of ``table`` (open ones first, then the latest) and how many there are."""
    mine = table.c.customer_id.in_(ids)
    rows = conn.execute(sa.select(table).where(mine).order_by(closed, when.desc(), table.c.id).limit(SHOWN)).mappings()
    total = conn.execute(sa.select(sa.func.count()).select_from(table).where(mine)).scalar() or 0
    return [dict(r) for r in rows], total


def get_customer_page(conn: sa.Connection, customer_id: str, *, now: datetime, timeline_limit: int = 50,
                      cursor: str | None = None) -> dict[str, Any] | None:
    """Everything the 360 page shows, or None for an unknown customer."""
    summary = get_customer(conn, customer_id)
    if summary is None:
        return None
    ids = merged_ids(conn, customer_id)
    open_cases = [dict(r) for r in conn.execute(
        sa.select(cases).where(cases.c.customer_id.in_(ids), cases.c.status.in_(ACTIVE))
        .order_by(cases.c.opened_at)).mappings()]
    clocks = get_case_clocks(conn, [c["id"] for c in open_cases], now)
    for case in open_cases:
        case["sla"] = clocks[case["id"]]
    customer_promises, promises_total = _first(conn, promises, ids, promises.c.status != "open", promises.c.due_at)
    for promise in customer_promises:
        promise["overdue"] = is_overdue(promise, now)
    customer_deals, deals_total = _first(conn, deals, ids, deals.c.stage.in_((WON, LOST)), deals.c.opened_at)
    absorbed = [dict(r) for r in conn.execute(
        sa.select(customers.c.id, customers.c.name, customers.c.contact_points, customers.c.merged_into)
        .where(customers.c.id.in_(ids[1:])).order_by(NAME_KEY.element)).mappings()]
    survivor = get_customer(conn, summary["merged_into"]) if summary["merged_into"] else None
    timeline = get_merged_timeline(conn, ids, limit=timeline_limit, cursor=cursor)
    names = _named(conn, timeline.items, {c["assignee"] for c in open_cases} | {p["owner"] for p in customer_promises}
                   | {d["owner"] for d in customer_deals})
    return {
        "customer": summary, "merged_ids": ids, "absorbed": absorbed, "survivor": survivor,
        "open_cases": open_cases, "promises": customer_promises, "promises_total": promises_total,
        "deals": customer_deals, "deals_total": deals_total,
        "names": names,
        "timeline": timeline,
        "duplicates": [] if summary["merged_into"] else find_duplicates(conn, summary),
    }
