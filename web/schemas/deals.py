"""Schemas of the deal endpoints."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from projections.queries.records import DEAL_SORTS
from web.schemas.common import Amount, Colleague, Day, ListQuerySchema, Text, WriteSchema, page_schema, sort_field

CLOSE_DATE_DOC = "The day the deal is expected to close (forecasts count it in that month)."


class DealQuerySchema(ListQuerySchema):
    stage = Text(max_length=60)
    status = fields.String(validate=validate.OneOf(("open", "won", "lost")))
    owner = Text(max_length=200)
    customer_id = fields.UUID()
    sort = sort_field(DEAL_SORTS)


class DealSchema(Schema):
    id = fields.String(required=True)
    customer_id = fields.String(allow_none=True)
    product_id = fields.String(allow_none=True)
    title = fields.String(required=True)
    value = fields.Float(required=True)
    owner = fields.String(required=True)
    stage = fields.String(required=True)
    opened_at = fields.AwareDateTime(required=True)
    stage_entered_at = fields.AwareDateTime(required=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    close_value = fields.Float(allow_none=True)
    lost_reason = fields.String(allow_none=True)
    last_activity_at = fields.AwareDateTime(required=True)
    external_ref = fields.String(allow_none=True)
    expected_close_on = fields.Date(allow_none=True, metadata={"description": CLOSE_DATE_DOC})
    version = fields.Integer(required=True, metadata={"description": "The deal's version: send it as If-Match."})


DealPageSchema = page_schema(DealSchema, "DealPage")


class OpenDealSchema(WriteSchema):
    title = Text(required=True, min_length=1, max_length=300)
    value = Amount(required=True)
    owner = Colleague(required=True)
    customer_id = fields.UUID()
    product_id = fields.UUID()
    stage = Text(max_length=60, metadata={"description": "Default: the pipeline's first stage."})
    external_ref = Text(max_length=200)
    expected_close_on = Day(metadata={"description": CLOSE_DATE_DOC})


class MoveDealSchema(WriteSchema):
    stage = Text(required=True, min_length=1, max_length=60)


class WinDealSchema(WriteSchema):
    close_value = Amount(required=True)


class LoseDealSchema(WriteSchema):
    reason = Text(required=True, min_length=1, max_length=1000)


class ReopenDealSchema(WriteSchema):
    stage = Text(required=True, min_length=1, max_length=60)
    reason = Text(required=True, min_length=1, max_length=1000)


class ReviseDealSchema(WriteSchema):
    value = Amount(metadata={"description": "The deal's new value (default: unchanged)."})
    expected_close_on = Day(allow_none=True, metadata={"description": f"{CLOSE_DATE_DOC} null clears it; "
                                                                      "default: unchanged."})
    note = Text(max_length=2000, load_default="", metadata={"description": "Why (what the customer said)."})

    @validates_schema
    def _something(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "value" not in data and "expected_close_on" not in data:
            raise ValidationError("give a new value, a new expected_close_on, or both", "value")
