"""``GET /api/v1/promise-keeping``: promises kept on time / due over a period, per agent and team."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import RAISE

from projections.queries.dashboard import get_promise_keeping
from web.api.auth import requires
from web.api.blueprint import Blueprint
from web.api.funnel import _start as start_of_day
from web.api.funnel import end_of_day
from web.api.reads import read
from web.schemas.promise_keeping import PromiseKeepingQuerySchema, PromiseKeepingSchema
from web.services import services

blp = Blueprint("promise-keeping", __name__, description="The promise-keeping rate, from the promises read model.")


@blp.route("/promise-keeping")
class PromiseKeeping(MethodView):
    @requires("read:promises")
    @blp.etag
    @blp.arguments(PromiseKeepingQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, PromiseKeepingSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Kept on time / due, in all, per agent and per team, over [since, until]."""
        now = services().clock.now()
        until = min(end_of_day(query["until"]), now) if "until" in query else now
        since = start_of_day(query.get("since"))
        found = read(query, lambda conn: get_promise_keeping(conn, since=since, until=until))
        return {**found, "since": since, "until": until}
