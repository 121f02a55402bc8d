"""``/api/v1/touchpoints``: record a contact, read one; repeat contacts and contact rates."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView
from marshmallow import RAISE

from projections.queries.records import get_touchpoint
from projections.queries.service import get_contact_rates, list_repeat_contacts
from web.api.auth import caller, requires
from web.api.blueprint import Blueprint
from web.api.reads import found, page, read
from web.api.writes import IDEMPOTENCY_DOC, execute, execute_batch, new_id, new_ids, when
from web.schemas.common import BatchReceiptSchema, ReadQuerySchema, ReceiptSchema
from web.schemas.touchpoints import (
    ContactRatesSchema, RatesQuerySchema, RecordTouchpointSchema, RecordTouchpointsSchema, RepeatPageSchema,
    RepeatQuerySchema, TouchpointDetailSchema,
)
from web.services import services

blp = Blueprint("touchpoints", __name__, description="Contacts with customers on any channel; repeat contacts.")
RECORDED = ("channel", "direction", "kind", "subject", "summary", "contact_point", "external_ref",
            "customer_id", "case_id", "deal_id", "promise_id")


@blp.route("/touchpoints")
class Touchpoints(MethodView):
    @requires("write:touchpoints")
    @blp.arguments(RecordTouchpointSchema)
    @blp.response(201, ReceiptSchema)
    @blp.doc(parameters=[IDEMPOTENCY_DOC])
    def post(self, body: dict[str, Any]) -> Any:
        """Record one contact with a customer (a call, an email, a chat...)."""
        fields = {name: body[name] for name in RECORDED if name in body}
        return execute(lambda: services().app.record_touchpoint(
            id=new_id(), occurred_at=when(body), actor=caller().actor, **fields), status=201)


@blp.route("/touchpoints/batch")
class TouchpointBatch(MethodView):
    @requires("write:touchpoints")
    @blp.arguments(RecordTouchpointsSchema)
    @blp.response(201, BatchReceiptSchema)
    @blp.doc(parameters=[IDEMPOTENCY_DOC])
    def post(self, body: dict[str, Any]) -> Any:
        """Record up to 100 contacts at once (a telephony system's call log, say), in one transaction:
        all of them or, when one is refused, none (its error names it, e.g. `touchpoints[2].customer_id`).
        The answer lists each contact's receipt in the order sent; the batch counts as one request against
        the rate limit."""
        actor, sent = caller().actor, body["touchpoints"]
        items = [{**{name: item[name] for name in RECORDED if name in item}, "id": id, "occurred_at": when(item),
                  "actor": actor} for item, id in zip(sent, new_ids(len(sent)), strict=True)]
        return execute_batch(lambda: services().app.record_touchpoints(items), items="touchpoints")


@blp.route("/touchpoints/<uuid:touchpoint_id>")
class Touchpoint(MethodView):
    @requires("read:touchpoints")
    @blp.etag
    @blp.arguments(ReadQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, TouchpointDetailSchema)
    def get(self, query: dict[str, Any], touchpoint_id: UUID) -> dict[str, Any]:
        """One contact, as recorded and corrected (``retracted`` once withdrawn), with what was said."""
        row = found(read(query, lambda conn: get_touchpoint(conn, str(touchpoint_id))), "touchpoint", touchpoint_id)
        # The summary (long, personal) lives in the event store, not in the list's read model.
        recorded = services().app.get_touchpoint(touchpoint_id)
        return {**row, "summary": recorded.summary, "contact_point": recorded.contact_point}


@blp.route("/touchpoints/repeat-contacts")
class RepeatContacts(MethodView):
    @requires("read:touchpoints")
    @blp.etag
    @blp.arguments(RepeatQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, RepeatPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Inbound contacts repeating an earlier one (same case or topic) within within_days, newest first
        (or as sort says)."""
        return read(query, lambda conn: page(list_repeat_contacts(
            conn, within_days=query["within_days"], since=query.get("since"), limit=query["limit"],
            cursor=query.get("cursor"), sort=query["sort"])))


@blp.route("/touchpoints/contact-rates")
class ContactRates(MethodView):
    @requires("read:touchpoints")
    @blp.etag
    @blp.arguments(RatesQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, ContactRatesSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Repeat-contact rate and first-contact resolution rate."""
        return read(query, lambda conn: get_contact_rates(conn, since=query.get("since"),
                                                          within_days=query["within_days"]))
