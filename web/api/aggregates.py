"""``GET /api/v1/aggregates/<id>``: any aggregate's state as of a version, a business instant
(``as_of``) or a recorded instant (``known_at``), for auditors (scope ``read:audit``).

``<id>`` is a UUID or a case tracking code. Every answer is itself recorded as an
``AuditRead`` event naming the token, the aggregate and the query.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import RAISE

from domain.audit.commands import record_audit_read
from domain.errors import InvalidValueError
from projections.audit import AsOf, plain, resolve, state_as_of
from web.api.auth import caller, requires
from web.api.blueprint import Blueprint
from web.api.errors import ApiError, domain_error
from web.schemas.aggregates import AggregateQuerySchema, AggregateStateSchema
from web.services import services

blp = Blueprint("aggregates", __name__, description="Auditors: any aggregate's state as of a version or a time.")


@blp.route("/aggregates/<string(maxlength=60):aggregate_id>")
class AggregateState(MethodView):
    @requires("read:audit")
    @blp.arguments(AggregateQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, AggregateStateSchema)
    def get(self, query: dict[str, Any], aggregate_id: str) -> dict[str, Any]:
        """One aggregate's state now, as of a version, as of a business instant, or as known at a recorded one."""
        found = services()
        key = resolve(found.app, found.views, aggregate_id)
        if key is None:
            raise ApiError(404, f"no aggregate {aggregate_id!r} (a UUID or a case tracking code)")
        try:
            asked = AsOf.checked(query.get("version"), query.get("as_of"), query.get("known_at"))
            state = state_as_of(found.app, key, asked)
        except InvalidValueError as exc:
            raise domain_error(exc) from None
        if state is None:
            raise ApiError(404, f"no aggregate {key}")
        record_audit_read(found.app, channel="api", subject=str(key), query=asked.query(),
                          occurred_at=found.clock.now(), actor=caller().actor)
        aggregate = state.aggregate
        return {
            "id": key, "kind": state.kind, "head_version": state.head, "version": state.version,
            "exists": aggregate is not None, "events_applied": state.events_applied, "asked": asked.query(),
            "created_on": getattr(aggregate, "created_on", None), "modified_on": getattr(aggregate, "modified_on", None),
            "state": plain(state.fields),
        }
