"""Schemas of ``/api/v1/webhooks``: subscriptions, their delivery progress and attempts."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from web.schemas.common import BoundedList, Instant, Position, ReceiptSchema, Text

TYPES = {"description": "Event types: a type (Case.Opened), a kind (Case.*) or * for everything; the event "
                        "feed's types (GET /api/v1/events)."}


class WebhookQuerySchema(Schema):
    include_deleted = fields.Boolean(load_default=False)
    min_position = Position()


class CreateWebhookSchema(Schema):
    url = Text(required=True, max_length=2000, metadata={"description": "https:// (receivers on loopback or private "
                                                                        "networks only with TOUCHLINE_WEBHOOK_ALLOW_"
                                                                        "PRIVATE=1; plain http only to this machine, "
                                                                        "or with TOUCHLINE_WEBHOOK_ALLOW_HTTP)."})
    event_types = BoundedList(Text(max_length=200), least=1, most=50, required=True,
                              metadata=TYPES)
    occurred_at = Instant()


class ChangeWebhookSchema(Schema):
    url = Text(max_length=2000)
    event_types = BoundedList(Text(max_length=200), least=1, most=50, metadata=TYPES)
    occurred_at = Instant()


class PauseWebhookSchema(Schema):
    reason = Text(load_default="", max_length=1000)
    occurred_at = Instant()


class ReplayWebhookSchema(Schema):
    from_position = fields.Integer(required=True, validate=validate.Range(min=1, max=2**63 - 1),
                                   metadata={"description": "Deliver every matching event from this log "
                                                            "position on again (new delivery ids)."})
    occurred_at = Instant()


class WhenSchema(Schema):
    occurred_at = Instant()


class RotateSecretSchema(WhenSchema):
    previous_valid_hours = fields.Integer(load_default=24, validate=validate.Range(min=0, max=168), metadata={
        "description": "Hours the previous secret still signs deliveries beside the new one (each delivery then "
                       "carries two v1 signatures), so your receiver can switch without missing any; 0 when it "
                       "leaked: it stops at once."})


class SecretReceiptSchema(ReceiptSchema):
    secret = fields.String(metadata={"description": "The signing secret: shown this once (not in an answer "
                                                   "replayed for an Idempotency-Key)."})


class WebhookSchema(Schema):
    id = fields.UUID(required=True)
    url = fields.String(required=True)
    event_types = fields.List(fields.String(), required=True)
    status = fields.String(required=True, metadata={"description": "active, paused or deleted."})
    pause_reason = fields.String(allow_none=True, required=True)
    paused_at = fields.AwareDateTime(allow_none=True, required=True)
    start_position = fields.Integer(required=True, metadata={"description": "Deliveries start after it."})
    delivered_to = fields.Integer(required=True, metadata={"description": "Every matching event up to this "
                                                                          "position is delivered."})
    failures = fields.Integer(required=True, metadata={"description": "Failed attempts in a row at the next event."})
    last_error = fields.String(allow_none=True, required=True)
    last_attempt_at = fields.AwareDateTime(allow_none=True, required=True)
    next_attempt_at = fields.AwareDateTime(allow_none=True, required=True)
    replay_from = fields.Integer(allow_none=True, required=True)
    secret_rotated_at = fields.AwareDateTime(allow_none=True, required=True)
    created_at = fields.AwareDateTime(required=True)
    created_by = fields.String(required=True)
    version = fields.Integer(required=True)


class WebhookListSchema(Schema):
    items = fields.List(fields.Nested(WebhookSchema), required=True)


class AttemptSchema(Schema):
    delivery_id = fields.UUID(required=True)
    event_id = fields.UUID(required=True)
    position = fields.Integer(required=True)
    event_type = fields.String(required=True)
    attempted_at = fields.AwareDateTime(required=True)
    outcome = fields.String(required=True, metadata={"description": "delivered or failed."})
    response_code = fields.Integer(allow_none=True, required=True)
    response_body = fields.String(allow_none=True, required=True, metadata={"description": "The first 1 kB."})
    duration_ms = fields.Integer(required=True)
    error = fields.String(allow_none=True, required=True)


class AttemptListSchema(Schema):
    items = fields.List(fields.Nested(AttemptSchema), required=True)
