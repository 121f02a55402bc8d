"""Schemas of the event feed and of an aggregate's history."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from web.schemas.common import Position, Text


class FeedQuerySchema(Schema):
    after = Position(load_default=0, metadata={"description": "Resume after this position: the next_after of "
                                                              "the previous answer (0: from the start)."})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    types = Text(max_length=4000, metadata={"description": "Comma-separated event types, e.g. "
                                                           "Case.Opened,Touchpoint.Recorded (default: all)."})
    wait = fields.Float(load_default=0.0, validate=validate.Range(min=0, max=30), allow_nan=False,
                        metadata={"description": "Long poll: when nothing is new, wait up to this many "
                                                 "seconds for the next event instead of answering empty. A "
                                                 "server waits for a few requests at once; beyond that it "
                                                 "answers at once with Retry-After: 1 (seconds to wait "
                                                 "before asking again)."})


class HistoryQuerySchema(Schema):
    after_version = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**31 - 1),
                                   metadata={"description": "Only versions after this one."})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class EventSchema(Schema):
    position = fields.Integer(allow_none=True, required=True,
                              metadata={"description": "Position in the log (null in an aggregate's history)."})
    aggregate_id = fields.UUID(required=True)
    aggregate_version = fields.Integer(required=True)
    type = fields.String(required=True, metadata={"description": "Aggregate and event, e.g. Case.Opened."})
    occurred_at = fields.AwareDateTime(allow_none=True, required=True,
                                       metadata={"description": "Business time."})
    recorded_at = fields.AwareDateTime(allow_none=True, required=True,
                                       metadata={"description": "When it was recorded."})
    actor = fields.String(allow_none=True, required=True)
    data = fields.Dict(keys=fields.String(), allow_none=True, required=True,
                       metadata={"description": "The event's own fields (ids as strings, money as strings)."})


class FeedSchema(Schema):
    events = fields.List(fields.Nested(EventSchema), required=True)
    next_after = fields.Integer(required=True, metadata={"description": "Pass as after to continue: it moves "
                                                                        "past every position scanned, gaps "
                                                                        "included, so nothing is missed."})


class HistorySchema(Schema):
    events = fields.List(fields.Nested(EventSchema), required=True)
    next_after_version = fields.Integer(allow_none=True, required=True,
                                        metadata={"description": "Pass as after_version for more; null at the end."})


class RecordHistorySchema(Schema):
    id = fields.UUID(required=True)
    events = fields.List(fields.Nested(EventSchema), required=True)


class CustomerExportSchema(Schema):
    """One person's data (GDPR access and portability): every record, each with its history."""

    format = fields.String(required=True, metadata={"description": "touchline-customer-export/1"})
    customer_id = fields.UUID(required=True, metadata={"description": "The surviving customer record."})
    exported_at = fields.AwareDateTime(required=True)
    read_models_position = fields.Integer(allow_none=True, required=True, metadata={
        "description": "The log position the records were found at: the export is complete up to it."})
    customers = fields.List(fields.Nested(RecordHistorySchema), required=True,
                            metadata={"description": "The customer and everyone merged into them."})
    cases = fields.List(fields.Nested(RecordHistorySchema), required=True)
    touchpoints = fields.List(fields.Nested(RecordHistorySchema), required=True)
    promises = fields.List(fields.Nested(RecordHistorySchema), required=True)
    deals = fields.List(fields.Nested(RecordHistorySchema), required=True)
    messages = fields.List(fields.Nested(RecordHistorySchema), required=True)
