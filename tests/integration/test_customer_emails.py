"""Every email address of a customer finds them (mail, the public forms, the panel, imports), not
only the first; an address taken off, or erased, finds nobody; on SQLite and PostgreSQL, live and
rebuilt alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest

from domain.clock import FixedClock
from domain.personal import ERASED
from projections.queries.customer_page import get_customer_page
from projections.queries.customers import list_customers
from projections.queries.public import find_customer_by_email, find_customers_by_email
from projections.verify import verify_projections
from projections.views.customer360 import Customer360Projection
from web import create_app
from web.services import Services

ACTOR = "user:agent"


@pytest.fixture
def services(database_url: str, clock: FixedClock) -> Iterator[Services]:
    flask_app = create_app({"DATABASE_URL": database_url, "CLOCK": clock})
    found: Services = flask_app.extensions["touchline"]
    yield found
    found.close()


def emails(*addresses: str) -> list[dict[str, str]]:
    return [{"kind": "email", "value": a} for a in addresses]


def owner(services: Services, address: str) -> UUID | None:
    services.projection_runner().catch_up()
    with services.views.connect() as conn:
        return find_customer_by_email(conn, address)


def test_a_second_address_finds_its_customer_until_it_is_taken_off(services: Services, clock: FixedClock) -> None:
    app = services.app
    ada = app.register_customer(name="Ada", contact_points=emails("ada@example.com", "ada@work.example"),
                                occurred_at=clock.now(), actor=ACTOR).id
    assert owner(services, "ADA@work.example ") == ada
    app.change_customer_details(ada, contact_points=emails("ada@example.com", "ada@home.example"),
                                occurred_at=clock.now(), actor=ACTOR)
    assert (owner(services, "ada@work.example"), owner(services, "ada@home.example")) == (None, ada)
    with services.views.connect() as conn:
        assert find_customers_by_email(conn, ["ada@example.com", "ada@home.example", "nobody@example.com"]) == {
            "ada@example.com": ada, "ada@home.example": ada}


def test_a_merged_duplicates_address_finds_the_survivor_and_an_erased_one_finds_nobody(
    services: Services, clock: FixedClock, tmp_path: Path,
) -> None:
    app = services.app
    ada = app.register_customer(name="Ada", contact_points=emails("ada@example.com"), occurred_at=clock.now(),
                                actor=ACTOR, external_ref="shop:1").id
    record = app.get_customer(ada)
    record.link_external_ref(external_ref="zendesk:1", occurred_at=clock.now(), actor=ACTOR)
    app.save(record)
    twin = app.register_customer(name="Ada L", contact_points=emails("a.l@example.com", "lovelace@example.com"),
                                 occurred_at=clock.now(), actor=ACTOR).id
    app.merge_customers(twin, survivor_id=ada, occurred_at=clock.now(), actor=ACTOR)
    assert owner(services, "lovelace@example.com") == ada
    grace = app.register_customer(name="Grace", contact_points=emails("grace@example.com", "g@navy.example"),
                                  occurred_at=clock.now(), actor=ACTOR).id
    assert owner(services, "g@navy.example") == grace
    app.erase_customer(grace, reason="GDPR", occurred_at=clock.now(), actor=ACTOR)
    assert (owner(services, "grace@example.com"), owner(services, "g@navy.example")) == (None, None)
    reports = verify_projections(app, services.views, [Customer360Projection()],
                                 scratch_url=f"sqlite:///{tmp_path / 'rebuilt.db'}")
    assert [r.differences for r in reports] == [[]]  # live = rebuilt, the addresses' and ids' tables included
    assert reports[0].rows_compared > 0


def test_an_erasure_takes_the_segment_and_every_external_id_with_it(
    services: Services, clock: FixedClock, tmp_path: Path,
) -> None:
    """A segment may hold what an import brought (a city, an employer, a birthday); another system's
    id names the person there. Live and rebuilt alike, none of it stays."""
    app = services.app
    bea = app.register_customer(name="Bea", contact_points=emails("bea@example.com"), external_ref="crm3:B-1",
                                segment={"location": "12 Elm Street", "employer": "Springfield Plant"},
                                occurred_at=clock.now(), actor=ACTOR).id
    record = app.get_customer(bea)
    record.link_external_ref(external_ref="zendesk:77", occurred_at=clock.now(), actor=ACTOR)
    app.save(record)
    services.projection_runner().catch_up()
    app.erase_customer(bea, reason="GDPR", occurred_at=clock.now(), actor=ACTOR)
    services.projection_runner().catch_up()
    with services.views.connect() as conn:
        page = get_customer_page(conn, str(bea), now=clock.now())
        found = {ref: [c["id"] for c in list_customers(conn, external_ref=ref).items]
                 for ref in ("crm3:B-1", "zendesk:77")}
    assert page is not None
    row = page["customer"]
    assert (row["segment"], row["location"], row["external_ref"]) == ({}, None, ERASED)
    lines = [line["summary"] for line in page["timeline"].items]
    assert f"Known in another system as {ERASED}" in lines and not any("zendesk:77" in line for line in lines)
    assert found == {"crm3:B-1": [], "zendesk:77": []}
    history = repr([vars(e) for e in app.events.get(bea)])
    assert "Elm Street" not in history and "Springfield" not in history and "zendesk:77" not in history
    reports = verify_projections(app, services.views, [Customer360Projection()],
                                 scratch_url=f"sqlite:///{tmp_path / 'rebuilt.db'}")
    assert [r.differences for r in reports] == [[]]
