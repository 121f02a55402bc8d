"""Schemas of the case endpoints."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from domain.cases.model import PEND_REASONS, PRIORITIES
from domain.touchpoints.model import CHANNELS
from projections.queries.service import CASE_SORTS
from web.schemas.common import Colleague, ListQuerySchema, ReceiptSchema, Text, WriteSchema, page_schema, sort_field
from web.schemas.sla import CaseSlaSchema
from web.schemas.touchpoints import TouchpointFieldsSchema

CASE_STATUSES = ("new", "open", "pending", "resolved", "closed", "active")


class CaseQuerySchema(ListQuerySchema):
    status = fields.String(validate=validate.OneOf(CASE_STATUSES),
                           metadata={"description": "A status, or active (new, open or pending)."})
    assignee = Text(max_length=200)
    team = Text(max_length=100)
    customer_id = fields.UUID()
    unassigned = fields.Boolean(load_default=False)
    sort = sort_field(CASE_SORTS)


class CaseSchema(Schema):
    id = fields.String(required=True)
    tracking_code = fields.String(required=True)
    customer_id = fields.String(required=True)
    subject = fields.String(required=True)
    status = fields.String(required=True)
    priority = fields.String(required=True)
    channel = fields.String(required=True)
    team = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    sla_policy_id = fields.String(allow_none=True)
    sla_policy_version = fields.Integer(allow_none=True)
    opened_at = fields.AwareDateTime(required=True)
    acknowledged_at = fields.AwareDateTime(allow_none=True)
    first_response_at = fields.AwareDateTime(allow_none=True)
    resolved_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    last_activity_at = fields.AwareDateTime(required=True)
    customer_contacts = fields.Integer(required=True)
    agent_replies = fields.Integer(required=True)
    transfers = fields.Integer(required=True)
    reopened = fields.Integer(required=True)
    satisfaction = fields.Integer(allow_none=True)
    version = fields.Integer(required=True)
    sla = fields.List(fields.Nested(CaseSlaSchema), metadata={
        "description": "The case's SLA targets as of now (one case only; not in lists)."})


CasePageSchema = page_schema(CaseSchema, "CasePage")


class WorkloadSchema(Schema):
    agent = fields.String(required=True)
    active_cases = fields.Integer(required=True)
    open_promises = fields.Integer(required=True)
    overdue_promises = fields.Integer(required=True)
    promises_due = fields.Integer(required=True)
    kept_on_time = fields.Integer(required=True)
    promise_keeping_rate = fields.Float(allow_none=True)


class WorkloadReportSchema(Schema):
    as_of = fields.AwareDateTime(required=True, metadata={"description": "the instant overdue is measured at"})
    agents = fields.List(fields.Nested(WorkloadSchema), required=True)


class OpenCaseSchema(WriteSchema):
    customer_id = fields.UUID(required=True)
    subject = Text(required=True, min_length=1, max_length=300)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    description = Text(load_default="", max_length=50_000)
    priority = fields.String(load_default="normal", validate=validate.OneOf(PRIORITIES))
    team = Text(max_length=100)
    touchpoint = fields.Nested(TouchpointFieldsSchema, metadata={
        "description": "The contact that raised the case, recorded with it in one transaction."})


class CaseReceiptSchema(ReceiptSchema):
    tracking_code = fields.String(required=True)


class ReplySchema(WriteSchema):
    body = Text(required=True, min_length=1, max_length=50_000)
    public = fields.Boolean(load_default=True, metadata={"description": "False for an internal note."})


class AssignSchema(WriteSchema):
    assignee = Colleague(required=True)
    team = Text(max_length=100)


class TransferSchema(WriteSchema):
    to_assignee = Colleague(required=True)
    to_team = Text(max_length=100)
    note = Text(required=True, min_length=1, max_length=10_000,
                metadata={"description": "Handover note, so the customer repeats nothing."})


class PendSchema(WriteSchema):
    reason = fields.String(required=True, validate=validate.OneOf(PEND_REASONS))
    note = Text(load_default="", max_length=2000)


class ResolveSchema(WriteSchema):
    resolution = Text(required=True, min_length=1, max_length=10_000)


class ReopenSchema(WriteSchema):
    reason = Text(required=True, min_length=1, max_length=2000)


class RateSchema(WriteSchema):
    score = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    comment = Text(load_default="", max_length=5000)
