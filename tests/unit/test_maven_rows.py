"""Parsing and normalising rows of the Maven CRM files (no storage)."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from web.importers.csvfiles import FileRefusedError, RowError, read_rows
from web.importers.maven_rows import (
    PIPELINE_COLUMNS, email_for, parse_account, parse_opportunity, parse_product, parse_team_member,
    size_band,
)

ACCOUNT = {"account": "Acme Corporation", "sector": "technolgy", "year_established": "1996", "revenue": "1100.04",
           "employees": "2822", "office_location": "United States", "subsidiary_of": ""}
WON = {"opportunity_id": "1C1I7A6R", "sales_agent": "Moses Frase", "product": "GTX Plus Basic",
       "account": "Cancity", "deal_stage": "Won", "engage_date": "2016-10-20", "close_date": "2017-03-01",
       "close_value": "1054"}


def test_the_misspelt_technology_sector_is_corrected() -> None:
    assert parse_account(ACCOUNT).sector == "technology"


def test_an_account_segment_holds_its_attributes_and_size_band() -> None:
    assert parse_account(ACCOUNT).segment() == {
        "sector": "technology", "size": "1000-4999", "location": "United States", "revenue_musd": "1100.04",
        "employees": "2822", "established": "1996",
    }


def test_a_subsidiary_names_its_parent_in_the_segment() -> None:
    account = parse_account(ACCOUNT | {"account": "Bluth Company", "subsidiary_of": "Acme Corporation"})
    assert account.segment()["parent"] == "Acme Corporation"


@pytest.mark.parametrize("employees, band", [
    (0, "1-99"), (99, "1-99"), (100, "100-999"), (999, "100-999"), (1000, "1000-4999"), (4999, "1000-4999"),
    (5000, "5000+"), (34288, "5000+"),
])
def test_size_band_follows_employees(employees: int, band: str) -> None:
    assert size_band(employees) == band


@pytest.mark.parametrize("name, email", [
    ("Anna Snelling", "anna.snelling@maven.example"),
    ("Mei-Mei Johns", "mei-mei.johns@maven.example"),
    ("  Zoë  Ångström ", "zoe.angstrom@maven.example"),
])
def test_sales_people_get_an_address_made_from_their_name(name: str, email: str) -> None:
    assert email_for(name) == email


def test_a_won_opportunity_has_its_dates_at_midnight_utc_and_its_value() -> None:
    o = parse_opportunity(WON)
    assert o.engage_date == datetime(2016, 10, 20, tzinfo=timezone.utc)
    assert o.close_date == datetime(2017, 3, 1, tzinfo=timezone.utc)
    assert o.close_value == Decimal("1054")


def test_an_opportunity_without_account_is_kept_without_one() -> None:
    o = parse_opportunity(WON | {"account": "", "deal_stage": "Engaging", "close_date": "", "close_value": ""})
    assert o.account is None and o.stage == "Engaging"


def test_a_stage_is_recognised_in_any_letter_case() -> None:
    assert parse_opportunity(WON | {"deal_stage": "WON"}).stage == "Won"


@pytest.mark.parametrize("changes, reason", [
    ({"opportunity_id": ""}, "opportunity_id is required"),
    ({"sales_agent": ""}, "sales_agent is required"),
    ({"engage_date": "20/10/2016"}, "engage_date '20/10/2016' is not a date"),
    ({"close_date": "2017-02-30"}, "close_date '2017-02-30' is not a date"),
    ({"close_date": "2016-10-19"}, "close_date 2016-10-19 is before engage_date 2016-10-20"),
    ({"close_value": "-5"}, "close_value: must not be negative"),
    ({"close_value": "a lot"}, "close_value: 'a lot' is not a number"),
    ({"close_value": "10.005"}, "close_value: has more than two decimals"),
    ({"close_value": "100000000000000000"}, "close_value: must be at most 1,000,000,000,000"),  # past 64-bit cents
    ({"engage_date": "0001-01-01"}, "engage_date: must be between the years 1900 and 2999"),
    ({"close_date": "9999-12-31"}, "close_date: must be between the years 1900 and 2999"),
    ({"deal_stage": "Negotiating"}, "deal_stage 'Negotiating' is unknown"),
    ({"deal_stage": ""}, "deal_stage (blank) is unknown"),
    ({"close_value": ""}, "close_value is required when deal_stage is Won"),
    ({"close_date": ""}, "close_date is required when deal_stage is Won"),
    ({"engage_date": ""}, "engage_date is required when deal_stage is Won"),
    ({"deal_stage": "Lost", "close_value": "500"}, "close_value must be 0 or blank when deal_stage is Lost"),
    ({"deal_stage": "Engaging"}, "close_date and close_value must be blank when deal_stage is Engaging"),
    ({"deal_stage": "Engaging", "close_date": "", "close_value": "", "engage_date": ""},
     "engage_date is required when deal_stage is Engaging"),
])
def test_a_bad_opportunity_is_refused_with_the_reason(changes: dict[str, str], reason: str) -> None:
    with pytest.raises(RowError) as refused:
        parse_opportunity(WON | changes)
    assert reason in str(refused.value)


@pytest.mark.parametrize("parse, row, reason", [
    (parse_account, ACCOUNT | {"account": ""}, "account is required"),
    (parse_account, ACCOUNT | {"employees": "2.5k"}, "employees '2.5k' is not a whole number"),
    (parse_account, ACCOUNT | {"revenue": "-1"}, "revenue: must not be negative"),
    (parse_product, {"product": "GTX Pro", "series": "GTX", "sales_price": "cheap"},
     "sales_price: 'cheap' is not a number"),
    (parse_product, {"product": "GTX Pro", "series": "GTX", "sales_price": ""}, "sales_price is required"),
    (parse_product, {"product": "GTX Pro", "series": "GTX", "sales_price": "1e17"},
     "sales_price: must be at most 1,000,000,000,000"),
    (parse_team_member, {"sales_agent": "", "manager": "Cara Losch", "regional_office": "East"},
     "sales_agent is required"),
    (parse_team_member, {"sales_agent": "Cara Losch", "manager": "cara losch", "regional_office": "East"},
     "cannot be their own manager"),
])
def test_a_bad_reference_row_is_refused_with_the_reason(parse, row: dict[str, str], reason: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RowError) as refused:
        parse(row)
    assert reason in str(refused.value)


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sales_pipeline.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_rows_carry_their_line_number_past_blank_lines_and_multiline_fields(tmp_path: Path) -> None:
    path = _csv(tmp_path, ",".join(PIPELINE_COLUMNS) + "\n"
                "A1,Anna Snelling,GTX Pro,\"Two\nLines\",Engaging,2016-10-20,,\n"
                "\n"
                "A2,Anna Snelling,GTX Pro,,Engaging,2016-10-20,,\n")
    rows, rejects = read_rows(path, PIPELINE_COLUMNS)
    assert [(r.line, r.values["opportunity_id"]) for r in rows] == [(2, "A1"), (5, "A2")]
    assert rejects == []


def test_a_row_with_the_wrong_number_of_fields_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = _csv(tmp_path, ",".join(PIPELINE_COLUMNS) + "\nA1,Anna Snelling,GTX Pro\n")
    rows, rejects = read_rows(path, PIPELINE_COLUMNS)
    assert rows == []
    assert [(r.line, r.reason, r.raw) for r in rejects] == [
        (2, "has 3 fields; the header has 8", "A1,Anna Snelling,GTX Pro")]


def test_columns_may_come_in_any_order(tmp_path: Path) -> None:
    path = _csv(tmp_path, ",".join(reversed(PIPELINE_COLUMNS)) + "\n,,,Engaging,,GTX Pro,Anna Snelling,A1\n")
    rows, _ = read_rows(path, PIPELINE_COLUMNS)
    assert rows[0].values["opportunity_id"] == "A1" and rows[0].values["deal_stage"] == "Engaging"


@pytest.mark.parametrize("text, message", [
    ("opportunity_id,agent,product,account,deal_stage,engage_date,close_date,close_value,notes\n",
     "sales_pipeline.csv: wrong columns: missing sales_agent; unexpected 'agent', 'notes'"),
    ("", "sales_pipeline.csv: is empty (no header row)"),
    (",".join(PIPELINE_COLUMNS + ("close_value",)) + "\n", "repeated close_value"),
])
def test_a_file_with_the_wrong_columns_is_refused_whole(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(FileRefusedError) as refused:
        read_rows(_csv(tmp_path, text), PIPELINE_COLUMNS)
    assert message in str(refused.value)


def test_a_file_that_is_not_utf8_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "sales_pipeline.csv"
    path.write_bytes(",".join(PIPELINE_COLUMNS).encode() + b"\nok,row\nCaf\xe9 Oslo,row\n")
    with pytest.raises(FileRefusedError, match="not UTF-8 text on line 3 "):
        read_rows(path, PIPELINE_COLUMNS)
