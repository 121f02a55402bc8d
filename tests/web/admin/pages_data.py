"""A small, known history for the dashboard, customer 360 and history tests.

The clock stands at T0 (2026-03-02 09:00 UTC, the ``clock`` fixture). The SLA policy counts
calendar minutes (first response 60, resolution 240), so every due instant is T0 arithmetic:

- Ada's case "Printer jams" opened at T0-5h, never answered: both targets breached (2 breaches).
- Ada's case "Toner smears" opened at T0-50min: first response 50 of 60 minutes used: at risk.
- Bob's two cases, answered and resolved days ago, rated 4 and 2: CSAT 3.0 from 2 ratings.
- Promises: one open past due (overdue), one due tomorrow, one kept.
- Deals opened at T0-10d: one won at T0-2d (500), one lost at T0-1d, one still in Prospecting.
- Ada called twice about the same thing (T0-2d, T0-1d): one repeat contact of two inbound.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.application import Touchline

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AGENT = "user:agent@example.com"
OTHER = "user:other@example.com"
ALL_DAY = {"timezone": "UTC", "hours": {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat",
                                                                          "sun")}}
TARGETS = {p: {"first_response": {"minutes": 60, "business_hours": False},
               "resolution": {"minutes": 240, "business_hours": False}} for p in ("low", "normal", "high", "urgent")}


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


@dataclass
class Known:
    ada: UUID
    bob: UUID
    breached_case: UUID
    at_risk_case: UUID
    won_deal: UUID


def write_known_history(app: Touchline) -> Known:
    app.define_sla_policy(name="Round the clock", position=1, conditions=None, targets=TARGETS, calendar=ALL_DAY,
                          occurred_at=hours(-24 * 30), actor=AGENT)
    ada = app.register_customer(name="Ada Lovelace", contact_points=[{"kind": "email", "value": "ada@example.com"}],
                                segment={"sector": "software"}, occurred_at=hours(-24 * 20), actor=AGENT).id
    bob = app.register_customer(name="Bob Babbage", occurred_at=hours(-24 * 20), actor=AGENT).id

    breached = app.open_case(customer_id=ada, subject="Printer jams", channel="email", occurred_at=hours(-5),
                             actor=AGENT).id
    at_risk = app.open_case(customer_id=ada, subject="Toner smears", channel="phone", occurred_at=hours(-50 / 60),
                            actor=AGENT).id
    for day, score in ((-3, 4), (-2, 2)):
        case = app.open_case(customer_id=bob, subject=f"Invoice {day}", channel="email", occurred_at=hours(24 * day),
                             actor=AGENT).id
        app.reply_to_case(case, body="Sorted", occurred_at=hours(24 * day + 0.2), actor=AGENT)
        app.resolve_case(case, resolution="Credited", occurred_at=hours(24 * day + 0.5), actor=AGENT)
        app.rate_case(case, score=score, occurred_at=hours(24 * day + 1), actor="customer:bob")

    app.make_promise(customer_id=ada, what="Call back about the jam", due_at=hours(-1), owner=AGENT, channel="phone",
                     occurred_at=hours(-4), actor=AGENT)
    app.make_promise(customer_id=ada, what="Send a new drum", due_at=hours(24), owner=AGENT, channel="email",
                     occurred_at=hours(-4), actor=AGENT)
    kept = app.make_promise(customer_id=bob, what="Send the credit note", due_at=hours(-24), owner=OTHER,
                            channel="email", occurred_at=hours(-48), actor=OTHER).id
    app.keep_promise(kept, evidence="Sent", occurred_at=hours(-30), actor=OTHER)

    deals = [app.open_deal(customer_id=ada, product_id=None, title=f"Deal {i}", value=100 * (i + 1), owner=AGENT,
                           occurred_at=hours(-24 * 10), actor=AGENT).id for i in range(3)]
    app.win_deal(deals[0], close_value=500, occurred_at=hours(-48), actor=AGENT)
    app.lose_deal(deals[1], reason="Budget", occurred_at=hours(-24), actor=AGENT)

    for day in (-2, -1):
        app.record_touchpoint(customer_id=ada, channel="phone", direction="inbound", kind="complaint",
                              subject="Printer jams again", occurred_at=hours(24 * day), actor=AGENT)
    return Known(ada=ada, bob=bob, breached_case=breached, at_risk_case=at_risk, won_deal=deals[0])
