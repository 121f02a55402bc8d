"""``/api/v1/sla/...``: breaches, targets at risk and compliance, evaluated at the injected clock."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from flask import Response, request
from flask.views import MethodView
from marshmallow import RAISE

from projections.queries.sla import SlaFilter, get_compliance, page_at_risk, page_breaches
from web.api.auth import requires
from web.api.blueprint import Blueprint
from web.api.errors import field_error
from web.api.reads import page, read
from web.schemas.sla import (
    AtRiskPageSchema, AtRiskQuerySchema, BreachPageSchema, BreachQuerySchema, ComplianceQuerySchema, ComplianceSchema,
)
from web.services import services
from web.spreadsheets import cell

blp = Blueprint("sla", __name__, description="SLA breaches, targets at risk and compliance, as of now or a past date.")
DEFAULT_SHARE = 0.75
DEFAULT_PERIOD = timedelta(days=30)
CSV_DOC = "JSON, or CSV (a header row, then one row per group) with ?format=csv or Accept: text/csv."


def _filter(query: dict[str, Any]) -> SlaFilter:
    return SlaFilter(target=query.get("target"), assignee=query.get("assignee"), team=query.get("team"),
                     priority=query.get("priority"), channel=query.get("channel"))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


@blp.route("/sla/breaches")
class Breaches(MethodView):
    @requires("read:sla")
    @blp.etag
    @blp.arguments(BreachQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, BreachPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Targets breached by now (or by the end of ``as_of``), the latest breach first (ties by
        case id, target and cycle, descending): a target whose due instant has passed shows at
        once, before anyone acts on the case. A page can hold fewer than ``limit`` items; follow
        ``next_cursor`` until it is null."""
        now = services().clock.now()
        return read(query, lambda conn: page(page_breaches(
            conn, now, _filter(query), as_of=query.get("as_of"), limit=query["limit"], cursor=query.get("cursor"))))


@blp.route("/sla/at-risk")
class AtRisk(MethodView):
    @requires("read:sla")
    @blp.etag
    @blp.arguments(AtRiskQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, AtRiskPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Targets counting now (or at ``as_of``) and close to due: a share of their time used
        (default 0.75), or ``minutes_left`` or fewer left; the soonest due first (ties by case
        id, target and cycle)."""
        now = services().clock.now()
        threshold = ({"minutes_left": query["minutes_left"]} if "minutes_left" in query
                     else {"share": query.get("share", DEFAULT_SHARE)})
        return read(query, lambda conn: page(page_at_risk(
            conn, now, _filter(query), as_of=query.get("as_of"), limit=query["limit"], cursor=query.get("cursor"),
            **threshold)))


def _csv(result: dict[str, Any]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([result["group_by"], "met", "breached", "decided", "share_met"])
    for g in result["groups"]:
        writer.writerow([cell(g["group"] or ""), g["met"], g["breached"], g["decided"], g["share_met"]])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="sla-compliance-{result["group_by"]}.csv"'})


@blp.route("/sla/compliance")
class Compliance(MethodView):
    @requires("read:sla")
    @blp.arguments(ComplianceQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, ComplianceSchema)
    @blp.doc(responses={"200": {"description": CSV_DOC, "content": {  # the schema's JSON, and the CSV alternative
        "application/json": {"schema": {"$ref": "#/components/schemas/Compliance"}},
        "text/csv": {"schema": {"type": "string"}}}}})
    def get(self, query: dict[str, Any]) -> Any:
        """Share of targets met among those decided (met or breached) in the period, per target
        kind, agent or team (who held the case when it was decided), priority, channel, or day,
        week or month; as of a past date too."""
        now = services().clock.now()
        as_of = min(query["as_of"], now) if "as_of" in query else now
        until = _day_start(query["until"]) + timedelta(days=1) if "until" in query else as_of
        since = _day_start(query["since"]) if "since" in query else until - DEFAULT_PERIOD
        if since >= until:
            raise field_error(422, "since", "must be before until")
        groups = read(query, lambda conn: get_compliance(conn, since, until, query["group_by"], now, _filter(query),
                                                         as_of=as_of))
        result = {"since": since, "until": until, "as_of": as_of, "group_by": query["group_by"], "groups": groups}
        wants_csv = query.get("format") == "csv" or (
            "format" not in query and request.accept_mimetypes.best_match(["application/json", "text/csv"])
            == "text/csv")
        return _csv(result) if wants_csv else result
