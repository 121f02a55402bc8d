"""``/api/v1/webhooks``: subscribe URLs to events (scope ``write:webhooks``), read them with their
delivery progress and attempts (``read:webhooks``), pause, resume, replay, rotate, delete.

Creating one and rotating its secret answer the signing secret once; it is never stored. A create
with an Idempotency-Key is retried like any other write, and the replayed answer is the first
one without the secret; a rotation with If-Match answers 412 once the secret was rotated.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from flask import current_app
from flask.views import MethodView
from marshmallow import RAISE

from domain.errors import DomainError
from domain.service import Receipt
from projections.queries.webhooks import get_webhook_row, list_webhooks
from projections.webhook_state import attempts_of, create_webhook_tables
from scheduler.settings import webhook_url_rules
from web.api.actions import action
from web.api.auth import caller, requires
from web.api.blueprint import Blueprint
from web.api.errors import domain_error
from web.api.reads import found, read
from web.api.writes import (
    IDEMPOTENCY_DOC,
    IF_MATCH_DOC,
    execute,
    expected_version,
    new_id,
    when,
)
from web.schemas.common import ReadQuerySchema, ReceiptSchema
from web.schemas.webhooks import (
    AttemptListSchema,
    ChangeWebhookSchema,
    CreateWebhookSchema,
    PauseWebhookSchema,
    ReplayWebhookSchema,
    RotateSecretSchema,
    SecretReceiptSchema,
    WebhookListSchema,
    WebhookQuerySchema,
    WebhookSchema,
    WhenSchema,
)
from web.services import services

blp = Blueprint("webhooks", __name__, description="Signed webhooks: Touchline POSTs matching events to a URL.")


def ensure_webhook_tables() -> None:
    """The sender creates its bookkeeping tables on its first run; reads join them."""
    services().ensure_tables(create_webhook_tables)


CREATE_KEY_DOC = {**IDEMPOTENCY_DOC, "description": (
    f"{IDEMPOTENCY_DOC['description']} The replayed answer has no secret: it is shown once, in the first "
    "answer (if that was lost, rotate the secret).")}
NO_STORE = {"Cache-Control": "no-store"}


def _with_secret(call: Any, **path_ids: UUID) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Run a command that issues a secret; answer it (never stored, never cached)."""
    try:
        issued = call()
    except DomainError as exc:
        raise domain_error(exc, path_ids=path_ids) from None
    receipt: Receipt = issued.receipt
    body = {"id": str(receipt.id), "version": receipt.version, "position": receipt.position, "secret": issued.secret}
    return body, 201, {**NO_STORE, "ETag": f'"{receipt.version}"'}


@blp.route("/webhooks")
class Webhooks(MethodView):
    @requires("read:webhooks")
    @blp.etag
    @blp.arguments(WebhookQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, WebhookListSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Every subscription (deleted ones with include_deleted), oldest first, with its progress."""
        ensure_webhook_tables()
        return {"items": read(query, lambda conn: list_webhooks(conn, include_deleted=query["include_deleted"]))}

    @requires("write:webhooks")
    @blp.arguments(CreateWebhookSchema)
    @blp.response(201, SecretReceiptSchema)
    @blp.doc(parameters=[CREATE_KEY_DOC])
    def post(self, body: dict[str, Any]) -> Any:
        """Subscribe a URL; the answer holds its signing secret, this once. Deliveries start with the
        events recorded after this one."""
        secrets: list[str] = []

        def create() -> Receipt:
            issued = services().app.create_webhook(
                url=body["url"], event_types=body["event_types"], **webhook_url_rules(current_app.config),
                id=new_id(), occurred_at=when(body), actor=caller().actor)
            secrets.append(issued.secret)
            return issued.receipt
        answer, status, headers = execute(create, status=201, extra=lambda _: {"secret": secrets[0]},
                                          shown_once=("secret",))
        return answer, status, {**headers, **NO_STORE}


@blp.route("/webhooks/<uuid:webhook_id>")
class Webhook(MethodView):
    @requires("read:webhooks")
    @blp.etag
    @blp.arguments(ReadQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, WebhookSchema)
    def get(self, query: dict[str, Any], webhook_id: UUID) -> dict[str, Any]:
        """One subscription with its version (for If-Match) and delivery progress."""
        ensure_webhook_tables()
        return found(read(query, lambda conn: get_webhook_row(conn, str(webhook_id))), "Webhook", webhook_id)

    @requires("write:webhooks")
    @blp.arguments(ChangeWebhookSchema)
    @blp.response(200, ReceiptSchema)
    @blp.doc(parameters=[IF_MATCH_DOC])
    def patch(self, body: dict[str, Any], webhook_id: UUID) -> Any:
        """Change the URL and/or the event types (what is left out stays)."""
        return execute(lambda: services().app.change_webhook(
            webhook_id, url=body.get("url"), event_types=body.get("event_types"),
            **webhook_url_rules(current_app.config), expected_version=expected_version(),
            occurred_at=when(body), actor=caller().actor), path_ids={"webhook_id": webhook_id})


@blp.route("/webhooks/<uuid:webhook_id>/attempts")
class Attempts(MethodView):
    @requires("read:webhooks")
    @blp.etag
    @blp.arguments(ReadQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, AttemptListSchema)
    def get(self, query: dict[str, Any], webhook_id: UUID) -> dict[str, Any]:
        """The latest 100 delivery attempts, newest first: outcome, response code, first 1 kB, duration."""
        ensure_webhook_tables()

        def fetch(conn: sa.Connection) -> dict[str, Any]:
            found(get_webhook_row(conn, str(webhook_id)), "Webhook", webhook_id)
            return {"items": attempts_of(conn, str(webhook_id), limit=100)}
        return read(query, fetch)


@blp.route("/webhooks/<uuid:webhook_id>/rotate-secret", methods=["POST"])
@requires("write:webhooks")
@blp.arguments(RotateSecretSchema, required=False)
@blp.response(201, SecretReceiptSchema)
@blp.doc(parameters=[IF_MATCH_DOC])
def rotate_secret(body: dict[str, Any], webhook_id: UUID) -> Any:
    """A new signing secret, in this answer only; the old one still signs for previous_valid_hours (24 by
    default; 0 stops it at once). With If-Match, a retry after a lost answer is a 412 instead of a second
    rotation."""
    return _with_secret(lambda: services().app.rotate_webhook_secret(
        webhook_id, previous_valid_for=timedelta(hours=body.get("previous_valid_hours", 24)),
        expected_version=expected_version(), occurred_at=when(body), actor=caller().actor),
        webhook_id=webhook_id)


action(blp, "webhooks", "pause", PauseWebhookSchema, "Pause deliveries (nothing is skipped: resume continues).",
       lambda app, i, b, kw: app.pause_webhook(i, reason=b["reason"], **kw), scope="write:webhooks")
action(blp, "webhooks", "resume", WhenSchema, "Resume deliveries from the event they stopped at.",
       lambda app, i, b, kw: app.resume_webhook(i, **kw), scope="write:webhooks")
action(blp, "webhooks", "replay", ReplayWebhookSchema, "Deliver again every matching event from a log position on.",
       lambda app, i, b, kw: app.replay_webhook(i, from_position=b["from_position"], **kw), scope="write:webhooks")
action(blp, "webhooks", "delete", WhenSchema, "Stop deliveries for good.",
       lambda app, i, b, kw: app.delete_webhook(i, **kw), scope="write:webhooks")
