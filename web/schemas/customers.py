"""Schemas of the customer endpoints: lists, the 360 view, the timeline, and the writes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from domain.customers.model import CONTACT_KINDS, CUSTOMER_KINDS
from domain.touchpoints.model import CHANNELS
from domain.values import phone_number
from projections.queries.customers import (
    CHURN_SORTS,
    CUSTOMER_SORTS,
    LIST_LIMIT,
    TIMELINE_SORTS,
)
from web.schemas.cases import CaseSchema
from web.schemas.common import (
    BoundedList,
    Instant,
    ListQuerySchema,
    Segment,
    Text,
    WriteSchema,
    domain_rule,
    page_schema,
    sort_field,
)
from web.schemas.deals import DealSchema
from web.schemas.promises import PromiseSchema


class CustomerQuerySchema(ListQuerySchema):
    search = Text(max_length=200, metadata={"description": "Part of the name or email address."})
    sector = Text(max_length=100)
    email = Text(max_length=254, metadata={"description": "The customer with this email address, any of theirs "
                                                          "(any case)."})
    phone = Text(max_length=50, validate=domain_rule(phone_number), metadata={
        "description": "The customer with this phone number, compared by its digits (`+1 (555) 010-2030` finds "
                       "`+15550102030`; a number stored without its country code is not found with one)."})
    external_ref = Text(max_length=200, metadata={"description": "The customer registered with this `external_ref` "
                                                                 "(your system's id), or linked to it since (an "
                                                                 "import that found them by address)."})
    sort = sort_field(CUSTOMER_SORTS)


class ChurnQuerySchema(ListQuerySchema):
    quiet_days = fields.Integer(load_default=90, validate=validate.Range(min=1, max=3650),
                                metadata={"description": "Days without any contact."})
    sort = sort_field(CHURN_SORTS)


class TimelineQuerySchema(ListQuerySchema):
    sort = sort_field(TIMELINE_SORTS)
    since = Instant(metadata={"description": "Only what happened at or after this instant (business time)."})
    until = Instant(metadata={"description": "Only what happened before this instant."})
    channel = fields.String(validate=validate.OneOf(CHANNELS), metadata={"description": "Only contacts on it."})
    types = Text(max_length=4000, metadata={"description": "Comma-separated event types, as the event feed names "
                                                           "them, e.g. Case.Opened,Touchpoint.Recorded."})
    case_id = fields.UUID(metadata={"description": "Only the case's conversation: its events, its touchpoints "
                                                   "and the promises made on it."})


class ContactPointSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(CONTACT_KINDS))
    value = Text(required=True, min_length=1, max_length=500)


class CustomerSchema(Schema):
    id = fields.String(required=True)
    kind = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    contact_points = fields.List(fields.Nested(ContactPointSchema), required=True)
    segment = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    sector = fields.String(allow_none=True)
    size = fields.String(allow_none=True)
    location = fields.String(allow_none=True)
    consents = fields.Dict(keys=fields.String(), values=fields.Boolean(), required=True)
    merged_into = fields.String(allow_none=True)
    external_ref = fields.String(allow_none=True)
    registered_at = fields.AwareDateTime(required=True)
    first_touch_at = fields.AwareDateTime(allow_none=True)
    last_touch_at = fields.AwareDateTime(allow_none=True)
    last_contact_at = fields.AwareDateTime(allow_none=True)
    touches = fields.Integer(required=True)
    touches_by_channel = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    open_cases = fields.Integer(required=True)
    cases_total = fields.Integer(required=True)
    open_promises = fields.Integer(required=True)
    deals_by_stage = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    deals_open = fields.Integer(required=True)
    deals_won = fields.Integer(required=True)
    deals_lost = fields.Integer(required=True)
    funnel_stage = fields.String(allow_none=True)
    won_value = fields.Float(required=True)
    csat_average = fields.Float(allow_none=True)
    version = fields.Integer(required=True)


class ChurnCandidateSchema(CustomerSchema):
    quiet_since = fields.AwareDateTime(required=True)
    quiet_days = fields.Integer(required=True)


class TimelineEntrySchema(Schema):
    position = fields.Integer(required=True)
    occurred_at = fields.AwareDateTime(required=True)
    recorded_at = fields.AwareDateTime(required=True)
    event_type = fields.String(required=True)
    channel = fields.String(allow_none=True)
    actor = fields.String(required=True)
    summary = fields.String(required=True)
    detail = fields.String(allow_none=True, metadata={
        "description": "The full text the event carries, when it carries one: what the customer wrote (a "
                       "touchpoint's summary, a case's description, their reply), an agent's reply or note, a "
                       "handover note, a resolution. Null once the customer is erased."})
    record_id = fields.String(required=True)
    case_id = fields.String(allow_none=True, metadata={"description": "The case the event is part of, if any."})


class Customer360Schema(Schema):
    customer = fields.Nested(CustomerSchema, required=True)
    open_cases = fields.List(fields.Nested(CaseSchema), required=True, metadata={
        "description": f"The oldest {LIST_LIMIT} open cases (customer.open_cases counts them all; "
                       "/cases?customer_id=&status=active pages through them)."})
    open_promises = fields.List(fields.Nested(PromiseSchema), required=True, metadata={
        "description": f"The next {LIST_LIMIT} open promises by due time (customer.open_promises counts "
                       "them all; /promises?customer_id=&status=open pages through them)."})
    deals = fields.List(fields.Nested(DealSchema), required=True, metadata={
        "description": f"The newest {LIST_LIMIT} deals (/deals?customer_id= pages through them)."})
    timeline = fields.List(fields.Nested(TimelineEntrySchema), required=True,
                           metadata={"description": "The latest entries, newest first."})


CustomerPageSchema = page_schema(CustomerSchema, "CustomerPage")
ChurnPageSchema = page_schema(ChurnCandidateSchema, "ChurnCandidatePage")
TimelinePageSchema = page_schema(TimelineEntrySchema, "TimelinePage")


class RegisterCustomerSchema(WriteSchema):
    name = Text(required=True, min_length=1, max_length=300)
    kind = fields.String(load_default="person", validate=validate.OneOf(CUSTOMER_KINDS))
    contact_points = BoundedList(fields.Nested(ContactPointSchema), most=20)
    segment = Segment(metadata={"description": "Attributes such as sector, size, location."})
    external_ref = Text(max_length=200)


class MergeCustomerSchema(WriteSchema):
    survivor_id = fields.UUID(required=True, metadata={
        "description": "The customer that stays: it takes over this one's figures, and every read of it gathers "
                       "this one's records (each keeps its own customer_id)."})


class ChangeCustomerSchema(WriteSchema):
    name = Text(min_length=1, max_length=300)
    contact_points = BoundedList(fields.Nested(ContactPointSchema), most=20, metadata={
        "description": "The whole list as it is to be: it replaces the one recorded, so send the points to keep "
                       "too (read them from GET /customers/<id>). Left out, the list stays as it was."})
    segment = Segment()

