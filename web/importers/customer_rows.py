"""The rows of a customers CSV file (a migration from another help desk or CRM), parsed and
checked by the domain's own rules: pure functions, no storage.

Columns, in any order (``External ID`` is ``external_id``); only ``name`` is required:

- ``external_id``: the customer's id in the system the file comes from; re-importing the file
  updates the same customers (``customer_id_for(source, external_id)``);
- ``name``, ``kind`` (``person`` or ``company``; blank: person);
- one column per kind of contact point: ``email``, ``phone``, ``mobile``, ``address``,
  ``messenger``, ``social``, ``website``;
- segment attributes: ``sector``, ``size`` and ``location`` (the panel's), and any other as
  ``segment.<name>`` (``segment.tier``).

A row needs an ``external_id`` or an ``email``: without either, a second import of the file
could not tell the customer from a new one. A blank cell leaves what Touchline knows as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.customers.model import (
    CONTACT_KINDS,
    CUSTOMER_KINDS,
    clean_contact_points,
    clean_segment,
)
from domain.errors import InvalidValueError
from domain.values import name_text, one_of, text
from web.importers.csvfiles import RowError, refuse_header

SEGMENT_COLUMNS = ("sector", "size", "location")
SEGMENT_PREFIX = "segment."
COLUMNS = ("external_id", "name", "kind", *CONTACT_KINDS, *SEGMENT_COLUMNS)
REQUIRED = ("name",)


@dataclass(frozen=True)
class CustomerRow:
    external_id: str | None
    name: str
    kind: str | None  # None: the column was blank (a new customer is a person; a known one keeps theirs)
    contact_points: list[dict[str, str]]
    segment: dict[str, str]

    @property
    def email(self) -> str | None:
        return next((p["value"] for p in self.contact_points if p["kind"] == "email"), None)


def check_header(file: str, names: list[str]) -> list[str]:
    """The header's column names as keys (``External ID`` -> ``external_id``); refuses unknown,
    repeated or missing columns (a misspelt ``emial`` would otherwise be dropped silently)."""
    keys = [re.sub(r"[\s-]+", "_", name.lower()) for name in names]
    refuse_header(file, missing=[key for key in REQUIRED if key not in keys], names=keys,
                  unexpected=[name for name, key in zip(names, keys) if key not in COLUMNS
                              and not (key.startswith(SEGMENT_PREFIX) and len(key) > len(SEGMENT_PREFIX))],
                  expected=f"known: {', '.join(COLUMNS)}, and any segment attribute as {SEGMENT_PREFIX}<name>")
    return keys


def parse_customer(row: dict[str, str]) -> CustomerRow:
    """One row as the domain would register it; ``RowError`` naming the column otherwise."""
    try:
        external_id = text("external_id", row.get("external_id"), required=False, max_length=200) or None
        name = name_text("name", row.get("name"), max_length=300)
        kind = one_of("kind", row["kind"].lower(), CUSTOMER_KINDS) if row.get("kind") else None
        points = [_contact_point(kind, row[kind]) for kind in CONTACT_KINDS if row.get(kind)]
        segment = {key: value for column, value in row.items() if value
                   for key, value in _segment_value(column, value).items()}
    except InvalidValueError as exc:
        raise RowError(f"{exc.field}: {exc.message}") from None
    parsed = CustomerRow(external_id, name, kind, points, segment)
    if external_id is None and parsed.email is None:
        raise RowError("external_id or email is required (without either, importing the file again would "
                       "register the customer again)")
    return parsed


def _contact_point(kind: str, value: str) -> dict[str, str]:
    try:
        return clean_contact_points([{"kind": kind, "value": value}])[0]
    except InvalidValueError as exc:
        raise InvalidValueError(kind, exc.message) from None  # named by its column


def _segment_value(column: str, value: str) -> dict[str, str]:
    """``{attribute: value}`` for a segment column, else nothing."""
    if column not in SEGMENT_COLUMNS and not column.startswith(SEGMENT_PREFIX):
        return {}
    try:
        return clean_segment({column.removeprefix(SEGMENT_PREFIX): value})
    except InvalidValueError as exc:
        raise InvalidValueError(column, exc.message) from None  # named by its column
