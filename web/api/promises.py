"""``/api/v1/promises``: lists (``status=overdue``), one promise; make, keep, reschedule, cancel."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView
from marshmallow import RAISE, Schema

from projections.queries.records import get_promise
from projections.queries.service import list_promises
from web.api.actions import Command, action
from web.api.auth import caller, requires
from web.api.blueprint import Blueprint
from web.api.reads import found, page, read
from web.api.writes import IDEMPOTENCY_DOC, execute, new_id, when
from web.schemas.common import HandOverSchema, ReadQuerySchema, ReceiptSchema
from web.schemas.promises import (
    CancelSchema,
    KeepSchema,
    MakePromiseSchema,
    PromisePageSchema,
    PromiseQuerySchema,
    PromiseSchema,
    RescheduleSchema,
)
from web.services import services

blp = Blueprint("promises", __name__, description="Promises made to customers (callbacks included) and "
                                                   "whether they were kept.")


@blp.route("/promises")
class Promises(MethodView):
    @requires("read:promises")
    @blp.etag
    @blp.arguments(PromiseQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, PromisePageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Promises (by due time, or as sort says); status=overdue lists open promises past due."""
        customer = query.get("customer_id")
        return read(query, lambda conn: page(list_promises(
            conn, now=services().clock.now(), status=query.get("status"), owner=query.get("owner"),
            customer_id=str(customer) if customer else None, limit=query["limit"], cursor=query.get("cursor"),
            sort=query["sort"])))

    @requires("write:promises")
    @blp.arguments(MakePromiseSchema)
    @blp.response(201, ReceiptSchema)
    @blp.doc(parameters=[IDEMPOTENCY_DOC])
    def post(self, body: dict[str, Any]) -> Any:
        """Promise the customer something by a due time (kind callback: call them back)."""
        return execute(lambda: services().app.make_promise(
            id=new_id(), customer_id=body["customer_id"], what=body["what"], due_at=body["due_at"],
            owner=body["owner"], channel=body["channel"], kind=body["kind"], contact_point=body.get("contact_point"),
            case_id=body.get("case_id"), deal_id=body.get("deal_id"), timezone=body.get("timezone"),
            occurred_at=when(body), actor=caller().actor), status=201)


@blp.route("/promises/<uuid:promise_id>")
class Promise(MethodView):
    @requires("read:promises")
    @blp.etag
    @blp.arguments(ReadQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, PromiseSchema)
    def get(self, query: dict[str, Any], promise_id: UUID) -> dict[str, Any]:
        """One promise."""
        return found(read(query, lambda conn: get_promise(conn, str(promise_id), now=services().clock.now())), "promise", promise_id)


def _action(name: str, schema: type[Schema], summary: str, command: Command) -> None:
    action(blp, "promises", name, schema, summary, command, scope="write:promises")


_action("keep", KeepSchema, "Mark the promise kept, with evidence.",
        lambda app, i, b, kw: app.keep_promise(i, evidence=b["evidence"], **kw))
_action("reschedule", RescheduleSchema, "Move the due time, with a reason.",
        lambda app, i, b, kw: app.reschedule_promise(i, due_at=b["due_at"], reason=b["reason"], **kw))
_action("hand-over", HandOverSchema, "Give the open promise to a colleague, with a note: they are reminded of it.",
        lambda app, i, b, kw: app.hand_over_promise(i, to_owner=b["owner"], note=b["note"], **kw))
_action("cancel", CancelSchema, "Cancel the promise, with a reason.",
        lambda app, i, b, kw: app.cancel_promise(i, reason=b["reason"], **kw))
