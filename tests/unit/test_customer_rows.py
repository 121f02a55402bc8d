"""The rows of a customers CSV file: the header it takes, and each row checked by the domain's
rules, an error naming its column (no storage)."""

from __future__ import annotations

import pytest

from web.importers.csvfiles import FileRefusedError, RowError, parse_rows
from web.importers.customer_rows import check_header, parse_customer

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
], ids=["misspelt", "no-name", "twice", "segment-without-a-name"])
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
