"""Schemas of the promise-keeping endpoint."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validates_schema

from web.schemas.common import Day, ReadQuerySchema


class PromiseKeepingQuerySchema(ReadQuerySchema):
    since = Day(metadata={"description": "First day (UTC) of the period. Default: everything before `until`."})
    until = Day(metadata={"description": "Last day (UTC) of the period, included. Default: now."})

    @validates_schema
    def _ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "since" in data and "until" in data and data["since"] > data["until"]:
            raise ValidationError("must not be after until", "since")


class KeepingRowSchema(Schema):
    due = fields.Integer(required=True, metadata={"description": "Promises that came due in the period (kept "
                                                                 "early: when kept; else at their due time)."})
    kept_on_time = fields.Integer(required=True)
    rate = fields.Float(allow_none=True, required=True, metadata={"description": "kept_on_time / due, 0..1."})


class AgentKeepingSchema(KeepingRowSchema):
    agent = fields.String(required=True, metadata={"description": "The owner reference (user:<id>)."})


class TeamKeepingSchema(KeepingRowSchema):
    team = fields.String(allow_none=True, required=True, metadata={"description": "The owner's team now."})


class PromiseKeepingSchema(KeepingRowSchema):
    since = fields.AwareDateTime(allow_none=True, required=True)
    until = fields.AwareDateTime(required=True)
    agents = fields.List(fields.Nested(AgentKeepingSchema), required=True)
    teams = fields.List(fields.Nested(TeamKeepingSchema), required=True)
