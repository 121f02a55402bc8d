"""Fields and schemas every endpoint shares: safe text, instants, pages, errors, receipts.

Input is checked here so that nothing the database or a projection would choke on
reaches a command: text without NUL characters, instants within years 1900-2999, and
numbers within the columns' ranges. Bad input is a 422 naming the field, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates

from domain.clock import NOT_YET, not_yet_happened
from domain.errors import InvalidValueError
from domain.values import EARLIEST_YEAR, LATEST_YEAR, MAX_MONEY
from projections.queries.paging import Sorting
from web.services import services

MAX_BIGINT = 2**63 - 1
NO_NUL = r"^[^\u0000]*$"
MIN_POSITION = ("Read-your-writes: wait (a few seconds at most) until the projections have applied this event "
                "position (the position a write returned).")



def domain_rule(check: Callable[[str, Any], Any]) -> Callable[[Any], None]:
    """A marshmallow validator from a ``domain.values`` check (``check(field, value)``): the
    domain's own rule and message, on the field, before any command runs."""
    def validator(value: Any) -> None:
        try:
            check("value", value)
        except InvalidValueError as exc:
            raise ValidationError(exc.message) from None
    return validator

class Text(fields.String):
    """A string without NUL characters (PostgreSQL text cannot hold them). The NUL check is
    made here rather than by a ``Regexp`` validator (a third of a string's load), and the
    pattern is still documented."""

    def __init__(self, *, max_length: int | None = None, min_length: int | None = None, **kwargs: Any) -> None:
        checks = [validate.Length(min=min_length, max=max_length)] \
            if max_length is not None or min_length is not None else []
        kwargs["metadata"] = {"pattern": NO_NUL, **kwargs.get("metadata", {})}
        super().__init__(validate=[*checks, *([kwargs.pop("validate")] if "validate" in kwargs else [])], **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        result = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in result:
            raise ValidationError("must not contain NUL characters")
        try:
            result.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("is not valid Unicode text") from None
        return result


class Colleague(Text):
    """Whom work is given to: ``user:<id>`` of an active admin or agent (``Touchline.is_staff``),
    as the panel offers them; anything else would drop a case or a promise out of every queue."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_length=1, max_length=200, metadata={
            "description": "user:<id> of an active admin or agent, as reads show them (a case's assignee, "
                           "a deal's owner)."}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        ref = super()._deserialize(value, attr, data, **kwargs)
        if not services().app.is_staff(ref):
            raise ValidationError("must be user:<id> of an active admin or agent")
        return ref


class Instant(fields.AwareDateTime):
    """An ISO 8601 date and time with a timezone (naive times are refused), years 1900-2999."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        result = super()._deserialize(value, attr, data, **kwargs)
        try:
            utc = result.astimezone(UTC)
        except OverflowError:
            raise ValidationError("is out of range") from None
        if not EARLIEST_YEAR <= utc.year <= LATEST_YEAR:
            raise ValidationError(f"must be between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
        return result


def Day(**kwargs: Any) -> fields.Date:  # a field, named like one
    return fields.Date(validate=validate.Range(min=date(1900, 1, 1), max=date(2999, 12, 31)), **kwargs)


class Amount(fields.Decimal):
    """Money in: a number (or numeric string) from 0 to a trillion, loaded as an exact Decimal."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=validate.Range(min=0, max=int(MAX_MONEY)), allow_nan=False, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        # Only the document's minimum/maximum go through here: they must be JSON numbers.
        result = super()._serialize(value, attr, obj, **kwargs)
        return None if result is None else float(result)


def Position(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=False, validate=validate.Range(min=0, max=MAX_BIGINT), **kwargs)


class ErrorSchema(Schema):
    """Every 4xx (and 5xx) answer has this shape."""

    code = fields.String(required=True, metadata={"description": "Machine-readable error code, e.g. "
                                                                 "validation_failed, unauthorized, not_found."})
    message = fields.String(required=True, metadata={"description": "What went wrong, for a person."})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True,
                         metadata={"description": "Messages by field (request body fields, query parameters, "
                                                  "or headers such as If-Match); empty when no field is at fault."})


class ListQuerySchema(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500),
                           metadata={"description": "Items per page (1-500)."})
    cursor = Text(max_length=2000, metadata={"description": "The next_cursor of the previous page."})
    min_position = Position(metadata={"description": MIN_POSITION})


def sort_field(sorting: Sorting) -> fields.String:
    """The ``sort`` parameter of a list: one of the listing's keys, ``-key`` for descending."""
    keys = ", ".join(f"`{key}`" for key in sorting.keys)
    return fields.String(load_default=sorting.default, validate=validate.OneOf(sorting.options), metadata={
        "description": f"Order of the items: {keys}; ascending, or descending with a leading `-` "
                       f"(`-{next(iter(sorting.keys))}`). Ties are broken by the record's id (the timeline's "
                       "by position), in the same direction. NULLs come last ascending, first descending. "
                       "A cursor only continues the sort it was made with."})


class ReadQuerySchema(Schema):
    min_position = Position(metadata={"description": MIN_POSITION})


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """A page of ``item``: ``{"items": [...], "next_cursor": "..." | null}``."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item), required=True),
        "next_cursor": fields.String(allow_none=True, required=True,
                                     metadata={"description": "Pass as cursor for the next page; null on the "
                                                              "last page."}),
    }, name=name)


class BoundedList(fields.List):
    """An input list of ``least`` to ``most`` items, its length checked before any item is
    loaded: marshmallow checks it after, so 50,000 empty objects (a 200 KB body) took 9 s and
    answered 32 MB of errors before "at most 100" was said."""

    def __init__(self, item: fields.Field, *, most: int, least: int = 0, **kwargs: Any) -> None:
        self.length = validate.Length(equal=most) if least == most else validate.Length(min=least or None, max=most)
        super().__init__(item, validate=self.length, **kwargs)  # also what the OpenAPI document states

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if isinstance(value, list | tuple):
            self.length(value)
        items: list[Any] = super()._deserialize(value, attr, data, **kwargs)
        return items


class Segment(fields.Dict):
    """A customer's segment: up to 20 attributes (sector, size, location...), each name 1-50 and
    each value up to 50 characters. The count is stated as ``maxProperties``: a length validator
    would read as ``maxLength``, which means nothing on an object."""

    MOST = 20

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(keys=Text(min_length=1, max_length=50), values=Text(max_length=50),
                         metadata={"maxProperties": self.MOST, **kwargs.pop("metadata", {})}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict[str, Any]:
        if isinstance(value, dict) and len(value) > self.MOST:
            raise ValidationError(f"at most {self.MOST} attributes")
        found: dict[str, Any] = super()._deserialize(value, attr, data, **kwargs)
        return found


class ReceiptSchema(Schema):
    """What every write returns."""

    id = fields.UUID(required=True, metadata={"description": "The record written."})
    version = fields.Integer(required=True, metadata={"description": "Its version now: send it as If-Match "
                                                                     "to make the next change conditional."})
    position = fields.Integer(required=True, allow_none=True,
                              metadata={"description": "Event position of the write (null when nothing changed): "
                                                       "pass it as min_position to read your write."})


class BatchReceiptSchema(Schema):
    """What a batch write returns: every record's receipt, in the order they were sent."""

    items = fields.List(fields.Nested(ReceiptSchema), required=True)
    position = fields.Integer(required=True, allow_none=True,
                              metadata={"description": "Event position of the batch's last event: pass it as "
                                                       "min_position to read every record of the batch."})


class WriteSchema(Schema):
    """Fields every command body accepts."""

    occurred_at = Instant(metadata={"description": "When it happened in the world (business time), at most 5 "
                                                   "minutes ahead of the server's clock. Default: now."})

    @validates("occurred_at")
    def _has_happened(self, value: datetime, **kwargs: Any) -> None:
        if not_yet_happened(value, services().clock.now()):
            raise ValidationError(NOT_YET)


class HandOverSchema(WriteSchema):
    """An open promise or deal given to a colleague."""

    owner = Colleague(required=True)  # who owns it from now on (they are reminded of it)
    note = Text(load_default="", max_length=2000, metadata={"description": "What the new owner needs to know."})
