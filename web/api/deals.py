"""``/api/v1/deals``: lists, one deal; open, revise, move, win, lose, hand over, reopen."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from flask.views import MethodView
from marshmallow import RAISE, Schema

from domain.deals.model import LOST, WON
from projections.queries.records import get_deal, list_deals
from projections.views.directory import pipeline_stages
from web.api.actions import Command, action
from web.api.auth import caller, requires
from web.api.blueprint import Blueprint
from web.api.errors import field_error
from web.api.reads import found, page, read
from web.api.writes import IDEMPOTENCY_DOC, execute, new_id, when
from web.schemas.common import HandOverSchema, ReadQuerySchema, ReceiptSchema
from web.schemas.deals import (
    DealPageSchema,
    DealQuerySchema,
    DealSchema,
    LoseDealSchema,
    MoveDealSchema,
    OpenDealSchema,
    ReopenDealSchema,
    ReviseDealSchema,
    WinDealSchema,
)
from web.services import services

blp = Blueprint("deals", __name__, description="Deals moving through the sales pipeline.")


def check_stage(conn: sa.Connection, stage: str) -> None:
    """``stage`` is one of the pipeline's, an outcome, or a stage removed since that still holds
    deals; else 422 on ``stage`` (an empty list would pass a typo off as "no deals there")."""
    stages = [*pipeline_stages(conn), WON, LOST]
    if stage not in stages and not list_deals(conn, stage=stage, limit=1).items:
        raise field_error(422, "stage", f"unknown stage {stage!r}; stages are {', '.join(stages)}")


@blp.route("/deals")
class Deals(MethodView):
    @requires("read:deals")
    @blp.etag
    @blp.arguments(DealQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, DealPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Deals (by opening time, or as sort says), filtered by stage, status, owner or customer."""
        customer = query.get("customer_id")

        def fetch(conn: sa.Connection) -> dict[str, Any]:
            if query.get("stage"):
                check_stage(conn, query["stage"])
            return page(list_deals(
                conn, stage=query.get("stage"), status=query.get("status"), owner=query.get("owner"),
                customer_id=str(customer) if customer else None, limit=query["limit"], cursor=query.get("cursor"),
                sort=query["sort"]))

        return read(query, fetch)

    @requires("write:deals")
    @blp.arguments(OpenDealSchema)
    @blp.response(201, ReceiptSchema)
    @blp.doc(parameters=[IDEMPOTENCY_DOC])
    def post(self, body: dict[str, Any]) -> Any:
        """Open a deal in the pipeline (default: its first stage)."""
        return execute(lambda: services().app.open_deal(
            id=new_id(), customer_id=body.get("customer_id"), product_id=body.get("product_id"), title=body["title"],
            value=body["value"], owner=body["owner"], stage=body.get("stage"), external_ref=body.get("external_ref"),
            expected_close_on=body.get("expected_close_on"), occurred_at=when(body), actor=caller().actor), status=201)


@blp.route("/deals/<uuid:deal_id>")
class Deal(MethodView):
    @requires("read:deals")
    @blp.etag
    @blp.arguments(ReadQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, DealSchema)
    def get(self, query: dict[str, Any], deal_id: UUID) -> dict[str, Any]:
        """One deal."""
        return found(read(query, lambda conn: get_deal(conn, str(deal_id))), "deal", deal_id)


def _action(name: str, schema: type[Schema], summary: str, command: Command) -> None:
    action(blp, "deals", name, schema, summary, command, scope="write:deals")


_action("move", MoveDealSchema, "Move the deal to another open stage.",
        lambda app, i, b, kw: app.move_deal(i, stage=b["stage"], **kw))
_action("win", WinDealSchema, "Win the deal at a close value.",
        lambda app, i, b, kw: app.win_deal(i, close_value=b["close_value"], **kw))
_action("lose", LoseDealSchema, "Lose the deal, with a reason.",
        lambda app, i, b, kw: app.lose_deal(i, reason=b["reason"], **kw))
_action("revise", ReviseDealSchema, "Change the open deal's value and/or expected close date, with a note.",
        lambda app, i, b, kw: app.revise_deal(
            i, value=b.get("value"), expected_close_on=b.get("expected_close_on"),
            clear_close_date="expected_close_on" in b and b["expected_close_on"] is None, note=b["note"], **kw))
_action("hand-over", HandOverSchema, "Give the open deal to a colleague, with a note.",
        lambda app, i, b, kw: app.hand_over_deal(i, to_owner=b["owner"], note=b["note"], **kw))
_action("reopen", ReopenDealSchema, "Reopen a won or lost deal into an open stage.",
        lambda app, i, b, kw: app.reopen_deal(i, stage=b["stage"], reason=b["reason"], **kw))
