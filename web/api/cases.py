"""``/api/v1/cases``: lists, one case (by id or tracking code), agent workload; open a case and
act on it (reply, assign, transfer, pend, resume, resolve, reopen, close, rate)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from flask.views import MethodView
from marshmallow import RAISE, Schema

from projections.queries.records import get_case
from projections.queries.service import get_agent_workload, get_case_by_code, list_cases
from projections.queries.sla import get_case_sla
from web.api.actions import Command, action
from web.api.auth import caller, requires
from web.api.blueprint import Blueprint
from web.api.reads import found, page, read
from web.api.writes import IDEMPOTENCY_DOC, execute, new_id, when
from web.schemas.cases import (
    AssignSchema, CasePageSchema, CaseQuerySchema, CaseReceiptSchema, CaseSchema, OpenCaseSchema, PendSchema,
    RateSchema, ReopenSchema, ReplySchema, ResolveSchema, TransferSchema, WorkloadReportSchema, WorkloadSchema,
)
from web.schemas.common import ReadQuerySchema, WriteSchema
from web.services import services

blp = Blueprint("cases", __name__, description="Cases: customers' requests tracked from opening to closing.")


@blp.route("/cases")
class Cases(MethodView):
    @requires("read:cases")
    @blp.etag
    @blp.arguments(CaseQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, CasePageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Cases (by opening time, or as sort says), filtered by status, assignee, team or customer."""
        customer = query.get("customer_id")
        return read(query, lambda conn: page(list_cases(
            conn, status=query.get("status"), assignee=query.get("assignee"), team=query.get("team"),
            customer_id=str(customer) if customer else None, unassigned=query["unassigned"],
            limit=query["limit"], cursor=query.get("cursor"), sort=query["sort"])))

    @requires("write:cases")
    @blp.arguments(OpenCaseSchema)
    @blp.response(201, CaseReceiptSchema)
    @blp.doc(parameters=[IDEMPOTENCY_DOC])
    def post(self, body: dict[str, Any]) -> Any:
        """Open a case (with the touchpoint that raised it, if given); answers its tracking code."""
        app = services().app
        return execute(lambda: app.open_case(
            id=new_id(), customer_id=body["customer_id"], subject=body["subject"], channel=body["channel"],
            description=body["description"], priority=body["priority"], team=body.get("team"),
            touchpoint=body.get("touchpoint"), occurred_at=when(body), actor=caller().actor),
            status=201, extra=lambda receipt: {"tracking_code": app.get_case(receipt.id).tracking_code})


def _with_sla(conn: sa.Connection, case: dict[str, Any] | None) -> dict[str, Any] | None:
    return case and {**case, "sla": get_case_sla(conn, case["id"], services().clock.now())}


@blp.route("/cases/<uuid:case_id>")
class Case(MethodView):
    @requires("read:cases")
    @blp.etag
    @blp.arguments(ReadQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, CaseSchema)
    def get(self, query: dict[str, Any], case_id: UUID) -> dict[str, Any]:
        """One case, with its SLA targets as of now (``sla``)."""
        return found(read(query, lambda conn: _with_sla(conn, get_case(conn, str(case_id)))), "case", case_id)


@blp.route("/cases/by-code/<string(maxlength=40):code>")
class CaseByCode(MethodView):
    @requires("read:cases")
    @blp.etag
    @blp.arguments(ReadQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, CaseSchema)
    def get(self, query: dict[str, Any], code: str) -> dict[str, Any]:
        """One case by its tracking code (CASE-004044), with its SLA targets as of now (``sla``)."""
        return found(read(query, lambda conn: _with_sla(conn, get_case_by_code(conn, code))), "case", code[:40])


@blp.route("/agents/workload")
class Workload(MethodView):
    @requires("read:cases")
    @blp.etag
    @blp.arguments(ReadQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, WorkloadReportSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Per agent: active cases, open and overdue promises, promise-keeping rate, as of now."""
        now = services().clock.now()
        agents = read(query, lambda conn: get_agent_workload(conn, now=now))
        blp.set_etag(agents, WorkloadSchema(many=True))  # the figures, not the instant: unchanged figures are a 304
        return {"as_of": now, "agents": agents}


def _action(name: str, schema: type[Schema], summary: str, command: Command, **options: Any) -> None:
    action(blp, "cases", name, schema, summary, command, scope="write:cases", **options)


_action("reply", ReplySchema, "Reply to the customer (public) or add an internal note.",
        lambda app, i, b, kw: app.reply_to_case(i, body=b["body"], public=b["public"], **kw))
_action("assign", AssignSchema, "Assign the case to an agent (and team).",
        lambda app, i, b, kw: app.assign_case(i, assignee=b["assignee"], team=b.get("team"), **kw))
_action("transfer", TransferSchema, "Hand the case over with a note.",
        lambda app, i, b, kw: app.transfer_case(i, to_assignee=b["to_assignee"], to_team=b.get("to_team"),
                                                note=b["note"], **kw))
_action("pend", PendSchema, "Wait for the customer, or put the case on hold.",
        lambda app, i, b, kw: app.pend_case(i, reason=b["reason"], note=b["note"], **kw))
_action("resume", WriteSchema, "Resume a pending case.", lambda app, i, b, kw: app.resume_case(i, **kw))
_action("resolve", ResolveSchema, "Resolve the case.",
        lambda app, i, b, kw: app.resolve_case(i, resolution=b["resolution"], **kw))
_action("reopen", ReopenSchema, "Reopen a resolved case.",
        lambda app, i, b, kw: app.reopen_case(i, reason=b["reason"], **kw))
_action("close", WriteSchema, "Close a resolved case for good.", lambda app, i, b, kw: app.close_case(i, **kw))
_action("rate", RateSchema, "Record the customer's satisfaction (1-5) with a resolved case.",
        lambda app, i, b, kw: app.rate_case(i, score=b["score"], comment=b["comment"], **kw))
