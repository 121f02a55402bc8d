"""Schemas of the promise endpoints (callback requests are promises of kind callback)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from domain.promises.model import PROMISE_KINDS
from domain.touchpoints.model import CHANNELS
from domain.values import clean_timezone
from projections.queries.service import PROMISE_SORTS
from web.schemas.common import (
    Colleague,
    Instant,
    ListQuerySchema,
    Text,
    WriteSchema,
    domain_rule,
    page_schema,
    sort_field,
)
from web.schemas.touchpoints import CONTACT_POINT

TIMEZONE = ("The IANA time zone the customer reads times in (such as Europe/Berlin): what we write them about "
            "the promise gives its time there. A callback booked on the public page records the zone the page "
            "showed. null: the business's zone.")


class PromiseQuerySchema(ListQuerySchema):
    status = fields.String(validate=validate.OneOf(("open", "kept", "cancelled", "overdue")),
                           metadata={"description": "overdue: open and past due now."})
    owner = Text(max_length=200)
    customer_id = fields.UUID()
    sort = sort_field(PROMISE_SORTS)


class PromiseSchema(Schema):
    id = fields.String(required=True)
    customer_id = fields.String(required=True)
    kind = fields.String(required=True)
    what = fields.String(required=True)
    owner = fields.String(required=True)
    channel = fields.String(required=True)
    status = fields.String(required=True)
    due_at = fields.AwareDateTime(required=True)
    timezone = fields.String(allow_none=True, metadata={"description": TIMEZONE})
    overdue = fields.Boolean(metadata={"description": "Open and past due now."})
    case_id = fields.String(allow_none=True)
    deal_id = fields.String(allow_none=True)
    made_at = fields.AwareDateTime(required=True)
    kept_at = fields.AwareDateTime(allow_none=True)
    kept_on_time = fields.Boolean(allow_none=True)
    cancelled_at = fields.AwareDateTime(allow_none=True)
    reschedules = fields.Integer(required=True)
    follow_ups = fields.Integer(required=True)
    version = fields.Integer(required=True)


PromisePageSchema = page_schema(PromiseSchema, "PromisePage")


class MakePromiseSchema(WriteSchema):
    customer_id = fields.UUID(required=True)
    what = Text(required=True, min_length=1, max_length=2000)
    due_at = Instant(required=True)
    owner = Colleague(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    kind = fields.String(load_default="promise", validate=validate.OneOf(PROMISE_KINDS))
    contact_point = Text(max_length=500, metadata={"description": CONTACT_POINT})
    timezone = fields.String(validate=domain_rule(clean_timezone), metadata={"description": TIMEZONE})
    case_id = fields.UUID()
    deal_id = fields.UUID()


class KeepSchema(WriteSchema):
    evidence = Text(required=True, min_length=1, max_length=5000)


class RescheduleSchema(WriteSchema):
    due_at = Instant(required=True)
    reason = Text(required=True, min_length=1, max_length=2000)


class CancelSchema(WriteSchema):
    reason = Text(required=True, min_length=1, max_length=2000)
