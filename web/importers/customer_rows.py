"""The rows of a customers CSV file (a migration from another help desk or CRM), parsed and
checked by the domain's own rules: pure functions, no storage.

Columns, in any order (``External ID`` is ``external_id``); only a name is required:

- ``external_id``: the customer's id in the system the file comes from; re-importing the file
  updates the same customers (``imported_customer_id(source, external_id)``, letter case included);
- ``name`` (or ``first_name`` and ``last_name``, as many exports have it), ``kind`` (``person`` or
  ``company``; blank: person);
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
from domain.values import name_text, one_of
from web.importers.csvfiles import RowError, refuse_header

SEGMENT_COLUMNS = ("sector", "size", "location")
SEGMENT_PREFIX = "segment."
COLUMNS = ("external_id", "name", "first_name", "last_name", "kind", *CONTACT_KINDS, *SEGMENT_COLUMNS)


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


IGNORED = "ignored:"  # the key of a column read past (``check_header(..., ignore_other=True)``)


def check_header(file: str, names: list[str], *, ignore_other: bool = False) -> list[str]:
    """The header's column names as keys (``External ID`` -> ``external_id``); refuses unknown,
    repeated or missing columns (a misspelt ``emial`` would otherwise be dropped silently), unless
    ``ignore_other``: then the columns it does not know (a real export's "Lifecycle stage", "Owner")
    are read past, keyed ``ignored:<place>:<name>``."""
    keys = [_key(name) for name in names]
    unknown = [i for i, key in enumerate(keys) if key not in COLUMNS
               and not (key.startswith(SEGMENT_PREFIX) and 0 < len(key) - len(SEGMENT_PREFIX) <= 50)]
    if ignore_other:
        keys = [f"{IGNORED}{i}:{names[i]}" if i in unknown else key for i, key in enumerate(keys)]
        unknown = []
    has_name = "name" in keys or "first_name" in keys or "last_name" in keys
    refuse_header(file, missing=[] if has_name else ["name (or first_name and last_name)"], names=keys,
                  unexpected=[names[i] for i in unknown],
                  expected=f"known: {', '.join(COLUMNS)}, and any segment attribute as {SEGMENT_PREFIX}<name> "
                           "(a name of up to 50 characters)")
    return keys


def ignored_columns(keys: list[str]) -> list[str]:
    """The names of the columns ``check_header`` read past."""
    return [key.split(":", 2)[2] for key in keys if key.startswith(IGNORED)]


def _key(name: str) -> str:
    """A header name as its column's key: ``External ID`` -> ``external_id``; ``segment.Sector`` is
    ``sector`` (so that a file holding both is refused as repeating it)."""
    key = re.sub(r"[\s-]+", "_", name.lower())
    return key.removeprefix(SEGMENT_PREFIX) if key.removeprefix(SEGMENT_PREFIX) in SEGMENT_COLUMNS else key


def parse_customer(row: dict[str, str]) -> CustomerRow:
    """One row as the domain would register it; ``RowError`` naming the column otherwise."""
    try:
        external_id = (name_text("external_id", row["external_id"], max_length=200)
                       if row.get("external_id") else None)
        given = row.get("name") or " ".join(row[k] for k in ("first_name", "last_name") if row.get(k))
        name = name_text("name", given, max_length=300)
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
    if kind != "address" and ("\n" in value or "\r" in value):
        raise InvalidValueError(kind, "holds line breaks (only an address may)")
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
