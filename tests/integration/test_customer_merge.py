"""Merging customers in the read models, on SQLite and PostgreSQL: the survivor's summary takes
over the duplicate's figures, later events about the duplicate's records count for the
survivor, both timelines are kept, and a rebuild from zero gives the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa

from domain.clock import FixedClock
from projections.queries.customer_page import get_customer_page
from projections.queries.customers import get_customer
from projections.queries.records import merged_ids
from projections.verify import verify_projections
from projections.views.customer360 import Customer360Projection, customer_timeline
from web.services import Services, build_services

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AGENT = "user:agent-1"


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    found = build_services({"DATABASE_URL": database_url}, clock=FixedClock(T0))
    yield found
    found.close()


def read(s: Services, fetch: Any) -> Any:
    s.projection_runner().catch_up()
    with s.views.connect() as conn:
        return fetch(conn)


def customer_with_history(s: Services, name: str, channel: str, hour: float) -> UUID:
    app = s.app
    customer = app.register_customer(name=name, occurred_at=at(hour - 10), actor=AGENT).id
    app.record_touchpoint(customer_id=customer, channel=channel, direction="inbound", kind="inquiry",
                          subject=f"{name} asks", occurred_at=at(hour), actor=AGENT)
    app.open_case(customer_id=customer, subject=f"{name}'s case", channel=channel, occurred_at=at(hour), actor=AGENT)
    deal = app.open_deal(customer_id=customer, product_id=None, title=f"{name}'s deal", value=100, owner=AGENT,
                         occurred_at=at(hour), actor=AGENT).id
    app.win_deal(deal, close_value=250, occurred_at=at(hour + 1), actor=AGENT)
    app.make_promise(customer_id=customer, what="Call back", due_at=at(hour + 24), owner=AGENT, channel=channel,
                     occurred_at=at(hour), actor=AGENT)
    return customer


def test_the_survivor_takes_over_the_duplicates_figures(services: Services) -> None:
    survivor = customer_with_history(services, "Ada", "email", -50)
    duplicate = customer_with_history(services, "Ada L.", "phone", -40)
    services.app.merge_customers(duplicate, survivor_id=survivor, occurred_at=at(-1), actor=AGENT)

    row = read(services, lambda conn: get_customer(conn, str(survivor)))
    assert (row["touches"], row["open_cases"], row["cases_total"], row["open_promises"]) == (2, 2, 2, 2)
    assert row["touches_by_channel"] == {"email": 1, "phone": 1}
    assert row["deals_by_stage"] == {"Won": 2} and row["won_value"] == 500
    assert row["first_touch_at"] == at(-50) and row["last_touch_at"] == at(-40)
    gone = read(services, lambda conn: get_customer(conn, str(duplicate)))
    assert gone["merged_into"] == str(survivor) and gone["touches"] == 1  # as it was at the merge


def test_later_events_about_the_duplicate_count_for_the_survivor(services: Services) -> None:
    survivor = services.app.register_customer(name="Ada", occurred_at=at(-10), actor=AGENT).id
    duplicate = customer_with_history(services, "Ada L.", "phone", -5)
    services.app.merge_customers(duplicate, survivor_id=survivor, occurred_at=at(-1), actor=AGENT)
    case_id = read(services, lambda conn: get_customer_page(conn, str(survivor), now=T0))["open_cases"][0]["id"]

    services.app.resolve_case(UUID(case_id), resolution="Fixed", occurred_at=at(0), actor=AGENT)
    services.app.record_touchpoint(customer_id=duplicate, channel="sms", direction="inbound", kind="inquiry",
                                   subject="Thanks", occurred_at=at(0.5), actor=AGENT)
    row = read(services, lambda conn: get_customer(conn, str(survivor)))
    assert (row["open_cases"], row["touches"], row["last_contact_at"]) == (0, 2, at(0.5))
    assert read(services, lambda conn: get_customer(conn, str(duplicate)))["open_cases"] == 1


def test_a_duplicates_touch_retracted_after_the_merge_is_taken_back_from_the_survivor(services: Services) -> None:
    survivor = customer_with_history(services, "Ada", "email", -50)
    duplicate = services.app.register_customer(name="Ada L.", occurred_at=at(-45), actor=AGENT).id
    wrong = services.app.record_touchpoint(customer_id=duplicate, channel="sms", direction="inbound",
                                           kind="inquiry", subject="Not Ada", occurred_at=at(-20), actor=AGENT).id
    services.app.merge_customers(duplicate, survivor_id=survivor, occurred_at=at(-10), actor=AGENT)
    services.app.retract_touchpoint(wrong, reason="another person", occurred_at=at(-1), actor=AGENT)
    row = read(services, lambda conn: get_customer(conn, str(survivor)))
    assert (row["touches"], row["touches_by_channel"], row["last_touch_at"]) == (1, {"email": 1}, at(-50))
    assert row["last_contact_at"] == at(-49)  # the deal won an hour after the touch, not the retracted text
    reports = verify_projections(services.app, services.views, [Customer360Projection()])
    assert [d.describe() for r in reports for d in r.differences] == []


def test_both_timelines_are_kept_and_read_together(services: Services) -> None:
    survivor = customer_with_history(services, "Ada", "email", -50)
    duplicate = customer_with_history(services, "Ada L.", "phone", -40)
    services.app.merge_customers(duplicate, survivor_id=survivor, occurred_at=at(-1), actor=AGENT)

    page = read(services, lambda conn: get_customer_page(conn, str(survivor), now=T0, timeline_limit=100))
    lines = [line["summary"] for line in page["timeline"].items]
    assert "Inbound email: Ada asks" in lines and "Inbound phone: Ada L. asks" in lines
    assert lines[0] == "Absorbed duplicate Ada L."  # the record by its name, as the page reads it
    assert {c["subject"] for c in page["open_cases"]} == {"Ada's case", "Ada L.'s case"}
    assert {d["title"] for d in page["deals"]} == {"Ada's deal", "Ada L.'s deal"}
    assert [a["id"] for a in page["absorbed"]] == [str(duplicate)]
    own = read(services, lambda conn: conn.execute(sa.select(sa.func.count()).where(
        customer_timeline.c.customer_id == str(duplicate))).scalar())
    assert own == 7  # registered, touch, case, deal opened and won, promise, merged into: still its own


def test_merges_chain_through_survivors(services: Services) -> None:
    first = customer_with_history(services, "A", "email", -30)
    second = customer_with_history(services, "B", "phone", -20)
    third = customer_with_history(services, "C", "chat", -10)
    services.app.merge_customers(first, survivor_id=second, occurred_at=at(-2), actor=AGENT)
    services.app.merge_customers(second, survivor_id=third, occurred_at=at(-1), actor=AGENT)
    services.app.record_touchpoint(customer_id=first, channel="sms", direction="inbound", kind="inquiry",
                                   subject="Still me", occurred_at=at(0), actor=AGENT)

    row = read(services, lambda conn: get_customer(conn, str(third)))
    assert (row["touches"], row["cases_total"], row["won_value"]) == (4, 3, 750)
    assert sorted(read(services, lambda conn: merged_ids(conn, str(third)))) == sorted(
        [str(first), str(second), str(third)])


def test_a_rebuild_gives_the_same_rows_after_merges(services: Services) -> None:
    survivor = customer_with_history(services, "Ada", "email", -50)
    duplicate = customer_with_history(services, "Ada L.", "phone", -40)
    services.projection_runner().catch_up()  # the live rows are built in several batches, the rebuild in one
    services.app.merge_customers(duplicate, survivor_id=survivor, occurred_at=at(-1), actor=AGENT)
    services.projection_runner().catch_up()
    services.app.record_touchpoint(customer_id=duplicate, channel="sms", direction="inbound", kind="inquiry",
                                   subject="Again", occurred_at=at(0), actor=AGENT)
    services.projection_runner().catch_up()
    reports = verify_projections(services.app, services.views, [Customer360Projection()])
    assert [r.differences for r in reports] == [[]]
