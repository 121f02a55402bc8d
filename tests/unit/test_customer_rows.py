"""The rows of a customers CSV file: the header it takes, and each row checked by the domain's
rules, an error naming its column (no storage)."""

from __future__ import annotations

import csv
import io
from functools import partial

import pytest

from web.importers.csvfiles import (
    FileRefusedError,
    Reject,
    RowError,
    parse_rows,
    write_rows,
)
from web.importers.customer_rows import check_header, ignored_columns, parse_customer

BLANK = {"external_id": "", "name": "", "kind": "", "email": "", "phone": "", "sector": ""}


def row(**values: str) -> dict[str, str]:
    return BLANK | values


def test_headers_are_read_in_any_order_and_case_with_spaces_for_underscores() -> None:
    rows, bad = parse_rows("c.csv", b"Email,External ID,NAME,Segment.Tier\nada@example.com,Z-1,Ada,gold\n",
                           check_header)
    assert bad == []
    assert rows[0].values == {"email": "ada@example.com", "external_id": "Z-1", "name": "Ada", "segment.tier": "gold"}


@pytest.mark.parametrize("header, problem", [
    (b"name,emial", "unexpected 'emial'"),
    (b"email,phone", "missing name"),
    (b"name,Email,email", "repeated email"),
    (b"name,segment.", "unexpected 'segment.'"),
    (b"name,sector,segment.Sector", "repeated sector"),
    (b"name,segment." + b"k" * 51, "unexpected 'segment.kkk"),
], ids=["misspelt", "no-name", "twice", "segment-without-a-name", "sector-twice", "long-segment-name"])
def test_a_header_with_unknown_missing_or_repeated_columns_refuses_the_file(header: bytes, problem: str) -> None:
    with pytest.raises(FileRefusedError) as refused:
        parse_rows("c.csv", header + b"\nAda,x\n", check_header)
    assert problem in str(refused.value) and "segment.<name>" in str(refused.value)


def test_a_row_becomes_contact_points_and_segment_attributes() -> None:
    parsed = parse_customer(row(external_id="Z-1", name=" Acme Ltd ", kind="Company", email="OPS@Acme.example",
                                phone="+44 20 7946 0018", sector="retail") | {"segment.tier": "gold", "website": ""})
    assert (parsed.external_id, parsed.name, parsed.kind) == ("Z-1", "Acme Ltd", "company")
    assert parsed.contact_points == [{"kind": "email", "value": "ops@acme.example"},
                                     {"kind": "phone", "value": "+44 20 7946 0018"}]
    assert parsed.segment == {"sector": "retail", "tier": "gold"}
    assert parsed.email == "ops@acme.example"


def test_a_blank_kind_is_left_to_the_import_to_decide() -> None:
    assert parse_customer(row(name="Ada", email="ada@example.com")).kind is None


@pytest.mark.parametrize("values, reason", [
    (row(name="", email="ada@example.com"), "name: is required"),
    (row(name="Ada", email="ada-at-example.com"), "email: 'ada-at-example.com' is not an email address"),
    (row(name="Ada", email="ada@example.com", phone="call me"), "phone: 'call me' is not a phone number"),
    (row(name="Ada", email="ada@example.com", kind="robot"), "kind: unknown value 'robot'"),
    (row(name="Ada\nLovelace", email="ada@example.com"), "name: holds line breaks"),
    (row(name="Ada", email="ada@example.com", sector="x" * 51), "sector: "),
    (row(name="Ada", email="ada@example.com") | {"segment.tier": "x" * 51}, "segment.tier: "),
    (row(name="Ada", phone="+44 20 7946 0018"), "external_id or email is required"),
], ids=["no-name", "email", "phone", "kind", "two-lines", "long-sector", "long-segment", "no-key"])
def test_a_row_the_domain_refuses_names_its_column(values: dict[str, str], reason: str) -> None:
    with pytest.raises(RowError) as refused:
        parse_customer(values)
    assert str(refused.value).startswith(reason)


def test_a_quote_never_closed_refuses_the_file_naming_where_it_starts() -> None:
    """Read leniently, the open quote would take every later row into one address."""
    data = b'external_id,name,email,address\nS-1,Bob,bob@example.com,"12 High St\nS-2,Ann,ann@example.com,1 Low St\n'
    with pytest.raises(FileRefusedError) as refused:
        parse_rows("c.csv", data, check_header)
    assert "c.csv: line 2: a quoted value starts on this line and is never closed" in str(refused.value)


def test_only_an_address_may_hold_line_breaks() -> None:
    rows, _ = parse_rows("c.csv", b'name,email,address,website\nAda,ada@example.com,"1 High St\nLondon",'
                                  b'"example.com\nS-2"\n', check_header)
    with pytest.raises(RowError, match="website: holds line breaks"):
        parse_customer(rows[0].values)
    assert parse_customer(rows[0].values | {"website": ""}).contact_points[1] == {
        "kind": "address", "value": "1 High St\nLondon"}


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_file_separated_by_semicolons_or_tabs_is_read_as_excel_wrote_it(separator: str) -> None:
    text = separator.join(("name", "email", "segment.revenue")) + "\n" + separator.join(
        ("Acme, Inc.", "ops@acme.example", "1,5")) + "\n"
    rows, bad = parse_rows("c.csv", text.encode(), check_header, delimiters=",;\t")
    assert bad == [] and rows[0].values == {"name": "Acme, Inc.", "email": "ops@acme.example",
                                            "segment.revenue": "1,5"}


def test_blank_lines_before_the_header_are_skipped_and_lines_still_count_from_the_top() -> None:
    rows, _ = parse_rows("c.csv", b"\n\nname,email\nAda,ada@example.com\n", check_header)
    assert [(r.line, r.values["name"]) for r in rows] == [(4, "Ada")]


def test_the_reject_report_writes_a_file_name_a_spreadsheet_would_run_as_text() -> None:
    out = io.StringIO()
    write_rows(out, [Reject("=1+2.csv", 2, "=cmd", "=x,y")])
    assert list(csv.reader(io.StringIO(out.getvalue())))[1] == ["'=1+2.csv", "2", "'=cmd", "'=x,y"]


def test_a_name_may_come_as_first_and_last_name() -> None:
    rows, _ = parse_rows("c.csv", b"First Name,Last Name,Email\nAda,Lovelace,ada@example.com\n,Hopper,g@example.com\n",
                         check_header)
    assert [parse_customer(r.values).name for r in rows] == ["Ada Lovelace", "Hopper"]
    with pytest.raises(FileRefusedError, match="missing name \\(or first_name and last_name\\)"):
        parse_rows("c.csv", b"email\nada@example.com\n", check_header)


def test_columns_it_does_not_know_are_read_past_only_when_asked() -> None:
    export = b"Record ID,Name,Email,Lifecycle Stage,Owner\n17,Ada,ada@example.com,lead,Bob\n"
    with pytest.raises(FileRefusedError, match="unexpected 'Record ID', 'Lifecycle Stage', 'Owner'"):
        parse_rows("c.csv", export, check_header)
    rows, _ = parse_rows("c.csv", export, partial(check_header, ignore_other=True))
    assert ignored_columns(list(rows[0].values)) == ["Record ID", "Lifecycle Stage", "Owner"]
    parsed = parse_customer(rows[0].values)
    assert (parsed.name, parsed.email, parsed.segment) == ("Ada", "ada@example.com", {})
