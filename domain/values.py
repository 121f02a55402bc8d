"""Small value checks shared by every aggregate: they fail with ``InvalidValueError``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import InvalidValueError

# Instants outside these years are typing errors; near year 1 or 9999, showing one in another
# time zone would overflow Python's dates.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999
# Amounts are kept in cents in 64-bit integers, and summed: a trillion leaves room for millions of them.
MAX_MONEY = Decimal(10**12)
# What a person may write at once: a case's description, a reply, a customer's message. A message
# out holds one of them and a little more (greeting, footer), so its bound is larger.
LONG_TEXT = 50_000
MESSAGE_BODY = LONG_TEXT + 2_000


def aware(field: str, value: datetime) -> datetime:
    """Return ``value`` if it is a timezone-aware datetime within ``EARLIEST_YEAR``-``LATEST_YEAR``
    (in UTC), else fail naming ``field``. Naive datetimes are refused everywhere: a time
    without a zone is a guess.
    """
    if not isinstance(value, datetime):
        raise InvalidValueError(field, "must be a date and time")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValueError(field, "must include a timezone (naive datetimes are refused)")
    try:
        year = value.astimezone(UTC).year
    except OverflowError:
        year = 0
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise InvalidValueError(field, f"must be between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


def one_of(field: str, value: str, allowed: Iterable[str]) -> str:
    """Return ``value`` if it is in ``allowed``, else fail listing the choices."""
    choices = tuple(allowed)
    if value not in choices:
        raise InvalidValueError(field, f"unknown value {value!r}; expected one of {', '.join(choices)}")
    return value


def storable(value: str) -> bool:
    """Whether both databases can keep ``value`` as text: no lone surrogate (e.g. from undecodable
    bytes in a command line) and no NUL (PostgreSQL's text columns cannot hold it: the
    projections would stop there)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def text(field: str, value: str | None, *, required: bool = True, max_length: int = 10_000) -> str:
    """Return ``value`` stripped; fail when required and blank, or when too long."""
    if value is not None and not isinstance(value, str):
        raise InvalidValueError(field, "must be text")
    cleaned = (value or "").strip()
    if not storable(cleaned):
        raise InvalidValueError(field, "holds a NUL character" if "\x00" in cleaned
                                else "holds characters that are not valid text")
    if required and not cleaned:
        raise InvalidValueError(field, "is required")
    if len(cleaned) > max_length:
        raise InvalidValueError(field, f"is longer than {max_length} characters")
    return cleaned


# Line breaks and other control characters, and the marks that reorder the text around them
# (bidi embeddings, overrides, isolates): a name is shown inside lists and sentences, where
# "\u202eAda" would reverse what follows it. Plain right-to-left names need none of them.
_NOT_IN_A_NAME = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def name_text(field: str, value: str | None, *, max_length: int) -> str:
    """A person's or company's name: ``text``, on one line, without marks that reorder text."""
    cleaned = text(field, value, max_length=max_length)
    if not is_plain_name(cleaned):
        raise InvalidValueError(field, "holds line breaks or invisible control characters")
    return cleaned


def is_plain_name(value: str) -> bool:
    return _NOT_IN_A_NAME.search(value) is None


def money(field: str, value: Decimal | int | str) -> Decimal:
    """Return ``value`` as a non-negative Decimal with at most two decimals."""
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise InvalidValueError(field, f"{value!r} is not a number") from None
    if not amount.is_finite():
        raise InvalidValueError(field, "must be a finite number")
    if amount < 0:
        raise InvalidValueError(field, "must not be negative")
    if amount > MAX_MONEY:
        raise InvalidValueError(field, f"must be at most {MAX_MONEY:,}")
    try:
        cents = amount.quantize(Decimal("0.01"))
    except ArithmeticError:  # too many digits to hold to the cent
        raise InvalidValueError(field, f"{value!r} is too large") from None
    if amount != cents:
        raise InvalidValueError(field, "has more than two decimals")
    return amount


def email_address(field: str, value: str) -> str:
    """Return ``value`` as a lower-case address like ``name@example.com``, else fail naming ``field``."""
    address = text(field, value, max_length=254).lower()
    local, at, domain = address.partition("@")
    labels = domain.split(".")
    if not at or not local or "@" in domain or len(labels) < 2 or not all(labels) or " " in address:
        raise InvalidValueError(field, f"{value!r} is not an email address")
    return address


def clean_timezone(field: str, value: str) -> str:
    """An IANA time zone name such as Europe/Berlin."""
    name = text(field, value, max_length=64)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValueError(field, f"{name!r} is not an IANA time zone (such as Europe/Berlin)") from None
    return name


def digits_of(value: str | None) -> str:
    """A phone number's digits ("+1 (555) 010-2030" -> "15550102030"): how numbers written
    differently are compared."""
    return "".join(c for c in value or "" if c.isdigit())


_PHONE_CHARS = frozenset("0123456789 +-()./")
_EXTENSION = re.compile(r"\s*(?:ext\.?|x)\s*\d{1,6}$", re.IGNORECASE)


def phone_number(field: str, value: str) -> str:
    """Return ``value`` if it reads as a phone number (digits, spaces, ``+-()./``, at least 5
    digits, perhaps an extension such as ``ext. 12``), else fail naming ``field``: a number
    the scheduler would text or an agent would dial."""
    number = _EXTENSION.sub("", value)
    if not set(number) <= _PHONE_CHARS or sum(c.isdigit() for c in number) < 5:
        raise InvalidValueError(field, f"{value!r} is not a phone number")
    return value


def actor_id(value: str) -> str:
    """Who acted: ``user:<id>``, ``api:<token name>``, ``system:<process>``, ``customer:<id>``."""
    return text("actor", value, max_length=200)
