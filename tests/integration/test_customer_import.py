"""Importing customers from a CSV file, on SQLite and PostgreSQL: who a row is (external id,
then email address, then new), what a re-import changes, and the rows it rejects: each with its
line, none of them written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest

from domain.application import Touchline
from domain.clock import FixedClock
from domain.customers.model import Customer, email_customer_id, imported_customer_id
from projections.queries.customer_page import get_customer_page
from web import create_app
from web.importers.csvfiles import FileRefusedError
from web.importers.customers import import_customers, owners_in
from web.importers.summary import ImportSummary

HEADER = "external_id,name,kind,email,phone,sector,segment.tier"


def csv_of(*lines: str, header: str = HEADER) -> bytes:
    return "\n".join((header, *lines)).encode() + b"\n"


def run(app: Touchline, clock: FixedClock, data: bytes, **options: Any) -> ImportSummary:
    return import_customers(app, clock, "customers.csv", data, **options)


def log_size(app: Touchline) -> int:
    return app.recorder.max_notification_id() or 0


def reasons(summary: ImportSummary) -> list[tuple[int, str]]:
    return [(r.line, r.reason) for r in summary.rejects]


def zendesk(external_id: str) -> UUID:
    return imported_customer_id("zendesk", external_id)


FILE = csv_of("Z-1,Ada Lovelace,person,ada@example.com,+44 20 7946 0018,,gold",
              "Z-2,Acme Ltd,company,ops@acme.example,,manufacturing,",
              ",Grace Hopper,,grace@example.com,,,")


def test_new_customers_are_registered_under_their_source_and_external_id(
    stored_app: Touchline, clock: FixedClock,
) -> None:
    summary = run(stored_app, clock, FILE, source="zendesk")
    assert (summary.created, summary.changed, summary.rejects) == ({"Customer": 3}, {}, [])
    assert summary.events_stored == 3 and summary.position == log_size(stored_app)
    ada = stored_app.get_customer(zendesk("Z-1"))
    assert (ada.name, ada.customer_kind, ada.external_ref) == ("Ada Lovelace", "person", "zendesk:Z-1")
    assert ada.contact_points == [{"kind": "email", "value": "ada@example.com"},
                                  {"kind": "phone", "value": "+44 20 7946 0018"}]
    assert ada.segment == {"tier": "gold"} and ada.last_occurred_at == clock.now()
    assert stored_app.get_customer(zendesk("Z-2")).customer_kind == "company"
    # No external id: the customer a first email from the address would be, so their mail joins them.
    assert stored_app.get_customer(email_customer_id("grace@example.com")).name == "Grace Hopper"


def test_importing_the_same_file_again_stores_nothing(stored_app: Touchline, clock: FixedClock) -> None:
    run(stored_app, clock, FILE)
    before = log_size(stored_app)
    again = run(stored_app, clock, FILE)
    assert (again.events_stored, again.created, again.changed, again.rejects) == (0, {}, {}, [])
    assert log_size(stored_app) == before


def test_a_newer_file_changes_what_it_holds_and_keeps_what_only_touchline_knows(
    stored_app: Touchline, clock: FixedClock,
) -> None:
    run(stored_app, clock, FILE, source="zendesk")
    ada_id = zendesk("Z-1")
    ada = stored_app.get_customer(ada_id)
    stored_app.change_customer_details(
        ada_id, contact_points=[*ada.contact_points, {"kind": "mobile", "value": "+44 7700 900123"}],
        segment={**ada.segment, "language": "en"}, occurred_at=clock.now(), actor="user:agent")
    clock.advance(days=30)
    newer = csv_of("Z-1,Ada King,,ada@example.com,,,platinum", "Z-2,Acme Ltd,company,ops@acme.example,,manufacturing,")
    summary = run(stored_app, clock, newer, source="zendesk")
    assert (summary.created, summary.changed, summary.events_stored) == ({}, {"Customer": 1}, 1)
    ada = stored_app.get_customer(ada_id)
    assert ada.name == "Ada King"
    assert [p["kind"] for p in ada.contact_points] == ["email", "phone", "mobile"]  # a blank cell removes nothing
    assert ada.segment == {"tier": "platinum", "language": "en"}


def test_a_row_whose_address_is_a_customers_updates_them_rather_than_registering_a_second(
    stored_app: Touchline, clock: FixedClock,
) -> None:
    # Wrote in by email before the migration: the customer's id comes from the address.
    stored_app.register_customer(id=email_customer_id("ada@example.com"), name="ada@example.com",
                                 contact_points=[{"kind": "email", "value": "ada@example.com"}],
                                 occurred_at=clock.now(), actor="system:mail")
    summary = run(stored_app, clock, FILE, source="zendesk")
    assert (summary.created, summary.changed) == ({"Customer": 2}, {"Customer": 1})
    assert stored_app.get_customer(email_customer_id("ada@example.com")).name == "Ada Lovelace"
    assert zendesk("Z-1") not in stored_app.repository


def test_a_customer_found_by_address_is_found_by_the_external_id_once_the_address_changes(
    stored_app: Touchline, clock: FixedClock,
) -> None:
    """The first import links the row's id to the customer it found by address: the next export, with
    a new address, updates that customer instead of registering the person a second time."""
    mail_id = email_customer_id("aiko@example.com")
    stored_app.register_customer(id=mail_id, name="aiko@example.com", occurred_at=clock.now(), actor="system:mail",
                                 contact_points=[{"kind": "email", "value": "aiko@example.com"}])
    first = run(stored_app, clock, csv_of("D-3,Aiko Fernandez,,aiko@example.com,,,"), source="zendesk")
    assert (first.created, first.changed) == ({}, {"Customer": 1})
    assert stored_app.get_customer(mail_id).linked_refs == ["zendesk:D-3"]
    newer = run(stored_app, clock, csv_of("D-3,Aiko Fernandez,,aiko.f@example.com,,,"), source="zendesk")
    assert (newer.created, newer.changed, newer.rejects) == ({}, {"Customer": 1}, [])
    aiko = stored_app.get_customer(mail_id)
    assert [p["value"] for p in aiko.contact_points] == ["aiko@example.com", "aiko.f@example.com"]
    assert zendesk("D-3") not in stored_app.repository
    again = run(stored_app, clock, csv_of("D-3,Aiko Fernandez,,aiko.f@example.com,,,"), source="zendesk")
    assert (again.events_stored, again.rejects) == (0, [])


def test_the_read_model_finds_the_customer_with_the_address(database_url: str, clock: FixedClock) -> None:
    flask_app = create_app({"DATABASE_URL": database_url, "CLOCK": clock})
    services = flask_app.extensions["touchline"]
    try:
        registered = services.app.register_customer(
            name="Ada L.", contact_points=[{"kind": "email", "value": "ada@example.com"}],
            occurred_at=clock.now(), actor="user:agent").id
        owners = owners_in(services.views)
        assert owners(["ada@example.com"]) == {}  # no projection has run yet: no table, no answer, no error
        services.projection_runner().catch_up()
        summary = run(services.app, clock, csv_of("Z-7,Ada Lovelace,,Ada@Example.com,,,"), owners=owners)
        assert (summary.created, summary.changed) == ({}, {"Customer": 1})
        ada = services.app.get_customer(registered)
        assert (ada.name, ada.linked_refs) == ("Ada Lovelace", ["csv:Z-7"])
        services.projection_runner().catch_up()
        with services.views.connect() as conn:
            page = get_customer_page(conn, str(registered), now=clock.now())
        assert page is not None and page["customer"]["version"] == ada.version  # the panel's forms send it back
        assert "Known in another system as csv:Z-7" in [line["summary"] for line in page["timeline"].items]
    finally:
        services.close()


def test_an_address_another_customer_has_is_refused_on_its_line(stored_app: Touchline, clock: FixedClock) -> None:
    run(stored_app, clock, FILE, source="zendesk")
    before = log_size(stored_app)
    clash = csv_of("Z-2,Acme Ltd,company,ada@example.com,,,")
    summary = run(stored_app, clock, clash, source="zendesk", owners=lambda emails: {"ada@example.com": zendesk("Z-1")})
    assert reasons(summary) == [(2, f"email ada@example.com is Ada Lovelace's (customer {zendesk('Z-1')}) already")]
    assert log_size(stored_app) == before


def test_an_erased_customer_is_never_imported_again(stored_app: Touchline, clock: FixedClock) -> None:
    run(stored_app, clock, FILE, source="zendesk")
    for erased in (zendesk("Z-1"), email_customer_id("grace@example.com")):
        stored_app.erase_customer(erased, reason="GDPR request", occurred_at=clock.now(), actor="user:admin")
    before = log_size(stored_app)
    summary = run(stored_app, clock, FILE, source="zendesk")
    assert [line for line, _ in reasons(summary)] == [2, 4]
    assert "external_id Z-1: this customer's personal data was erased (GDPR)" in summary.rejects[0].reason
    assert "email grace@example.com: the customer with this address had their personal data erased" \
        in summary.rejects[1].reason
    assert log_size(stored_app) == before
    assert stored_app.get_customer(zendesk("Z-1")).name != "Ada Lovelace"


def test_an_erased_person_is_recognised_by_address_from_any_source(stored_app: Touchline, clock: FixedClock) -> None:
    """The same export imported again without its source, or from another system, names no stored
    customer by id: the erasure's digest of their address still does."""
    run(stored_app, clock, FILE, source="zendesk")
    stored_app.erase_customer(zendesk("Z-1"), reason="GDPR request", occurred_at=clock.now(), actor="user:admin")
    before = log_size(stored_app)
    for source in ("csv", "hubspot"):
        summary = run(stored_app, clock, csv_of("Z-1,Ada Lovelace,person,ADA@example.com,,,"), source=source)
        assert reasons(summary) == [(2, "email ada@example.com: the customer with this address had their personal "
                                        "data erased (GDPR); it is not imported again")]
    assert log_size(stored_app) == before
    # The person writing again registers them anew (their own act); an import then updates that customer.
    returned = stored_app.register_customer(name="Ada", contact_points=[{"kind": "email", "value": "ada@example.com"}],
                                            occurred_at=clock.now(), actor="system:mail").id
    summary = run(stored_app, clock, csv_of(",Ada Lovelace,,ada@example.com,,,"),
                  owners=lambda emails: {"ada@example.com": returned})
    assert (summary.changed, summary.rejects) == ({"Customer": 1}, [])


def test_rows_in_the_file_that_name_one_customer_twice_are_refused_after_the_first(
    stored_app: Touchline, clock: FixedClock,
) -> None:
    twice = csv_of("Z-1,Ada,,ada@example.com,,,", "Z-1,Ada again,,,,,", "Z-9,Ada twin,,ADA@example.com,,,",
                   "Z-3,Grace,,grace@example.com,,,")
    summary = run(stored_app, clock, twice)
    assert reasons(summary) == [(3, "external_id Z-1 is repeated (first on line 2)"),
                                (4, "email ada@example.com is repeated (first on line 2)")]
    assert summary.created == {"Customer": 2}


def test_external_ids_that_differ_only_by_letter_case_are_two_customers(
    stored_app: Touchline, clock: FixedClock,
) -> None:
    # Salesforce's 15-character ids are case-sensitive.
    ids = csv_of("003A000000abcDE,Ada,,ada@example.com,,,", "003A000000ABCde,Grace,,grace@example.com,,,")
    summary = run(stored_app, clock, ids, source="salesforce")
    assert (summary.created, summary.rejects) == ({"Customer": 2}, [])
    again = run(stored_app, clock, ids, source="salesforce")
    assert (again.events_stored, again.rejects) == (0, [])


def test_a_row_naming_a_customer_an_earlier_row_changed_is_refused(stored_app: Touchline, clock: FixedClock) -> None:
    # Ada has two addresses: one row finds her by the first, the next by her external id.
    stored_app.register_customer(
        id=zendesk("Z-1"), name="Ada", external_ref="zendesk:Z-1", occurred_at=clock.now(), actor="user:agent",
        contact_points=[{"kind": "email", "value": "ada@example.com"}, {"kind": "email", "value": "ada@work.example"}])
    stored_app.register_customer(id=email_customer_id("x@example.com"), name="X", occurred_at=clock.now(),
                                 actor="user:agent", contact_points=[{"kind": "email", "value": "x@example.com"}])
    rows = csv_of(",Ada Lovelace,,ada@example.com,,,", "Z-1,Ada K,,,,,")
    summary = run(stored_app, clock, rows, source="zendesk",
                  owners=lambda emails: {"ada@example.com": zendesk("Z-1")} if "ada@example.com" in emails else {})
    assert reasons(summary) == [(3, f"names the same customer as line 2 (Ada Lovelace, customer {zendesk('Z-1')})")]
    assert stored_app.get_customer(zendesk("Z-1")).name == "Ada Lovelace"


def test_a_customers_kind_does_not_change(stored_app: Touchline, clock: FixedClock) -> None:
    run(stored_app, clock, FILE, source="zendesk")
    summary = run(stored_app, clock, csv_of("Z-2,Acme Ltd,person,ops@acme.example,,,"), source="zendesk")
    assert summary.rejects[0].reason.startswith("kind: Acme Ltd is a company in Touchline")


def test_a_merged_away_duplicate_is_left_as_it_is(stored_app: Touchline, clock: FixedClock) -> None:
    run(stored_app, clock, FILE, source="zendesk")
    stored_app.merge_customers(zendesk("Z-2"), survivor_id=zendesk("Z-1"), occurred_at=clock.now(), actor="user:x")
    before = log_size(stored_app)
    summary = run(stored_app, clock, csv_of("Z-2,Acme Renamed,company,ops@acme.example,,,"), source="zendesk")
    assert (summary.events_stored, summary.rejects) == (0, [])
    assert [(r.line, r.reason) for r in summary.skipped] == [
        (2, f"left as it is: this customer was merged into Ada Lovelace (customer {zendesk('Z-1')}), who holds "
            "their details now; change them there")]
    assert log_size(stored_app) == before


def test_a_check_reports_what_the_import_would_do_and_writes_nothing(
    stored_app: Touchline, clock: FixedClock,
) -> None:
    with_bad = FILE + b"Z-4,Bad,,not-an-address,,,\n"
    checked = run(stored_app, clock, with_bad, check_only=True)
    assert log_size(stored_app) == 0
    assert (checked.created, checked.events_stored, checked.position) == ({"Customer": 3}, 3, None)
    assert reasons(checked) == [(5, "email: 'not-an-address' is not an email address")]
    imported = run(stored_app, clock, with_bad)
    assert (imported.created, imported.events_stored, reasons(imported)) == (
        checked.created, checked.events_stored, reasons(checked))


def test_a_blank_source_is_the_default(stored_app: Touchline, clock: FixedClock) -> None:
    run(stored_app, clock, FILE, source="  ")
    assert stored_app.get_customer(imported_customer_id("csv", "Z-1")).external_ref == "csv:Z-1"


@pytest.mark.parametrize("source", ["a b", "-x", "x" * 41, "Zendesk!"])
def test_a_source_that_cannot_name_a_system_refuses_the_import(
    stored_app: Touchline, clock: FixedClock, source: str,
) -> None:
    with pytest.raises(FileRefusedError, match="cannot name a system"):
        run(stored_app, clock, FILE, source=source)
    assert log_size(stored_app) == 0


@pytest.fixture
def many(stored_app: Touchline, clock: FixedClock) -> Iterator[ImportSummary]:
    rows = [f"E-{i},Customer {i},,c{i}@example.com,,," for i in range(1, 1201)]
    yield run(stored_app, clock, csv_of(*rows), batch_size=500)


def test_a_large_file_is_saved_in_batches_and_every_row_lands(many: ImportSummary, stored_app: Touchline) -> None:
    assert many.created == {"Customer": 1200}
    assert isinstance(stored_app.get_customer(imported_customer_id("csv", "E-1200")), Customer)
