"""The customer 360: a summary row per customer and their timeline in business-time order.

Events of cases, promises and deals do not all carry the customer id, so the projection
keeps its own ``customer_links`` (record id -> customer, current state): a projection
reads only its own tables, so it can be rebuilt alone.

Merges: the survivor's summary absorbs the duplicate's figures when the merge happens, and
later events about the duplicate's records count for the survivor (``_account`` follows
``merged_into``). Timeline lines stay under the customer they were about, so both histories
are kept; the survivor's 360 reads its own lines and those of the customers merged into it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domain.cases.model import Case
from domain.customers.model import Customer
from domain.deals.model import Deal
from domain.personal import ERASED
from domain.promises.model import Promise
from domain.touchpoints.model import Touchpoint
from projections.crypto_scrub import delete_where, rewrite
from projections.projection import Context, Projection, handles
from projections.rows import Rows
from projections.schema import Id, Money, Position, UTCDateTime, metadata
from projections.views.cases import ACTIVE
from projections.views.customer_merge import fold_figures
from projections.views.timeline_text import describe, detail, erased_line
from projections.views.touch_figures import latest, with_touch, without_touch

customers = sa.Table(
    "customers", metadata,
    sa.Column("id", Id(), primary_key=True),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("name", sa.String(300), nullable=False, index=True),
    sa.Column("email", sa.String(500), index=True),
    sa.Column("phone", sa.String(500)),
    sa.Column("contact_points", sa.JSON, nullable=False),
    sa.Column("segment", sa.JSON, nullable=False),
    sa.Column("sector", sa.String(100), index=True),
    sa.Column("size", sa.String(50)),
    sa.Column("location", sa.String(100)),
    sa.Column("consents", sa.JSON, nullable=False),
    sa.Column("merged_into", Id(), index=True),
    sa.Column("external_ref", sa.String(200), index=True),  # the sending system's id (an integrator's lookup)
    sa.Column("registered_at", UTCDateTime, nullable=False),
    sa.Column("first_touch_at", UTCDateTime),
    sa.Column("last_touch_at", UTCDateTime, index=True),
    # Latest business time of anything with the customer: touchpoints, cases, deals.
    sa.Column("last_contact_at", UTCDateTime),
    sa.Column("last_record_at", UTCDateTime),  # ...of a case, promise or deal event (not a touchpoint)
    sa.Column("recent_touches", sa.JSON),  # the latest touches, for retractions (``touch_figures``)
    sa.Column("touches", sa.Integer, nullable=False, default=0),
    sa.Column("touches_by_channel", sa.JSON, nullable=False),
    sa.Column("open_cases", sa.Integer, nullable=False, default=0),
    sa.Column("cases_total", sa.Integer, nullable=False, default=0),
    sa.Column("open_promises", sa.Integer, nullable=False, default=0),
    sa.Column("deals_by_stage", sa.JSON, nullable=False),
    sa.Column("won_value", Money, nullable=False, default=0),
    sa.Column("csat_sum", sa.Integer, nullable=False, default=0),
    sa.Column("csat_count", sa.Integer, nullable=False, default=0),
    sa.Column("version", sa.Integer, nullable=False),
    # The API's sort keys (projections/queries/customers.py): pages read in index order.
    sa.Index("ix_customers_registered", "registered_at", "id"),
    sa.Index("ix_customers_last_contact", "last_contact_at", "id"),
    sa.Index("ix_customers_won_value", "won_value", "id"),
)
# Names sort regardless of case ("acme" among the A's, not after "Zeta"); created on existing
# databases by ``ensure_indexes``, no rebuild.
NAME_KEY = sa.func.lower(customers.c.name, type_=sa.String(300)).label("name_key")
sa.Index("ix_customers_name_key", NAME_KEY.element, customers.c.id)


def phone_digits(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """A phone number's digits in SQL ("+1 (555) 010-2030" -> "15550102030"): the punctuation
    ``domain.values.phone_number`` allows, removed."""
    for char in " -()+./":
        column = sa.func.replace(column, char, "")
    return column


PHONE_DIGITS = phone_digits(customers.c.phone)  # ``domain.values.digits_of`` in SQL


sa.Index("ix_customers_phone_digits", PHONE_DIGITS)  # a caller's number finds them (telephony lookups)

customer_timeline = sa.Table(
    "customer_timeline", metadata,
    sa.Column("position", Position(), primary_key=True, autoincrement=False),
    sa.Column("customer_id", Id(), nullable=False),
    sa.Column("occurred_at", UTCDateTime, nullable=False),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    sa.Column("event_type", sa.String(60), nullable=False),
    sa.Column("channel", sa.String(20)),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("summary", sa.String(500), nullable=False),
    sa.Column("detail", sa.Text),  # the full text the event carries (``timeline_text.detail``)
    sa.Column("record_id", Id(), nullable=False),
    sa.Column("case_id", Id()),  # the case the event is part of: its conversation
    sa.Index("ix_customer_timeline_customer_time", "customer_id", "occurred_at", "position"),
    sa.Index("ix_customer_timeline_case_time", "case_id", "occurred_at", "position"),
)

# Every email address of every customer (the row above holds the first): who writes from any of
# them is that customer (mail, the public forms, imports: ``queries.public.find_customers_by_email``).
customer_emails = sa.Table(
    "customer_emails", metadata,
    sa.Column("customer_id", Id(), primary_key=True),
    sa.Column("email", sa.String(254), primary_key=True),
    sa.Index("ix_customer_emails_email", "email"),
)

# Every id other systems know a customer by: the one registered with, and those linked later
# (``Customer.ExternalRefLinked``, an import that found them by address).
customer_refs = sa.Table(
    "customer_refs", metadata,
    sa.Column("customer_id", Id(), primary_key=True),
    sa.Column("external_ref", sa.String(200), primary_key=True),
    sa.Index("ix_customer_refs_external_ref", "external_ref"),
)

customer_links = sa.Table(
    "customer_links", metadata,
    sa.Column("record_id", Id(), primary_key=True),
    sa.Column("customer_id", Id(), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("state", sa.String(60), nullable=False),
    sa.Column("label", sa.String(60)),
    sa.Column("channel", sa.String(20)),
    sa.Column("amount", Money),
)

_KINDS: dict[type[Any], str] = {}  # event class -> "customer", "touchpoint" or "linked" (cases, promises, deals)


def _kind_of(event_class: type[Any]) -> str:
    name = event_class.__qualname__
    kind = "customer" if name.startswith("Customer.") else "touchpoint" if name.startswith("Touchpoint.") else "linked"
    _KINDS[event_class] = kind
    return kind


def _case_of(e: Any) -> str | None:
    """The case a touchpoint or promise event names, if any."""
    case_id = getattr(e, "case_id", None)
    return str(case_id) if case_id else None


FIGURES = ("touches", "touches_by_channel", "open_cases", "cases_total", "open_promises", "deals_by_stage",
           "won_value", "csat_sum", "csat_count", "recent_touches", "first_touch_at", "last_touch_at",
           "last_contact_at", "last_record_at")


def new_figures() -> dict[str, Any]:
    """A customer's figures as they start (a registration, or a placeholder for one still to come)."""
    return {"touches": 0, "touches_by_channel": {}, "open_cases": 0, "cases_total": 0, "open_promises": 0,
            "deals_by_stage": {}, "won_value": 0, "csat_sum": 0, "csat_count": 0, "recent_touches": [],
            "first_touch_at": None, "last_touch_at": None, "last_contact_at": None, "last_record_at": None}


class Customer360Projection(Projection):
    name = "customer360"
    # 2: merges fold the duplicate's figures into the survivor; 3: surveys and win-back offers on
    # the timeline (and the row's version follows them), INTEGER positions on SQLite; 4: the
    # timeline's full texts and case (a case's conversation); 5: retractions taken back; 6: deal
    # titles are personal (erased customers' "Deal opened" lines), the customer's external_ref; 7: reasons for
    # reopening, rescheduling, cancelling and retracting are personal (erased with the customer)
    # 8: figures of what the log holds before the customer's registration (``_figures``)
    # 9: every email address of a customer (``customer_emails``), not only the first; every external id
    # (``customer_refs``); a segment and external ids are personal (erased with the customer)
    version = 9
    tables = (customers, customer_timeline, customer_links, customer_emails, customer_refs)

    def prefetch(self, events: list[Any], rows: Rows) -> None:
        # One pass over the batch (this runs for nearly every event of the log): a customer's own
        # events name it, touchpoints carry it, other records reach it through their link.
        linked, customer_ids = set(), set()
        for e in events:
            kind = _KINDS.get(type(e)) or _kind_of(type(e))
            if kind == "linked":
                linked.add(str(e.originator_id))
            elif kind == "customer":
                customer_ids.add(str(e.originator_id))
            if (customer_id := getattr(e, "customer_id", None)) is not None:
                customer_ids.add(str(customer_id))
        rows.prefetch(customer_links, linked)
        customer_ids |= {link["customer_id"] for record_id in linked if (link := rows.get(customer_links, record_id))}
        rows.prefetch(customers, customer_ids)

    @staticmethod
    def _account(rows: Rows, customer_id: str) -> dict[str, Any] | None:
        """The row whose figures count for ``customer_id``: its own, or its survivor's once merged."""
        row = rows.get(customers, customer_id)
        while row is not None and row["merged_into"] is not None:
            row = rows.get(customers, row["merged_into"])
        return row

    def _line(self, rows: Rows, e: Any, ctx: Context, customer_id: str, channel: str | None = None,
              code: str | None = None) -> None:
        if not type(e).__qualname__.startswith(("Customer.", "Touchpoint.")):  # touches: ``touch_figures``
            row = self._account(rows, customer_id)
            if row and (row["last_record_at"] is None or row["last_record_at"] < e.occurred_at):
                rows.update(customers, row["id"], last_record_at=e.occurred_at,
                            last_contact_at=latest(row["last_contact_at"], e.occurred_at))
        rows.append(customer_timeline, {
            "position": ctx.position, "customer_id": customer_id, "occurred_at": e.occurred_at,
            "recorded_at": ctx.recorded_at, "event_type": type(e).__qualname__, "channel": channel,
            "actor": e.actor, "summary": describe(e, code), "detail": detail(e), "record_id": str(e.originator_id),
            "case_id": str(e.originator_id) if isinstance(e, Case.Event) else _case_of(e),
        })

    def _customer(self, rows: Rows, customer_id: str, e: Any, **changes: Any) -> dict[str, Any] | None:
        row = rows.get(customers, customer_id)
        if row is None:
            return None
        return rows.update(customers, customer_id, **changes)

    def _link(self, rows: Rows, e: Any) -> dict[str, Any] | None:
        return rows.get(customer_links, str(e.originator_id))

    # Customers ----------------------------------------------------------------------
    @staticmethod
    def _contacts(points: list[dict[str, str]]) -> dict[str, Any]:
        first = {k: next((p["value"] for p in points if p["kind"] in k), None) for k in (("email",), ("phone", "mobile"))}
        return {"contact_points": points, "email": first[("email",)], "phone": first[("phone", "mobile")]}

    @staticmethod
    def _segment(segment: dict[str, str] | str) -> dict[str, Any]:
        segment = segment if isinstance(segment, dict) else {}  # "[erased]": the attributes were the person's
        return {"segment": segment, "sector": segment.get("sector"), "size": segment.get("size"),
                "location": segment.get("location")}

    @staticmethod
    def _emails(rows: Rows, customer_id: str, before: list[dict[str, str]], after: list[dict[str, str]]) -> None:
        """Keep ``customer_emails`` to the addresses of ``after`` (the points were ``before``)."""
        def addresses(points: list[dict[str, str]]) -> set[str]:
            return {p["value"] for p in points if p["kind"] == "email" and p["value"] != ERASED}
        old, new = addresses(before), addresses(after)
        for email in old - new:
            rows.delete(customer_emails, (customer_id, email))
        for email in sorted(new - old):
            rows.put(customer_emails, {"customer_id": customer_id, "email": email})

    @handles(Customer.Registered)
    def registered(self, e: Any, ctx: Context, rows: Rows) -> None:
        early = rows.get(customers, str(e.originator_id))  # a placeholder holding what came first (``_figures``)
        self._emails(rows, str(e.originator_id), [], e.contact_points)
        if e.external_ref and e.external_ref != ERASED:
            rows.put(customer_refs, {"customer_id": str(e.originator_id), "external_ref": e.external_ref})
        rows.put(customers, {
            "id": str(e.originator_id), "kind": e.customer_kind, "name": e.name, **self._contacts(e.contact_points),
            **self._segment(e.segment), "consents": {}, "external_ref": e.external_ref,
            "registered_at": e.occurred_at, **({k: early[k] for k in FIGURES} if early else new_figures()),
            "version": e.originator_version,
        })
        self._line(rows, e, ctx, str(e.originator_id))

    def _figures(self, rows: Rows, customer_id: str, e: Any) -> dict[str, Any]:
        """The row whose figures count for ``customer_id``; for a customer the log has not registered
        yet, a placeholder (version 0) that their registration takes the figures from. Logs written
        before 2026-12-05 have a first case or callback (and its touchpoint) before the registration
        saved with it, in one transaction: without it their counts were lost, or went negative."""
        row = self._account(rows, customer_id)
        if row is None:
            row = rows.put(customers, {"id": customer_id, "kind": "person", "name": "", "contact_points": [],
                                       "segment": {}, "consents": {}, "registered_at": e.occurred_at,
                                       **new_figures(), "version": 0})
        return row

    @handles(Customer.DetailsChanged)
    def details_changed(self, e: Any, ctx: Context, rows: Rows) -> None:
        changes: dict[str, Any] = {"version": e.originator_version}
        if e.name is not None:
            changes["name"] = e.name
        if e.contact_points is not None:
            changes.update(self._contacts(e.contact_points))
            if (row := rows.get(customers, str(e.originator_id))) is not None:
                self._emails(rows, row["id"], row["contact_points"], e.contact_points)
        if e.segment is not None:
            changes.update(self._segment(e.segment))
        self._customer(rows, str(e.originator_id), e, **changes)
        self._line(rows, e, ctx, str(e.originator_id))

    @handles(Customer.ConsentGiven, Customer.ConsentWithdrawn)
    def consent(self, e: Any, ctx: Context, rows: Rows) -> None:
        row = rows.get(customers, str(e.originator_id))
        if row:
            consents = {**row["consents"], e.purpose: isinstance(e, Customer.ConsentGiven)}
            rows.update(customers, row["id"], consents=consents, version=e.originator_version)
        self._line(rows, e, ctx, str(e.originator_id))

    @handles(Customer.WinBackOffered, Customer.ExternalRefLinked)
    def noted(self, e: Any, ctx: Context, rows: Rows) -> None:
        """A line on the timeline; the row's version moves on (the panel's forms send it back)."""
        if isinstance(e, Customer.ExternalRefLinked) and e.external_ref != ERASED:
            rows.put(customer_refs, {"customer_id": str(e.originator_id), "external_ref": e.external_ref})
        if rows.get(customers, str(e.originator_id)):
            rows.update(customers, str(e.originator_id), version=e.originator_version)
        self._line(rows, e, ctx, str(e.originator_id))

    @handles(Customer.MergedInto)
    def merged_into(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._customer(rows, str(e.originator_id), e, version=e.originator_version, merged_into=str(e.survivor_id))
        self._line(rows, e, ctx, str(e.originator_id))

    @handles(Customer.Absorbed)
    def absorbed(self, e: Any, ctx: Context, rows: Rows) -> None:
        """The survivor takes over the duplicate's figures (the duplicate's row keeps them as
        they were at the merge; what happens later counts for the survivor only)."""
        survivor, duplicate = rows.get(customers, str(e.originator_id)), rows.get(customers, str(e.duplicate_id))
        if survivor is None:
            return
        changes: dict[str, Any] = {"version": e.originator_version}
        if duplicate is not None:
            changes.update(fold_figures(survivor, duplicate))
        rows.update(customers, survivor["id"], **changes)
        self._line(rows, e, ctx, str(e.originator_id))

    # Touchpoints ---------------------------------------------------------------------
    @handles(Touchpoint.Recorded)
    def touched(self, e: Any, ctx: Context, rows: Rows) -> None:
        customer_id = str(e.customer_id)
        row = self._figures(rows, customer_id, e)
        rows.update(customers, row["id"], **with_touch(row, e.channel, e.occurred_at, str(e.originator_id)))
        self._line(rows, e, ctx, customer_id, channel=e.channel)

    @handles(Touchpoint.Corrected)
    def touch_corrected(self, e: Any, ctx: Context, rows: Rows) -> None:
        # Touchpoint events carry the customer: no link row per touchpoint (they are the bulk).
        self._line(rows, e, ctx, str(e.customer_id))

    @handles(Touchpoint.Retracted)
    def touch_retracted(self, e: Any, ctx: Context, rows: Rows) -> None:
        """The touch no longer counts (a version 1 event does not say what it counted for)."""
        row = self._account(rows, str(e.customer_id))
        if row and e.recorded_channel is not None:
            rows.update(customers, row["id"], **without_touch(row, e.recorded_channel, e.recorded_at,
                                                              str(e.originator_id)))
        self._line(rows, e, ctx, str(e.customer_id))

    # Cases ---------------------------------------------------------------------------
    @handles(Case.Opened)
    def case_opened(self, e: Any, ctx: Context, rows: Rows) -> None:
        customer_id = str(e.customer_id)
        rows.put(customer_links, {"record_id": str(e.originator_id), "customer_id": customer_id, "kind": "case",
                                  "state": "new", "label": e.tracking_code, "channel": e.channel})
        row = self._figures(rows, customer_id, e)
        rows.update(customers, row["id"], open_cases=row["open_cases"] + 1, cases_total=row["cases_total"] + 1)
        self._line(rows, e, ctx, customer_id, channel=e.channel, code=e.tracking_code)

    @handles(Case.Acknowledged, Case.Assigned, Case.Transferred, Case.AgentReplied, Case.CustomerReplied,
             Case.Pended, Case.Resumed, Case.PriorityChanged, Case.Resolved, Case.Reopened, Case.Closed,
             Case.SatisfactionRated, Case.SurveySent)
    def case_changed(self, e: Any, ctx: Context, rows: Rows) -> None:
        link = self._link(rows, e)
        if not link:
            return
        before = link["state"]
        after = {Case.Resolved: "resolved", Case.Reopened: "open", Case.Closed: "closed",
                 Case.Pended: "pending"}.get(type(e), "open" if before in ACTIVE else before)
        if isinstance(e, Case.CustomerReplied) and before == "resolved":
            after = "open"
        if after != before:
            rows.update(customer_links, link["record_id"], state=after)
            delta = (after in ACTIVE) - (before in ACTIVE)
            row = self._account(rows, link["customer_id"])
            if row and delta:
                rows.update(customers, row["id"], open_cases=row["open_cases"] + delta)
        if isinstance(e, Case.SatisfactionRated):
            row = self._account(rows, link["customer_id"])
            if row:
                rows.update(customers, row["id"], csat_sum=row["csat_sum"] + e.score, csat_count=row["csat_count"] + 1)
        channel = getattr(e, "channel", None) or link["channel"]
        self._line(rows, e, ctx, link["customer_id"], channel=channel, code=link["label"])

    # Promises ------------------------------------------------------------------------
    @handles(Promise.Made)
    def promise_made(self, e: Any, ctx: Context, rows: Rows) -> None:
        customer_id = str(e.customer_id)
        rows.put(customer_links, {"record_id": str(e.originator_id), "customer_id": customer_id,
                                  "kind": "promise", "state": "open", "channel": e.channel})
        row = self._figures(rows, customer_id, e)
        rows.update(customers, row["id"], open_promises=row["open_promises"] + 1)
        self._line(rows, e, ctx, customer_id, channel=e.channel)

    @handles(Promise.Kept, Promise.Cancelled, Promise.Rescheduled, Promise.FollowUpSent, Promise.HandedOver)
    def promise_changed(self, e: Any, ctx: Context, rows: Rows) -> None:
        link = self._link(rows, e)
        if not link:
            return
        if isinstance(e, (Promise.Kept, Promise.Cancelled)) and link["state"] == "open":
            rows.update(customer_links, link["record_id"], state="kept" if isinstance(e, Promise.Kept) else "cancelled")
            row = self._account(rows, link["customer_id"])
            if row:
                rows.update(customers, row["id"], open_promises=row["open_promises"] - 1)
        self._line(rows, e, ctx, link["customer_id"], channel=link["channel"])

    # Deals ---------------------------------------------------------------------------
    def _deal_stage(self, rows: Rows, customer_id: str, before: str | None, after: str, won: Any = None) -> None:
        row = self._account(rows, customer_id)
        if not row:
            return
        stages = {**row["deals_by_stage"]}
        if before:
            stages[before] = stages.get(before, 0) - 1
            if stages[before] <= 0:
                del stages[before]
        stages[after] = stages.get(after, 0) + 1
        rows.update(customers, row["id"], deals_by_stage=stages,
                    won_value=row["won_value"] + (won or 0))

    @handles(Deal.Opened)
    def deal_opened(self, e: Any, ctx: Context, rows: Rows) -> None:
        if e.customer_id is None:
            return
        customer_id = str(e.customer_id)
        rows.put(customer_links, {"record_id": str(e.originator_id), "customer_id": customer_id,
                                  "kind": "deal", "state": e.stage})
        self._deal_stage(rows, customer_id, None, e.stage)
        self._line(rows, e, ctx, customer_id)

    @handles(Deal.StageChanged, Deal.Won, Deal.Lost, Deal.Reopened)
    def deal_changed(self, e: Any, ctx: Context, rows: Rows) -> None:
        link = self._link(rows, e)
        if not link:
            return
        before = link["state"]
        won = isinstance(e, Deal.Won)
        after = "Won" if won else "Lost" if isinstance(e, Deal.Lost) else e.to_stage
        # Reopening a won deal takes its close value back out of the lifetime value.
        won_delta = e.close_value if won else -(link["amount"] or 0) if before == "Won" else 0
        rows.update(customer_links, link["record_id"], state=after, amount=e.close_value if won else None)
        self._deal_stage(rows, link["customer_id"], before, after, won_delta)
        self._line(rows, e, ctx, link["customer_id"])

    # Erasure ---------------------------------------------------------------------------
    @handles(Customer.Erased)
    def erased(self, e: Any, ctx: Context, rows: Rows) -> None:
        """Overwrite what the rows quote of the customer's personal data, as a rebuild (from
        events that now decode as erased) would write it."""
        customer_id = str(e.originator_id)
        row = rows.get(customers, customer_id)
        if row:
            points = [{**p, "value": ERASED} for p in row["contact_points"]]
            self._emails(rows, customer_id, row["contact_points"], points)
            rows.update(customers, customer_id, name=ERASED, version=e.originator_version, **self._contacts(points),
                        **self._segment(ERASED), external_ref=ERASED)
        delete_where(rows, customer_refs, customer_refs.c.customer_id == customer_id,
                     lambda r: r["customer_id"] == customer_id)

        def line(r: dict[str, Any]) -> dict[str, Any] | None:
            link = rows.get(customer_links, r["record_id"]) if r["event_type"].startswith("Case.") else None
            text = erased_line(r["event_type"], link["label"] if link else None)
            changes = {"summary": text} if text else {}
            return {**changes, "detail": None} if r["detail"] is not None else changes or None

        rewrite(rows, customer_timeline, "customer_id", customer_id, line)
        self._line(rows, e, ctx, customer_id)
