"""Schemas of the funnel endpoint."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from web.schemas.common import Day, ReadQuerySchema, Text


class FunnelQuerySchema(ReadQuerySchema):
    as_of = Day(metadata={"description": "Business date (UTC): the figures as they stood at the end of that day. "
                                         "Default: now."})
    owner = Text(max_length=200, metadata={"description": "Owner (agent) user id."})
    team = Text(max_length=100, metadata={"description": "Team (the owner's manager)."})
    region = Text(max_length=100, metadata={"description": "The owner's regional office."})
    product = Text(max_length=200, metadata={"description": "Product name (spelling-insensitive) or id."})
    opened_since = Day(metadata={"description": "Only deals opened on or after this date."})
    opened_until = Day(metadata={"description": "Only deals opened before this date."})

    @validates_schema
    def _ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "opened_since" in data and "opened_until" in data and data["opened_since"] >= data["opened_until"]:
            raise ValidationError("must be before opened_until (which is excluded)", "opened_since")


class StageSchema(Schema):
    name = fields.String(required=True)
    count = fields.Integer(required=True, metadata={"description": "Deals in this stage at the as-of instant."})
    value = fields.Float(required=True, metadata={"description": "Won: sum of close values; open and lost: sum of "
                                                               "list values."})


class ConversionSchema(Schema):
    from_ = fields.String(attribute="from", data_key="from", required=True)
    to = fields.String(required=True)
    entered = fields.Integer(required=True)
    advanced = fields.Integer(required=True)
    rate = fields.Float(allow_none=True, required=True)


class FunnelSchema(Schema):
    as_of = fields.AwareDateTime(required=True)
    stages = fields.List(fields.Nested(StageSchema), required=True)
    conversion = fields.List(fields.Nested(ConversionSchema), required=True)
    time_in_stage_days = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    open_deals = fields.Integer(required=True)
    win_rate = fields.Float(allow_none=True, required=True, metadata={"description": "Won / (Won + Lost), 0..1."})
    won_value = fields.Float(required=True)
    avg_cycle_days = fields.Float(allow_none=True, required=True,
                                  metadata={"description": "Average days from opening (engagement) to winning."})
    velocity = fields.Float(allow_none=True, required=True,
                            metadata={"description": "Open deals x average won value x win rate / average cycle "
                                                     "days: value per day."})


class ForecastBucketSchema(Schema):
    open_deals = fields.Integer(required=True)
    value = fields.Float(required=True, metadata={"description": "Sum of the deals' values."})
    weighted_value = fields.Float(required=True, metadata={"description": "Sum of value x the stage's probability."})


class ForecastStageSchema(ForecastBucketSchema):
    name = fields.String(required=True)
    probability = fields.Float(allow_none=True, required=True, metadata={
        "description": "Win probability, 0..1; null when neither set nor learnt (weighted at 0)."})
    probability_source = fields.String(required=True, validate=validate.OneOf(("set", "history", "none")), metadata={
        "description": "`set`: an admin set it; `history`: the share won of the deals that passed through the stage "
                       "and were closed by the as-of instant; `none`: neither."})
    closed_deals = fields.Integer(allow_none=True, required=True, metadata={
        "description": "For `history`: how many closed deals the probability was learnt from."})


class ForecastMonthSchema(ForecastBucketSchema):
    month = fields.String(required=True, metadata={"description": "Expected close month, YYYY-MM."})


class ForecastSchema(ForecastBucketSchema):
    as_of = fields.AwareDateTime(required=True)
    stages = fields.List(fields.Nested(ForecastStageSchema), required=True)
    by_close_month = fields.List(fields.Nested(ForecastMonthSchema), required=True, metadata={
        "description": "Open deals by expected close month, from the as-of day's month on."})
    close_date_passed = fields.Nested(ForecastBucketSchema, required=True, metadata={
        "description": "Open deals whose expected close day is before the as-of day: slipped."})
    no_close_date = fields.Nested(ForecastBucketSchema, required=True)
