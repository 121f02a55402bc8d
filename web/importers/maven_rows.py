"""The rows of the Maven CRM files, parsed and normalised: pure functions, no storage.

Each ``parse_*`` takes one row (column -> stripped text) and returns a frozen dataclass or
raises ``RowError`` with the reason. Normalised, not refused: the sector spelled
``technolgy``, stages in any letter case, and (in ``maven_sync``) product spellings such as
``GTXPro`` for ``GTX Pro``, through ``product_key``.

Choices: a company's size band comes from its employees: ``1-99``, ``100-999``,
``1000-4999``, ``5000+``. Sales people have no email address in the data; one is made
from the name: ``Anna Snelling`` -> ``anna.snelling@maven.example``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

from domain.clock import NOT_YET, not_yet_happened
from domain.errors import InvalidValueError
from domain.values import aware, money
from web.importers.csvfiles import RowError

ACCOUNT_COLUMNS = ("account", "sector", "year_established", "revenue", "employees", "office_location", "subsidiary_of")
PRODUCT_COLUMNS = ("product", "series", "sales_price")
TEAM_COLUMNS = ("sales_agent", "manager", "regional_office")
PIPELINE_COLUMNS = ("opportunity_id", "sales_agent", "product", "account", "deal_stage",
                    "engage_date", "close_date", "close_value")

PROSPECTING, ENGAGING, WON, LOST = "Prospecting", "Engaging", "Won", "Lost"
STAGES = (PROSPECTING, ENGAGING, WON, LOST)
SECTOR_SPELLINGS = {"technolgy": "technology"}
SIZE_BANDS = ((5000, "5000+"), (1000, "1000-4999"), (100, "100-999"), (0, "1-99"))
EMAIL_DOMAIN = "maven.example"


@dataclass(frozen=True)
class Account:
    name: str
    sector: str | None
    established: int | None
    revenue_musd: Decimal | None
    employees: int | None
    location: str | None
    parent: str | None

    def segment(self) -> dict[str, str]:
        """The customer's segment attributes; blank ones are left out."""
        values = {
            "sector": self.sector, "size": size_band(self.employees), "location": self.location,
            "revenue_musd": self.revenue_musd, "employees": self.employees,
            "established": self.established, "parent": self.parent,
        }
        return {key: str(value) for key, value in values.items() if value is not None}


SEGMENT_KEYS = ("sector", "size", "location", "revenue_musd", "employees", "established", "parent")


@dataclass(frozen=True)
class ProductRow:
    name: str
    series: str | None
    list_price: Decimal


@dataclass(frozen=True)
class TeamRow:
    agent: str
    agent_email: str
    manager: str | None
    manager_email: str | None
    office: str | None


@dataclass(frozen=True)
class Opportunity:
    id: str
    agent: str
    product: str
    account: str | None
    stage: str
    engage_date: datetime | None
    close_date: datetime | None
    close_value: Decimal | None


def parse_account(row: dict[str, str]) -> Account:
    sector = row["sector"].lower() or None
    if row["subsidiary_of"] and row["subsidiary_of"].lower() == row["account"].lower():
        raise RowError("subsidiary_of names the account itself")
    return Account(
        name=required(row, "account"),
        sector=SECTOR_SPELLINGS.get(sector, sector) if sector else None,
        established=whole_number(row, "year_established"),
        revenue_musd=amount(row, "revenue"),
        employees=whole_number(row, "employees"),
        location=row["office_location"] or None,
        parent=row["subsidiary_of"] or None,
    )


def parse_product(row: dict[str, str]) -> ProductRow:
    price = amount(row, "sales_price")
    if price is None:
        raise RowError("sales_price is required")
    return ProductRow(name=required(row, "product"), series=row["series"] or None, list_price=price)


def parse_team_member(row: dict[str, str]) -> TeamRow:
    agent = required(row, "sales_agent")
    manager = row["manager"] or None
    agent_email, manager_email = email_for(agent), email_for(manager) if manager else None
    if agent_email == manager_email:
        raise RowError(f"sales agent {agent} cannot be their own manager")
    return TeamRow(agent, agent_email, manager, manager_email, office=row["regional_office"] or None)


def happened(o: Opportunity, now: datetime) -> Opportunity:
    """Business time is what has happened: a date after ``now`` is refused, as the panel and the
    API refuse one (a deal closed in 2099 would sit in no stage of today's funnel)."""
    for column, when in (("engage_date", o.engage_date), ("close_date", o.close_date)):
        if when is not None and not_yet_happened(when, now):
            raise RowError(f"{column} {when:%Y-%m-%d} {NOT_YET}")
    return o


def parse_opportunity(row: dict[str, str]) -> Opportunity:
    opportunity = Opportunity(
        id=required(row, "opportunity_id"), agent=required(row, "sales_agent"),
        product=required(row, "product"), account=row["account"] or None, stage=stage(row["deal_stage"]),
        engage_date=day(row, "engage_date"), close_date=day(row, "close_date"),
        close_value=amount(row, "close_value"),
    )
    check_stage_fields(opportunity)
    return opportunity


def check_stage_fields(o: Opportunity) -> None:
    """Which dates and values each stage needs, and that they agree with each other."""
    if o.stage in (PROSPECTING, ENGAGING):
        if o.close_date is not None or o.close_value is not None:
            raise RowError(f"close_date and close_value must be blank when deal_stage is {o.stage} (an open deal)")
    else:
        if o.close_date is None:
            raise RowError(f"close_date is required when deal_stage is {o.stage}")
        if o.stage == WON and o.close_value is None:
            raise RowError("close_value is required when deal_stage is Won")
        if o.stage == LOST and o.close_value:
            raise RowError(f"close_value must be 0 or blank when deal_stage is Lost, not {o.close_value}")
    if o.stage != PROSPECTING and o.engage_date is None:
        raise RowError(f"engage_date is required when deal_stage is {o.stage}")
    if o.close_date is not None and o.engage_date is not None and o.close_date < o.engage_date:
        raise RowError(f"close_date {o.close_date:%Y-%m-%d} is before engage_date {o.engage_date:%Y-%m-%d}")


def email_for(name: str) -> str:
    """The synthesised address of a sales person: ``Mei-Mei Johns`` -> ``mei-mei.johns@maven.example``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    local = re.sub(r"[^a-z0-9-]+", ".", ascii_name).strip(".-")
    if not local:
        raise RowError(f"cannot make an email address from the name {name!r}")
    return f"{local}@{EMAIL_DOMAIN}"


def size_band(employees: int | None) -> str | None:
    if employees is None:
        return None
    return next(label for floor, label in SIZE_BANDS if employees >= floor)


def stage(value: str) -> str:
    for known in STAGES:
        if value.lower() == known.lower():
            return known
    shown = repr(value) if value else "(blank)"
    raise RowError(f"deal_stage {shown} is unknown; expected one of {', '.join(STAGES)}")


def required(row: dict[str, str], column: str) -> str:
    if not row[column]:
        raise RowError(f"{column} is required")
    return row[column]


def whole_number(row: dict[str, str], column: str) -> int | None:
    value = row[column]
    if not value:
        return None
    if not re.fullmatch(r"\d+", value):
        raise RowError(f"{column} {value!r} is not a whole number of at least 0")
    return int(value)


def amount(row: dict[str, str], column: str) -> Decimal | None:
    """A non-negative amount with at most two decimals (the domain's money rule)."""
    if not row[column]:
        return None
    try:
        return money(column, row[column])
    except InvalidValueError as exc:
        raise RowError(str(exc)) from None


def day(row: dict[str, str], column: str) -> datetime | None:
    """A date (YYYY-MM-DD) as 00:00 UTC of that day: Maven dates carry no time or zone."""
    value = row[column]
    if not value:
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise RowError(f"{column} {value!r} is not a date (YYYY-MM-DD)") from None
    try:
        return aware(column, datetime(parsed.year, parsed.month, parsed.day, tzinfo=timezone.utc))
    except InvalidValueError as exc:
        raise RowError(str(exc)) from None
