"""Schemas of the funnel endpoint."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from web.schemas.common import ReadQuerySchema, Text


def Day(**kwargs: Any) -> fields.Date:  # noqa: N802 - reads like a field class
    return fields.Date(validate=validate.Range(min=date(1900, 1, 1), max=date(2999, 12, 31)), **kwargs)


class FunnelQuerySchema(ReadQuerySchema):
    as_of = Day(metadata={"description": "Business date (UTC): the funnel as it stood at the end of that day. "
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
