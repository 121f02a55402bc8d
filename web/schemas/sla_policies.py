"""Schemas of the SLA policy endpoints: a policy's conditions, targets and calendar, in and out.

The shape is checked here (unknown fields, types, ranges); what needs the whole policy
(intervals in order and not overlapping, an overnight interval not running into the next
day's hours, real dates and time zones) is checked by the domain (``domain.sla.shape``),
whose errors name the field the same way (``calendar.hours.mon``): either way a 422
naming the field, and nothing written.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from marshmallow import Schema, ValidationError, fields, validate

from domain.cases.model import PRIORITIES
from domain.sla.calendar import WEEKDAYS
from domain.sla.shape import MAX_MINUTES, MAX_POSITION, TARGET_KINDS
from domain.touchpoints.model import CHANNELS
from projections.queries.sla_policies import POLICY_SORTS
from web.schemas.common import BoundedList, ListQuerySchema, Text, WriteSchema, page_schema, sort_field

HHMM = r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"
DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _timezone(value: str) -> None:
    if value not in _zones():
        raise ValidationError("is not an IANA time zone (such as Europe/Berlin)")


class SlaTargetSchema(Schema):
    minutes = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=MAX_MINUTES))
    business_hours = fields.Boolean(load_default=True, metadata={
        "description": "true: minutes of the calendar's business hours; false: calendar (elapsed) minutes."})


TargetKindsSchema = Schema.from_dict({kind: fields.Nested(SlaTargetSchema) for kind in TARGET_KINDS},
                                     name="SlaTargetKinds")
TargetsSchema = Schema.from_dict({priority: fields.Nested(TargetKindsSchema) for priority in PRIORITIES},
                                 name="SlaTargets")


def _interval() -> fields.List:
    return BoundedList(fields.String(validate=validate.Regexp(HHMM, error="must be a time like 09:30")),
                       least=2, most=2, metadata={
                           "description": "[start, end], local times; an end before the start runs overnight "
                                          "into the next day (only the day's last interval may)."})


WeekSchema = Schema.from_dict({day: BoundedList(_interval(), most=24) for day in WEEKDAYS},
                              name="SlaWeeklyHours")


class SlaCalendarSchema(Schema):
    timezone = fields.String(required=True, validate=[validate.Length(max=64), _timezone],
                             metadata={"description": "IANA time zone."})
    hours = fields.Nested(WeekSchema, required=True, metadata={
        "description": "Business hours per weekday (mon...sun), e.g. split days [[\"09:00\", \"12:30\"], "
                       "[\"13:30\", \"17:00\"]]; a day left out is closed."})
    holidays = BoundedList(fields.String(validate=validate.Regexp(DAY, error="must be a date like 2026-12-25"),
                                         metadata={"format": "date"}),
                           load_default=list, most=1000,
                           metadata={"description": "Local dates closed all day."})


class SlaConditionsSchema(Schema):
    priority = BoundedList(fields.String(validate=validate.OneOf(PRIORITIES)), least=1, most=len(PRIORITIES))
    channel = BoundedList(fields.String(validate=validate.OneOf(CHANNELS)), least=1, most=len(CHANNELS))
    segment = BoundedList(fields.String(validate=[validate.Length(max=200), validate.Regexp(
        r"^[^=\u0000]+=[^\u0000]*$", error="must be attribute=value")]), least=1, most=100, metadata={
                              "description": "Customer segment attributes such as sector=retail (any one matches)."})


_POSITION = {"strict": True, "validate": validate.Range(min=-MAX_POSITION, max=MAX_POSITION)}
_POSITION_DOC = "Lower positions are tried first (equal ones in order of definition); the first match applies."


class DefineSlaPolicySchema(WriteSchema):
    name = Text(required=True, min_length=1, max_length=200)
    position = fields.Integer(**_POSITION, metadata={"description": _POSITION_DOC + " Default: after all others."})
    conditions = fields.Nested(SlaConditionsSchema, load_default=dict, metadata={
        "description": "Which cases it covers: all listed conditions must hold; none covers every case."})
    targets = fields.Nested(TargetsSchema, required=True, metadata={
        "description": "Per priority, the minutes allowed for first_response, next_response and resolution."})
    calendar = fields.Nested(SlaCalendarSchema, required=True)


class ReviseSlaPolicySchema(DefineSlaPolicySchema):
    """A revision replaces the whole policy: every field is given again."""

    position = fields.Integer(required=True, **_POSITION, metadata={"description": _POSITION_DOC})
    conditions = fields.Nested(SlaConditionsSchema, required=True, metadata={
        "description": "Which cases it covers; {} covers every case."})


class RetireSlaPolicySchema(WriteSchema):
    reason = Text(required=True, min_length=1, max_length=2000)


class ReorderSlaPoliciesSchema(WriteSchema):
    policy_ids = BoundedList(fields.UUID(), least=1, most=1000, required=True, metadata={
        "description": "Every policy in force, once, in the order they are to be tried."})


class SlaPolicyQuerySchema(ListQuerySchema):
    active = fields.Boolean(metadata={"description": "true: only policies in force; false: only retired ones."})
    sort = sort_field(POLICY_SORTS)


class SlaPolicySchema(Schema):
    id = fields.UUID(required=True, attribute="policy_id")
    name = fields.String(required=True)
    version = fields.Integer(required=True, metadata={"description": "Send as If-Match to change or retire it."})
    position = fields.Integer(required=True, metadata={"description": _POSITION_DOC})
    active = fields.Boolean(required=True, metadata={"description": "false once retired."})
    conditions = fields.Nested(SlaConditionsSchema, required=True)
    targets = fields.Nested(TargetsSchema, required=True)
    calendar = fields.Nested(SlaCalendarSchema, required=True)
    defined_at = fields.AwareDateTime(required=True)
    changed_at = fields.AwareDateTime(required=True)
    retired_at = fields.AwareDateTime(required=True, allow_none=True)


class SlaPolicyVersionSchema(Schema):
    version = fields.Integer(required=True, metadata={"description": "The version cases name (policy_version)."})
    name = fields.String(required=True)
    position = fields.Integer(required=True)
    conditions = fields.Nested(SlaConditionsSchema, required=True)
    targets = fields.Nested(TargetsSchema, required=True)
    calendar = fields.Nested(SlaCalendarSchema, required=True)
    valid_from = fields.AwareDateTime(required=True, metadata={"description": "When it was defined (business time)."})


SlaPolicyPageSchema = page_schema(SlaPolicySchema, "SlaPolicyPage")
SlaPolicyVersionPageSchema = page_schema(SlaPolicyVersionSchema, "SlaPolicyVersionPage")


def command_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The command's keyword arguments from a loaded definition or revision."""
    return {key: body[key] for key in ("name", "position", "conditions", "targets", "calendar") if key in body}
