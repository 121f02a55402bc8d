"""Schemas of ``GET /api/v1/aggregates/<id>``: one aggregate's state as of a version, a
business instant, or what was known at a recorded instant."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from web.schemas.common import Instant

ONE_OF = "give at most one of version, as_of and known_at"


class AggregateQuerySchema(Schema):
    version = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1),
                             metadata={"description": "The state after this version (1 = as created)."})
    as_of = Instant(metadata={"description": "Business time: the state from the events that occurred by then "
                                             "(occurred_at <= as_of), in stream order."})
    known_at = Instant(metadata={"description": "Recorded time: the state from the events recorded by then "
                                                "(timestamp <= known_at): what Touchline knew at that instant."})

    @validates_schema
    def _at_most_one(self, data: dict[str, Any], **_: Any) -> None:
        given = [name for name in ("version", "as_of", "known_at") if data.get(name) is not None]
        if len(given) > 1:
            raise ValidationError(f"{ONE_OF} (got {', '.join(given)})", field_name=given[1])


class AggregateStateSchema(Schema):
    id = fields.UUID(required=True)
    kind = fields.String(required=True, metadata={"description": "The aggregate's type, e.g. Case."})
    head_version = fields.Integer(required=True, metadata={"description": "Its current version."})
    version = fields.Integer(allow_none=True, required=True,
                             metadata={"description": "The version of the state shown (null: it did not exist "
                                                      "yet at the instant asked)."})
    exists = fields.Boolean(required=True, metadata={"description": "Whether it existed as asked."})
    events_applied = fields.Integer(required=True, metadata={"description": "Events replayed into the state."})
    asked = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                        metadata={"description": "The query answered: version, as_of or known_at (empty: now)."})
    created_on = fields.AwareDateTime(allow_none=True, required=True, metadata={"description": "Recorded time."})
    modified_on = fields.AwareDateTime(allow_none=True, required=True, metadata={"description": "Recorded time."})
    state = fields.Dict(keys=fields.String(), required=True,
                        metadata={"description": "Its fields (ids and money as strings, times ISO 8601); secrets "
                                                 "are never shown."})
