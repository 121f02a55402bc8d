"""Schemas of the SLA read endpoints: breaches, at-risk targets, compliance, a case's `sla` block."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from domain.cases.model import PRIORITIES
from domain.sla.shape import MAX_MINUTES, TARGET_KINDS
from domain.touchpoints.model import CHANNELS
from projections.queries.paging import MAX_LIMIT
from projections.queries.sla import GROUPS, PERIODS
from web.schemas.common import Day, Instant, ReadQuerySchema, Text, page_schema

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class AsOf(fields.String):
    """A business date (meaning the end of that day, UTC) or an instant with a timezone."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        if isinstance(value, str) and _DATE.match(value):
            day: date = Day().deserialize(value, attr, data)
            return datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.utc) - timedelta(microseconds=1)
        try:
            instant: datetime = Instant().deserialize(value, attr, data)
        except ValidationError:
            raise ValidationError("must be a date (2026-03-31) or a date and time with a timezone") from None
        return instant


def as_of_field(what: str) -> AsOf:
    return AsOf(metadata={"description": f"{what} as of a past date (the end of that day, UTC) or instant "
                                         "(ISO 8601 with a timezone). Default: now."})


class SlaFilterSchema(ReadQuerySchema):
    target = fields.String(validate=validate.OneOf(TARGET_KINDS))
    assignee = Text(max_length=200, metadata={"description": "Agent (user id) the case is assigned to."})
    team = Text(max_length=100)
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    channel = fields.String(validate=validate.OneOf(CHANNELS))


def _limit(description: str) -> fields.Integer:
    return fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_LIMIT),
                          metadata={"description": description})


def _cursor() -> Text:
    return Text(max_length=2000, metadata={"description": "The next_cursor of the previous page."})


class BreachQuerySchema(SlaFilterSchema):
    as_of = as_of_field("Breaches")
    limit = _limit(f"Breaches looked at per page, the latest first (1-{MAX_LIMIT}). A page can hold fewer: a "
                   "target whose clock, measured exactly, is not breached is left out. Only a null next_cursor "
                   "ends the list.")
    cursor = _cursor()


class AtRiskQuerySchema(SlaFilterSchema):
    as_of = as_of_field("Targets at risk")
    limit = _limit(f"Items per page, the soonest due first (1-{MAX_LIMIT}).")
    cursor = _cursor()
    share = fields.Float(validate=validate.Range(min=0, max=1, max_inclusive=False), metadata={
        "description": "Targets with at least this share of their time used (default 0.75)."})
    minutes_left = fields.Float(validate=validate.Range(min=0, max=MAX_MINUTES), metadata={
        "description": "Instead of share: targets with at most this many minutes left (business or calendar, as "
                       "the target counts)."})

    @validates_schema
    def one_threshold(self, data: dict[str, object], **kwargs: object) -> None:
        if "share" in data and "minutes_left" in data:
            raise ValidationError("give share or minutes_left, not both", "minutes_left")


class ComplianceQuerySchema(SlaFilterSchema):
    since = Day(metadata={"description": "First day (UTC) of the period. Default: 30 days before until."})
    until = Day(metadata={"description": "Last day (UTC) of the period, included. Default: as_of, or today."})
    as_of = as_of_field("Only what was decided by then:")
    group_by = fields.String(load_default="target", validate=validate.OneOf((*GROUPS, *PERIODS)), metadata={
        "description": "target, agent or team (whoever held the case when the target was met or breached), "
                       "priority, channel, or the day, week (its Monday) or month of that decision (UTC)."})
    format = fields.String(validate=validate.OneOf(("json", "csv")),
                           metadata={"description": "csv for a CSV download (or send Accept: text/csv)."})


class _TargetRefSchema(Schema):
    case_id = fields.String(required=True)
    target = fields.String(required=True)
    cycle = fields.Integer(required=True, metadata={"description": "0, or 1, 2... for next responses."})
    due_at = fields.AwareDateTime(allow_none=True, required=True)
    assignee = fields.String(allow_none=True, required=True)
    team = fields.String(allow_none=True, required=True)
    priority = fields.String(required=True)
    channel = fields.String(required=True)
    policy_id = fields.String(required=True)
    policy_version = fields.Integer(required=True)


class BreachSchema(_TargetRefSchema):
    breached_at = fields.AwareDateTime(required=True)
    stopped_at = fields.AwareDateTime(allow_none=True, required=True,
                                      metadata={"description": "When the clock stopped; null while it counts."})
    overrun_minutes = fields.Float(required=True)


class AtRiskSchema(_TargetRefSchema):
    remaining_minutes = fields.Float(required=True)
    used_share = fields.Float(required=True)


BreachPageSchema = page_schema(BreachSchema, "SlaBreachPage")
AtRiskPageSchema = page_schema(AtRiskSchema, "SlaAtRiskPage")


class ComplianceGroupSchema(Schema):
    group = fields.String(allow_none=True, required=True)
    met = fields.Integer(required=True)
    breached = fields.Integer(required=True)
    decided = fields.Integer(required=True)
    share_met = fields.Float(required=True)


class ComplianceSchema(Schema):
    since = fields.AwareDateTime(required=True)
    until = fields.AwareDateTime(required=True)
    as_of = fields.AwareDateTime(required=True)
    group_by = fields.String(required=True)
    groups = fields.List(fields.Nested(ComplianceGroupSchema), required=True)


class CaseSlaSchema(Schema):
    target = fields.String(required=True)
    cycle = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "active, paused, achieved or breached."})
    due_at = fields.AwareDateTime(allow_none=True, required=True)
    breached_at = fields.AwareDateTime(allow_none=True, required=True)
