"""Schemas of the touchpoint endpoints: recording, repeat contacts, contact rates."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from domain.touchpoints.model import CHANNELS, DIRECTIONS, TOUCHPOINT_KINDS
from projections.queries.service import REPEAT_SORTS
from web.schemas.common import (
    BoundedList, Instant, ListQuerySchema, ReadQuerySchema, Text, WriteSchema, page_schema, sort_field,
)

CONTACT_POINT = ("The address or number used: an email address on `email`, a phone number on `phone`, `sms` "
                 "and `callback` (422 otherwise), free text on other channels.")


class TouchpointFieldsSchema(Schema):
    """What describes one contact (also nested in a case opening)."""

    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS))
    kind = fields.String(required=True, validate=validate.OneOf(TOUCHPOINT_KINDS))
    subject = Text(required=True, min_length=1, max_length=300)
    summary = Text(load_default="", max_length=20_000)
    contact_point = Text(max_length=500, metadata={"description": CONTACT_POINT})
    external_ref = Text(max_length=200, metadata={"description": "The id of the contact in the sending system."})


class RecordTouchpointSchema(WriteSchema, TouchpointFieldsSchema):
    customer_id = fields.UUID(required=True)
    case_id = fields.UUID()
    deal_id = fields.UUID()
    promise_id = fields.UUID()


BATCH_LIMIT = 100  # touchpoints per batch: a telephony system's minute of calls


class RecordTouchpointsSchema(Schema):
    touchpoints = BoundedList(fields.Nested(RecordTouchpointSchema), least=1, most=BATCH_LIMIT, required=True,
                              metadata={"description": f"1 to {BATCH_LIMIT} contacts, each as POST /touchpoints takes it."})


class RepeatQuerySchema(ListQuerySchema):
    within_days = fields.Integer(load_default=7, validate=validate.Range(min=1, max=365))
    since = Instant(metadata={"description": "Only contacts on or after this instant."})
    sort = sort_field(REPEAT_SORTS)


class RatesQuerySchema(ReadQuerySchema):
    within_days = fields.Integer(load_default=7, validate=validate.Range(min=1, max=365))
    since = Instant()


class TouchpointSchema(Schema):
    id = fields.String(required=True)
    customer_id = fields.String(required=True)
    channel = fields.String(required=True)
    direction = fields.String(required=True)
    kind = fields.String(required=True)
    subject = fields.String(required=True)
    topic = fields.String(required=True)
    occurred_at = fields.AwareDateTime(required=True)
    actor = fields.String(required=True)
    case_id = fields.String(allow_none=True)
    deal_id = fields.String(allow_none=True)
    promise_id = fields.String(allow_none=True)
    retracted = fields.Boolean(required=True)
    repeat_gap_seconds = fields.Integer(allow_none=True)
    version = fields.Integer(required=True)


class TouchpointDetailSchema(TouchpointSchema):
    summary = fields.String(required=True, metadata={"description": "What was said, as recorded or corrected "
                                                                     "(`[erased]` once the customer is erased)."})
    contact_point = fields.String(allow_none=True, required=True, metadata={"description": CONTACT_POINT})


RepeatPageSchema = page_schema(TouchpointSchema, "RepeatContactPage")


class ContactRatesSchema(Schema):
    inbound_contacts = fields.Integer(required=True)
    repeat_contacts = fields.Integer(required=True)
    repeat_contact_rate = fields.Float(allow_none=True, required=True)
    resolved_cases = fields.Integer(required=True)
    resolved_first_contact = fields.Integer(required=True)
    first_contact_resolution_rate = fields.Float(allow_none=True, required=True)
