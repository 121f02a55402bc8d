"""Colleagues for integrators: whom cases, promises and deals are given to."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from domain.users.model import ROLES
from projections.queries.staff import STAFF_SORTS
from web.schemas.common import ListQuerySchema, Text, page_schema, sort_field


class StaffQuerySchema(ListQuerySchema):
    role = fields.String(validate=validate.OneOf(ROLES))
    team = Text(max_length=100)
    active = fields.Boolean(metadata={"description": "Only active (true) or deactivated (false) users."})
    sort = sort_field(STAFF_SORTS)


class StaffSchema(Schema):
    id = fields.String(required=True)
    ref = fields.String(required=True, metadata={"description": "How work names them: user:<id> (an assignee, "
                                                               "an owner); give this to assign or hand over."})
    email = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    team = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    manager = fields.String(allow_none=True, metadata={"description": "Their manager's ref."})
    active = fields.Boolean(required=True)
    timezone = fields.String(allow_none=True)


StaffPageSchema = page_schema(StaffSchema, "StaffPage")
